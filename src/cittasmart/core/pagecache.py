"""Whole-page cache for anonymous visitors, replaced as soon as the data under the page changes.

Most visits to the public pages are anonymous and see the same page. ``cache_anonymous_page("participation")``
keeps the response of a GET view in the cache (Redis in production) under a key made of the address with its
query string, the language and whether htmx asked for a fragment, together with the *content versions* of the
apps the page reads at the time it was rendered; it is served only while those versions are still the current
ones (read in the same round trip as the page). A content version is a counter per app, raised by every write to
one of the app's tables: the database connections watch the SQL they run (``INSERT``/``UPDATE``/``DELETE``, so
``update()``, ``bulk_create()`` and raw SQL count too). A write outside a transaction raises its app's counter at
once; a transaction raises the counters of the apps it wrote when it commits, once however many rows it wrote, and
earlier if the same thread reads a version before (a page read inside the transaction sees its writes). A page is
therefore never older than the data it shows, except for what depends on the clock (a phase that opens at
midnight): ``PAGE_CACHE_SECONDS`` bounds that.

Only requests that carry no state are served from the cache or stored: anonymous, GET or HEAD, with no session
or messages cookie; and only responses that set no state: status 200, no session change, no CSRF cookie to set.
Logged-in people always get a fresh page (it shows their supports, registrations, notifications).

A stored page is kept gzip-compressed, compressed once when it is stored, and served so to the browsers that
accept it (all of them; it is decompressed for the others): a filtered survey catalogue with its map is about
87 KB, 13 KB compressed, which matters on a phone and is all that is read back from the cache. Such a page holds
no secret (a page that uses the CSRF token is never stored), so compressing it gives nothing away (BREACH).
"""

import gzip
import hashlib
import re
import threading
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from cittasmart.core.ratelimit import increment

# The apps whose tables make pages; writes to other tables (sessions, login attempts, tasks) change no page.
WATCHED_APPS = frozenset(
    [
        "core",
        "accounts",
        "stakeholders",
        "survey",
        "plan",
        "participation",
        "meetings",
        "documents",
        "opendata",
    ]
)
# Cookies that carry no state a page shows (the language is part of the key; the CSRF cookie is not shown).
STATELESS_COOKIES = frozenset([settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME])
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)
# A login stamps ``last_login``, which no page shows: it must not empty the cache of every page.
_LAST_LOGIN = re.compile(
    r'^\s*UPDATE\s+"?accounts_user"?\s+SET\s+"?last_login"?\s*=\s*\S+\s+WHERE', re.IGNORECASE
)


def _version_key(app: str) -> str:
    return f"pagecache:version:{app}"


def bump(*apps: str) -> None:
    """Raise the content version of ``apps``: every cached page that reads them is out of date."""
    for app in apps:
        increment(_version_key(app), timeout=None)


def _app_of(sql: str) -> str | None:
    match = _WRITE.match(sql)
    if match is None or _LAST_LOGIN.match(sql):
        return None
    app = match.group(1).split("_", 1)[0].lower()
    return app if app in WATCHED_APPS else None


class _Pending(threading.local):
    """The apps written by this thread's open transaction and not yet raised: raised at the commit, or before this
    thread next reads a version (``_raise_pending``), whichever comes first."""

    def __init__(self):
        self.apps: set[str] = set()


_pending = _Pending()


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    app = _app_of(sql) if isinstance(sql, str) else None
    if app is not None:
        connection = context["connection"]
        if connection.in_atomic_block:
            # Raised when the transaction commits (a page rendered meanwhile by another connection, from the data
            # before the commit, must not outlive it), and before a page is read later in the same transaction
            # (it must see the write): one round trip for a transaction of many writes, not one per write.
            _bump_after_commit(connection, app)
            _pending.apps.add(app)
        else:
            bump(app)
    return result


def _raise_pending() -> None:
    """Raise the versions of what this thread's transaction has written so far, before a version is read."""
    if _pending.apps:
        apps, _pending.apps = _pending.apps, set()
        bump(*sorted(apps))


def _bump_after_commit(connection, app: str) -> None:
    """One callback per transaction gathers the apps it wrote (a rolled-back transaction drops it)."""
    for entry in connection.run_on_commit:
        apps = getattr(entry[1], "pagecache_apps", None)
        if apps is not None:
            apps.add(app)
            return

    def after_commit() -> None:
        _pending.apps -= after_commit.pagecache_apps
        bump(*after_commit.pagecache_apps)

    after_commit.pagecache_apps = {app}
    connection.on_commit(after_commit)


@receiver(connection_created, dispatch_uid="cittasmart.core.pagecache")
def _on_connection_created(sender, connection, **kwargs) -> None:
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def watch_open_connections() -> None:
    """Connections opened before this module was imported (at start-up) are watched too."""
    for connection in connections.all(initialized_only=True):
        _on_connection_created(None, connection)


def _cacheable_request(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and set(request.COOKIES) <= STATELESS_COOKIES
        and not request.user.is_authenticated
    )


def _cacheable_response(request, response) -> bool:
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
    )


_MISSING = object()


def _versions_in(found: dict, apps: tuple[str, ...]) -> str:
    return ",".join(f"{app}={found.get(_version_key(app), 0)}" for app in apps)


def versions(apps: tuple[str, ...]) -> str:
    """The current content versions of ``apps``: they change whenever one of the apps writes."""
    _raise_pending()
    return _versions_in(cache.get_many([_version_key(app) for app in apps]), apps)


