from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.urls.base import translate_url
from django.utils.translation import get_language, get_language_info

from cittasmart.core.registry import navigation
from cittasmart.core.services import site_settings_get


def site(request):
    """Site identity, main navigation and the links to this page in each language."""
    current = get_language()
    nav = []
    for item in navigation():
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        nav.append({"label": item.label, "url": url, "active": request.path.startswith(url)})
    languages = [
        {
            "code": code,
            "name": get_language_info(code)["name_local"].capitalize(),
            "url": translate_url(request.get_full_path(), code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]
    return {"site_settings": site_settings_get(), "main_nav": nav, "language_links": languages}
