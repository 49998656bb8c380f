"""A fixed-window rate limit for write views, kept in the cache (Redis in production)."""

import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _


def client_ip(request) -> str:
    """The caller's address: behind ``PROXY_COUNT`` trusted proxies, the hop they saw; else the socket's."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    if forwarded and proxies:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def client_key(request) -> str:
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return f"u{request.user.pk}"
    return f"ip{client_ip(request)}"


def too_many_requests(request, exception=None, *, message: str = ""):
    """The translated 429 page; also the project's ``handler429`` (allauth's own limits answer with it)."""
    message = message or _("Too many requests in a short time. Please wait a minute and try again.")
    return render(request, "core/too_many_requests.html", {"message": message}, status=429)


def increment(key: str, timeout: int | None) -> int:
    """Add one to the counter ``key`` in the cache, starting it at 1 (kept ``timeout`` seconds); its new value.

    On Redis a counter with a lifetime costs one round trip, also when it is new (a rate-limit window, a login
    failure from an address: usually the first of its window); elsewhere, and for counters kept for good (the
    page-cache versions, which exist after their first write), ask, then add if missing."""
    if timeout and timeout > 0 and hasattr(cache, "count_and_get_many"):
        return cache.count_and_get_many(key, [], timeout=timeout)[0]
    try:
        return cache.incr(key)
    except ValueError:  # not there yet, or expired
        if cache.add(key, 1, timeout=timeout):
            return 1
        return cache.incr(key)  # another request started it meanwhile


# A window is one minute; its counter outlives it a little, for the requests that straddle its end.
WINDOW_TIMEOUT = 90


def _counter(scope: str, request) -> str:
    return f"ratelimit:{scope}:{client_key(request)}:{int(time.time() // 60)}"


def hit(scope: str, request, per_minute: int) -> bool:
    """Count one request in ``scope`` for this client; True while it stays within ``per_minute``."""
    return increment(_counter(scope, request), timeout=WINDOW_TIMEOUT) <= per_minute


def hit_and_get_many(scope: str, request, per_minute: int, keys: list[str]) -> tuple[bool, dict]:
    """``hit()`` and ``cache.get_many(keys)``, in one round trip to Redis: a read answered from the cache costs
    one trip, not one for its limit and one for the answer. Other caches do it in two steps."""
    counter = _counter(scope, request)
    if hasattr(cache, "count_and_get_many"):
        count, found = cache.count_and_get_many(counter, keys, timeout=WINDOW_TIMEOUT)
    else:
        count, found = increment(counter, timeout=WINDOW_TIMEOUT), cache.get_many(keys)
    return count <= per_minute, found


def rate_limit_writes(scope: str, per_minute: int | Callable[[], int] | None = None):
    """Decorate a view: POSTs beyond the limit get a translated 429 page and change nothing.

    ``per_minute`` is a number, or a function that reads it from the settings at each request (a limit read from
    the settings at import time would keep whatever the settings held when the module was first imported)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            limit = (
                per_minute() if callable(per_minute) else per_minute
            ) or settings.RATE_LIMIT_WRITES_PER_MINUTE
            if request.method == "POST" and not hit(scope, request, limit):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
