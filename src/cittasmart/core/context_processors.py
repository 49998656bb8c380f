from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.urls.base import translate_url
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, get_language_info

from cittasmart.core.registry import navigation
from cittasmart.core.services import site_settings_get


def site(request):
    """Site identity, main navigation and the links to this page in each language.

    The navigation and the language links are built when a template first shows them: a fragment swapped in by
    htmx (the support box, a follow button) shows neither, and building them (a reverse and a resolve per link)
    cost more than the rest of such a response."""
    return {
        "site_settings": site_settings_get(),
        "main_nav": SimpleLazyObject(lambda: _main_nav(request)),
        "language_links": SimpleLazyObject(lambda: _language_links(request)),
    }


def _main_nav(request) -> list[dict]:
    nav = []
    for item in navigation():
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        nav.append({"label": item.label, "url": url, "active": request.path.startswith(url)})
    return nav


def _language_links(request) -> list[dict]:
    current = get_language()
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"].capitalize(),
            "url": translate_url(request.get_full_path(), code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]
