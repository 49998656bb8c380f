from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    name = "cittasmart.plan"
    label = "plan"
    verbose_name = _("Plan")

    def ready(self) -> None:
        from cittasmart.core.registry import (
            NavItem,
            register_demo_loader,
            register_nav_item,
            register_search_provider,
        )
        from cittasmart.plan import demo, search

        register_nav_item(NavItem(label=_("The plan"), url_name="plan:home", order=10))
        register_demo_loader("plan", demo.load, order=50)
        # After the survey's records (20), before participation (30).
        register_search_provider("plan", search.search_actions, order=25)
