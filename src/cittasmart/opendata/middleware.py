"""The API's list pages answered from the cache before the address is resolved (``api_read.cached_list_page``).

It sits below the middleware that every answer goes through (security headers, content security policy, language,
session, CSRF, clickjacking header) and above the rest (accounts, htmx, login guards), which a read of public data
does not need."""

# The API module first: importing it registers the operations of api_read and api_write, in that order.
from cittasmart.opendata.api import api  # noqa: F401
from cittasmart.opendata.api_read import cached_list_page, list_paths


class CachedApiListMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path in list_paths():
            answer = cached_list_page(request)
            if answer is not None:
                return answer
        return self.get_response(request)
