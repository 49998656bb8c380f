from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "cittasmart.documents"
    label = "documents"
    verbose_name = _("Documents and news")

    def ready(self) -> None:
        from cittasmart.core.registry import NavItem, register_nav_item, register_panel
        from cittasmart.documents import panels

        register_nav_item(NavItem(label=_("Documents"), url_name="documents:library", order=50))
        register_panel("accounts.profile", "documents.reserved", panels.profile_reserved_area, order=30)
        register_panel("core.manage", "documents.library", panels.manage_card, order=40)
