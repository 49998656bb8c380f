from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cittasmart.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from cittasmart.accounts import gdpr

        gdpr.register_core_contributors()
