from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cittasmart.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from cittasmart.core import pagecache, signals  # noqa: F401

        pagecache.watch_open_connections()
        from cittasmart.core.demo import loader
        from cittasmart.core.registry import register_demo_loader

        register_demo_loader("core", loader.load, order=10)
