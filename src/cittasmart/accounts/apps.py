from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cittasmart.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from cittasmart.accounts import demo, gdpr, loginguard  # noqa: F401 (loginguard connects its signal)
        from cittasmart.core.registry import register_demo_loader

        gdpr.register_core_contributors()
        register_demo_loader("accounts", demo.load, order=20)
