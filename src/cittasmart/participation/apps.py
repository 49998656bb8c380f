from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "cittasmart.participation"
    label = "participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        from cittasmart.accounts import gdpr
        from cittasmart.core.registry import (
            NavItem,
            register_demo_loader,
            register_nav_item,
            register_panel,
            register_search_provider,
        )
        from cittasmart.participation import demo, panels, privacy, search, traceability

        register_nav_item(NavItem(label=_("Participate"), url_name="participation:home", order=30))
        register_demo_loader("participation", demo.load, order=60)
        register_search_provider("participation", search.ideas_and_processes, order=30)
        register_panel(
            "accounts.profile", "participation.notifications", panels.profile_notifications, order=10
        )
        gdpr.register(gdpr.Contributor(name="participation", export=privacy.export, erase=privacy.erase))
        register_panel("plan.action", "participation.ideas", traceability.action_ideas, order=10)
        register_panel("core.manage", "participation.office", traceability.manage_card, order=30)
        register_panel("accounts.profile", "participation.moderation", traceability.moderation_card, order=20)
