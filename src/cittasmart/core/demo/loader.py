from cittasmart.core.demo import prato
from cittasmart.core.services import site_settings_get, site_settings_update


def load() -> int:
    site = site_settings_get()
    if any(getattr(site, key) != value for key, value in prato.SITE.items()):
        site_settings_update(actor=None, **prato.SITE)
        return 1
    return 0
