from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveyConfig(AppConfig):
    name = "cittasmart.survey"
    label = "survey"
    verbose_name = _("Survey")

    def ready(self) -> None:
        from cittasmart.core.registry import (
            NavItem,
            register_demo_loader,
            register_nav_item,
            register_search_provider,
        )
        from cittasmart.survey import catalogue, demo

        register_nav_item(NavItem(label=_("Survey"), url_name="survey:home", order=20))
        register_search_provider("survey", catalogue.search_records, order=20)
        register_demo_loader("survey", demo.load, order=40)
