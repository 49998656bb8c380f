from django.urls import path
from django.utils.translation import gettext_lazy as _

from cittasmart.documents import views_documents

app_name = "documents"

urlpatterns = [
    # The document library and the reserved area
    path(_("documents/"), views_documents.library, name="library"),
    path(_("documents/new/"), views_documents.document_create, name="create"),
    path(_("documents/<int:pk>/"), views_documents.detail, name="detail"),
    path(_("documents/<int:pk>/edit/"), views_documents.document_edit, name="edit"),
    path(_("documents/<int:pk>/new-version/"), views_documents.version_create, name="version_create"),
    path(_("documents/<int:pk>/download/"), views_documents.download, name="download"),
    path(
        _("documents/<int:pk>/versions/<int:number>/download/"),
        views_documents.download,
        name="download_version",
    ),
    path(_("documents/<int:pk>/downloads/"), views_documents.download_log, name="download_log"),
    path(_("reserved-area/"), views_documents.reserved_area, name="reserved_area"),
    # News
]
