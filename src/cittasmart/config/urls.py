from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cittasmart.opendata.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The API answers in the language of Accept-Language, at one address for every language.
    path("api/v1/", api.urls),
]

urlpatterns += i18n_patterns(
    path("", include("cittasmart.core.urls")),
    path("account/", include("cittasmart.accounts.urls")),
    path("account/", include("allauth.urls")),
    path(_("organisations/"), include("cittasmart.stakeholders.urls")),
    path(_("survey/"), include("cittasmart.survey.urls")),
    path(_("plan/"), include("cittasmart.plan.urls")),
    path(_("participate/"), include("cittasmart.participation.urls")),
    path(_("meetings/"), include("cittasmart.meetings.urls")),
    path("", include("cittasmart.documents.urls")),
    path("", include("cittasmart.opendata.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "cittasmart.core.views.page_not_found"
handler429 = "cittasmart.core.ratelimit.too_many_requests"
handler500 = "cittasmart.core.views.server_error"
