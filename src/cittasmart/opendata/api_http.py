"""HTTP manners of the public read API: rate limit, conditional requests (ETag, Last-Modified, 304), CORS for
reads and opaque pagination cursors. The read operations call these helpers themselves, so the write feed
(``api_write``) is never touched by them."""

import base64
import hashlib
import time
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django.utils.translation import gettext as _

from cittasmart.core import pagecache, ratelimit

RATE_LIMIT_SCOPE = "api.read"
CACHE_MAX_AGE = 60
READ_METHODS = "GET, HEAD, OPTIONS"
PREFLIGHT_HEADERS = "If-None-Match, If-Modified-Since"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After",
}
_CURSOR_SALT = "cittasmart.opendata.api.cursor"


def with_cors(response: HttpResponse) -> HttpResponse:
    """Anyone's web page may read the public data: open the response to every origin (reads only)."""
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


def preflight_response() -> HttpResponse:
    """The answer to a browser's CORS preflight (``OPTIONS``): reads from any origin, no credentials."""
    response = with_cors(HttpResponse(status=204))
    response["Access-Control-Allow-Methods"] = READ_METHODS
    response["Access-Control-Allow-Headers"] = PREFLIGHT_HEADERS
    response["Access-Control-Max-Age"] = "86400"
    return response


def seconds_to_next_window(now: float | None = None) -> int:
    """``core.ratelimit`` counts in fixed windows of one minute: the seconds until the current one ends."""
    now = time.time() if now is None else now
    return max(1, 60 - int(now) % 60)


def rate_limited(request) -> HttpResponse | None:
    """Count this read; beyond ``API_RATE_LIMIT_PER_MINUTE`` a 429 JSON error with ``Retry-After``. A read
    counted already by ``rate_limited_reading`` is not counted again."""
    if getattr(request, "api_page_read", None) is not None:
        return None
    if ratelimit.hit(RATE_LIMIT_SCOPE, request, settings.API_RATE_LIMIT_PER_MINUTE):
        return None
    return _too_many_requests(request)


def rate_limited_reading(request, keys: list[str]) -> tuple[HttpResponse | None, dict]:
    """``rate_limited`` and ``cache.get_many(keys)`` in one round trip to the cache; what was read is kept on
    the request as ``api_page_read`` (keys, found)."""
    allowed, found = ratelimit.hit_and_get_many(
        RATE_LIMIT_SCOPE, request, settings.API_RATE_LIMIT_PER_MINUTE, keys
    )
    request.api_page_read = (keys, found)
    return (None if allowed else _too_many_requests(request)), found


def _too_many_requests(request) -> HttpResponse:
    from cittasmart.opendata.api import error_response

    seconds = seconds_to_next_window()
    return with_cors(
        error_response(
            request,
            429,
            _("Too many requests in a short time: please wait %(seconds)s seconds and try again.")
            % {"seconds": seconds},
            headers={"Retry-After": str(seconds)},
        )
    )


def etag_of(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:40]}"'


def _not_modified(request, etag: str, last_modified: int | None) -> bool:
    """RFC 9110 §13.2.2: ``If-None-Match`` decides when present (weak comparison); otherwise
    ``If-Modified-Since`` does, for GET and HEAD."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        tags = parse_etags(if_none_match)
        if "*" in tags:
            return True
        bare = etag.removeprefix("W/")
        return any(tag.removeprefix("W/") == bare for tag in tags)
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and last_modified is not None and last_modified <= since


def cached_json(
    request,
    body: bytes | None,
    *,
    last_modified: datetime | None,
    content_type: str,
    etag: str = "",
    gzipped: bytes | None = None,
) -> HttpResponse:
    """A 200 JSON response with validators and a short public cache, or a body-less 304 when the client's copy
    is current. HEAD gets the headers of GET without the body. ``etag`` and ``gzipped`` (the body's gzip form,
    sent to the clients that accept it): the body's, when they were kept with it; ``body`` is None when only its
    gzip form was kept (``pagecache.kept_forms``)."""
    etag = etag or etag_of(body)
    modified = int(last_modified.timestamp()) if last_modified is not None else None
    if _not_modified(request, etag, modified):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(content_type=content_type)
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = f"public, max-age={CACHE_MAX_AGE}"
    if response.status_code == 200:
        if request.method == "HEAD":
            response["Content-Length"] = str(len(pagecache.plain(body, gzipped)))
        else:
            response = pagecache.send_kept(request, response, body, gzipped)
    return with_cors(response)


# --- Cursors -------------------------------------------------------------------------------------------------


def _signer(scope: str) -> signing.Signer:
    return signing.Signer(salt=f"{_CURSOR_SALT}:{scope}")


def cursor_encode(scope: str, pk: int) -> str:
    """An opaque cursor for "the rows after ``pk``" of one list: signed, so it cannot be forged or moved to
    another list."""
    signed = _signer(scope).sign(str(pk))
    return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def cursor_decode(scope: str, cursor: str) -> int | None:
    """The primary key a cursor stands for, or None when it was not made by ``cursor_encode`` for ``scope``."""
    if not cursor or len(cursor) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        pk = int(_signer(scope).unsign(raw))
    except (ValueError, TypeError, UnicodeError, signing.BadSignature):
        return None
    return pk if pk > 0 else None
