from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "cittasmart.documents"
    label = "documents"
    verbose_name = _("Documents and news")

    def ready(self) -> None:
        from cittasmart.accounts import gdpr
        from cittasmart.core.registry import (
            NavItem,
            register_demo_loader,
            register_nav_item,
            register_panel,
            register_search_provider,
        )
        from cittasmart.documents import demo, panels, privacy, search, views_news

        register_nav_item(NavItem(label=_("Documents"), url_name="documents:library", order=50))
        register_nav_item(NavItem(label=_("News"), url_name="documents:news_list", order=60))
        register_panel("core.home", "documents.news", views_news.home_latest_news, order=10)
        register_panel("accounts.profile", "documents.reserved", panels.profile_reserved_area, order=30)
        register_panel("core.manage", "documents.library", panels.manage_card, order=40)
        register_panel("plan.version", "documents.linked", panels.version_documents, order=10)
        register_panel("meetings.meeting", "documents.linked", panels.meeting_documents, order=10)
        # Site search sections: after meetings (40), before organisations (80).
        register_search_provider("documents", search.search_documents, order=50)
        register_search_provider("news", search.search_news, order=60)
        # After meetings (70): the demo documents link to their meetings.
        register_demo_loader("documents", demo.load, order=80)
        gdpr.register(gdpr.Contributor(name="documents", export=privacy.export, erase=privacy.erase))
