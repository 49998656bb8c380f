"""Where a button sends people back to: the ``next`` address it carries, when that is a page of this site."""

from django.utils.http import url_has_allowed_host_and_scheme


def back_to(request, url: str, fallback: str) -> str:
    """``url`` if it is a path of this site, else ``fallback``. A path only: ``redirect()`` would take any other
    text for the name of a view (``NoReverseMatch``), and another host would be an open redirect."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return fallback
