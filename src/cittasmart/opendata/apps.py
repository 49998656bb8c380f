from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "cittasmart.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from cittasmart.core.registry import NavItem, register_nav_item, register_panel
        from cittasmart.opendata import views_tokens

        register_nav_item(NavItem(label=_("Open data"), url_name="opendata:index", order=70))
        register_panel("core.manage", "opendata.tokens", views_tokens.manage_card, order=60)