def _with_versions(key: str, apps: tuple[str, ...]) -> list[str]:
    """``key`` and the version keys of ``apps``: what one round trip reads to tell whether ``key`` is current
    (read after this thread's pending writes have raised their versions)."""
    _raise_pending()
    return [key, *(_version_key(app) for app in apps)]


def _lookup(key: str, apps: tuple[str, ...]) -> tuple[str, object]:
    """The current content versions of ``apps`` and what is stored under ``key`` if it was stored at those
    versions (else ``_MISSING``): one round trip to the cache for both."""
    return _current(cache.get_many(_with_versions(key, apps)), key, apps)


def _current(found: dict, key: str, apps: tuple[str, ...]) -> tuple[str, object]:
    current = _versions_in(found, apps)
    stored = found.get(key)
    if stored is None or stored[0] != current:
        return current, _MISSING
    return current, stored[1]


def _store(key: str, at_versions: str, value) -> None:
    """Keep ``value`` with the versions read *before* it was computed: a write meanwhile makes it stale."""
    cache.set(key, (at_versions, value), timeout=settings.PAGE_CACHE_SECONDS)


def remember(name: str, apps: tuple[str, ...], compute):
    """``compute()``, kept in the cache until one of ``apps`` writes again (for results that are costly to
    read and change only with the data, such as an API page or the last change of a dataset)."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return compute()
    keys = value_keys(name, apps)
    return remembered(keys, apps, cache.get_many(keys), compute)


def value_keys(name: str, apps: tuple[str, ...]) -> list[str]:
    """The cache keys ``remember(name, apps, …)`` reads: for a caller that reads them in the same round trip
    as something else, and gives what it found to ``remembered``."""
    return _with_versions("pagecache:value:" + hashlib.sha256(name.encode()).hexdigest(), apps)


def remembered(keys: list[str], apps: tuple[str, ...], found: dict, compute):
    """``remember()`` with its ``value_keys`` already read into ``found``."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return compute()
    current, value = _current(found, keys[0], apps)
    if value is _MISSING:
        value = compute()
        _store(keys[0], current, value)
    return value


def kept(keys: list[str], apps: tuple[str, ...], in_cache: dict):
    """What ``remembered`` would answer without computing anything: the value kept under ``keys`` when it is
    there and current, else None."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return None
    value = _current(in_cache, keys[0], apps)[1]
    return None if value is _MISSING else value


# Below this, compressing saves less than it costs (and than the headers weigh).
GZIP_MIN_BYTES = 1024
_GZIP = re.compile(r"(?:^|,)\s*gzip\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*(?:,|$)", re.IGNORECASE)


def accepts_gzip(request) -> bool:
    """Whether the browser takes a gzip body (``Accept-Encoding: gzip``, not with ``q=0``)."""
    match = _GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if match is None:
        return False
    try:
        return match.group(1) is None or float(match.group(1)) > 0
    except ValueError:
        return False


def kept_forms(content: bytes) -> tuple[bytes | None, bytes | None]:
    """What to keep of a body, as (body, gzip form): the gzip form alone when the body is worth compressing
    (``mtime=0``: the same body compresses to the same bytes), else the body alone. A page is read back from the
    cache on every visit: a tenth of the bytes to read, and the clients that take gzip (all browsers) get it as
    it is; ``send_kept`` decompresses it for the others."""
    if len(content) < GZIP_MIN_BYTES:
        return content, None
    return None, gzip.compress(content, compresslevel=6, mtime=0)


def plain(content: bytes | None, gzipped: bytes | None) -> bytes:
    """The body of what ``kept_forms`` kept."""
    return content if content is not None else gzip.decompress(gzipped)


def send_kept(request, response: HttpResponse, content: bytes | None, gzipped: bytes | None) -> HttpResponse:
    """``response`` with the body kept as ``kept_forms`` does: its gzip form to a client that accepts it, else
    the body itself."""
    if gzipped is not None:
        patch_vary_headers(response, ["Accept-Encoding"])  # shared caches must keep both forms apart
        if accepts_gzip(request):
            response.content = gzipped
            response["Content-Encoding"] = "gzip"
            # The same data in another coding is only weakly the same representation (RFC 9110 8.8.3).
            etag = response.get("ETag", "")
            if etag.startswith('"'):
                response["ETag"] = "W/" + etag
            return response
    response.content = plain(content, gzipped)
    return response


def _page_key(request) -> str:
    parts = [
        request.get_full_path(),
        get_language() or "",
        "htmx" if request.headers.get("HX-Request") else "page",
    ]
    # The prefix changes with the form of what is kept (v3: the gzip form alone), so that the servers of two
    # releases side by side during a deploy never read each other's pages.
    return "pagecache:page:v3:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cache_anonymous_page(*apps: str):
    """Decorate a public GET view whose page reads the tables of ``apps``, panels of other apps included
    (``core`` and ``accounts`` always: site settings, people's public names); no apps: every app."""
    unknown = set(apps) - WATCHED_APPS
    if unknown:
        raise ValueError(f"not watched: {sorted(unknown)}")
    reads = tuple(sorted({"core", "accounts", *apps} if apps else WATCHED_APPS))

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            key = _page_key(request)
            current, stored = _lookup(key, reads)
            if stored is not _MISSING:
                status, headers, content, gzipped = stored
                response = HttpResponse(status=status)
                for name, value in headers:
                    response[name] = value
                return send_kept(request, response, content, gzipped)
            response = view(request, *args, **kwargs)
            if not _cacheable_response(request, response):
                return response
            content, gzipped = kept_forms(response.content)
            _store(key, current, (response.status_code, list(response.headers.items()), content, gzipped))
            return send_kept(request, response, response.content, gzipped)

        return wrapped

    return decorator
