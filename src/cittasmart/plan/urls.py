from django.urls import path
from django.utils.translation import gettext_lazy as _

from cittasmart.plan import views_governance, views_indicators, views_manage, views_public

app_name = "plan"

urlpatterns = [
    # Public reading: the current plan, any published version, its actions and indicators, evolution.
    path("", views_public.plan_home, name="home"),
    path(_("timeline/"), views_public.timeline, name="timeline"),
    path(_("changes/"), views_public.diff, name="diff"),
    path(_("dashboard/"), views_indicators.dashboard, name="dashboard"),
    path(_("governance/"), views_governance.governance, name="governance"),
    path("v/<slug:version>/", views_public.version, name="version"),
    path(_("v/<slug:version>/actions/<str:code>/"), views_public.action, name="action"),
    path(_("v/<slug:version>/indicators/<str:code>/"), views_indicators.indicator, name="indicator"),
    # Plan office.
    path(_("manage/"), views_manage.manage, name="manage"),
    path(_("manage/new-version/"), views_manage.version_create, name="version_create"),
    path(_("manage/v/<slug:version>/"), views_manage.version_edit, name="version_edit"),
    path(_("manage/v/<slug:version>/publish/"), views_manage.version_publish, name="version_publish"),
    path(_("manage/v/<slug:version>/actions/new/"), views_manage.action_create, name="action_create"),
    path(_("manage/v/<slug:version>/actions/<str:code>/"), views_manage.action_edit, name="action_edit"),
    path(
        _("manage/v/<slug:version>/actions/<str:code>/milestones/"),
        views_manage.milestone_add,
        name="milestone_add",
    ),
    path(
        _("manage/v/<slug:version>/indicators/<str:code>/measurements/"),
        views_manage.measurement_add,
        name="measurement_add",
    ),
    path(_("manage/survey-gaps/"), views_manage.survey_gaps, name="survey_gaps"),
    path(_("manage/governance/"), views_governance.manage_governance, name="manage_governance"),
]
