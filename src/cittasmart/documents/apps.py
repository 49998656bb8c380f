from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "cittasmart.documents"
    label = "documents"
    verbose_name = _("Documents and news")

    def ready(self) -> None:
        from cittasmart.documents import rules  # noqa: F401  (registers the permissions)
