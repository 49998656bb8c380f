from django.urls import path
from django.utils.translation import gettext_lazy as _

from cittasmart.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path(_("privacy/"), views.privacy, name="privacy"),
    path(_("accessibility/"), views.accessibility, name="accessibility"),
    path(_("legal-notes/"), views.legal_notes, name="legal_notes"),
    path(_("cookies/"), views.cookies, name="cookies"),
    path(_("search/"), views.search, name="search"),
    path(_("manage/"), views.manage, name="manage"),
    path(_("manage/audit-log/"), views.audit_log, name="audit_log"),
    path(_("manage/site-settings/"), views.site_settings_edit, name="site_settings"),
    path(
        _("manage/accessibility-reports/"), views.accessibility_feedback_list, name="accessibility_feedback"
    ),
    path(
        _("manage/accessibility-reports/<int:pk>/handled/"),
        views.accessibility_feedback_handled,
        name="accessibility_feedback_handled",
    ),
]
