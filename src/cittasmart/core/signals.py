"""Cache invalidation: the site settings are cached, and may also be edited in the admin."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cittasmart.core.models import SiteSettings
from cittasmart.core.services import site_settings_invalidate


@receiver([post_save, post_delete], sender=SiteSettings, dispatch_uid="core.site_settings_invalidate")
def _invalidate_site_settings(**kwargs) -> None:
    site_settings_invalidate()
