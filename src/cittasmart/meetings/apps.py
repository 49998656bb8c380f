from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "cittasmart.meetings"
    label = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from cittasmart.accounts import gdpr
        from cittasmart.core.registry import (
            NavItem,
            register_demo_loader,
            register_nav_item,
            register_panel,
            register_search_provider,
        )
        from cittasmart.meetings import demo, panels, privacy, search

        register_nav_item(NavItem(label=_("Meetings"), url_name="meetings:home", order=40))
        register_demo_loader("meetings", demo.load, order=70)  # after participation (60): it records ideas
        register_search_provider("meetings", search.meetings_and_tours, order=40)
        register_panel("accounts.profile", "meetings.registrations", panels.profile_registrations, order=15)
        gdpr.register(gdpr.Contributor(name="meetings", export=privacy.export, erase=privacy.erase))
