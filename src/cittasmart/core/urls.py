from django.urls import path
from django.utils.translation import gettext_lazy as _

from cittasmart.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path(_("privacy/"), views.privacy, name="privacy"),
    path(_("accessibility/"), views.accessibility, name="accessibility"),
    path(_("legal-notes/"), views.legal_notes, name="legal_notes"),
    path(_("cookies/"), views.cookies, name="cookies"),
    path(_("search/"), views.search, name="search"),
    path(_("audit-log/"), views.audit_log, name="audit_log"),
]
