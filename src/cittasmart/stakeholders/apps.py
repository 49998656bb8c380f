from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakeholdersConfig(AppConfig):
    name = "cittasmart.stakeholders"
    label = "stakeholders"
    verbose_name = _("Stakeholders")

    def ready(self) -> None:
        from cittasmart.accounts import gdpr
        from cittasmart.accounts import registry as accounts_registry
        from cittasmart.core.registry import (
            NavItem,
            register_demo_loader,
            register_nav_item,
            register_search_provider,
        )
        from cittasmart.stakeholders import demo, integrations, selectors

        register_nav_item(NavItem(label=_("Organisations"), url_name="stakeholders:list", order=80))
        register_search_provider("organisations", integrations.search_organisations, order=80)
        accounts_registry.set_membership_provider(selectors.memberships_for_user)
        gdpr.register(
            gdpr.Contributor("memberships", integrations.export_memberships, integrations.erase_memberships)
        )
        register_demo_loader("stakeholders", demo.load, order=30)
