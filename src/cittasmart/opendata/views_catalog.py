"""The DCAT-AP_IT catalogue in Turtle, RDF/XML and JSON-LD (``/opendata/catalog.ttl|rdf|jsonld``).

Public and cacheable by anyone (shared caches included), readable from other sites' scripts (CORS ``*``), with
``Last-Modified`` from the datasets' latest change and ``304`` on a matching ``If-Modified-Since``. ``?page=N``
selects a page of the catalogue; a page that does not exist (or is not a number) answers 404.
"""

import calendar
import datetime

from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from cittasmart.opendata import catalog

# Seconds a cache may keep the catalogue: harvesters read it at most a few times a day.
MAX_AGE = 900


def _page_number(request) -> int:
    raw = request.GET.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:  # isdigit() alone accepts "²", int() does not
        raise Http404
    return int(raw)


def _finish(response: HttpResponse, last_modified: int | None) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


@require_GET
def catalog_view(request, fmt: str):
    if fmt not in catalog.FORMATS:
        raise Http404
    page = catalog.page_get(_page_number(request))
    if page is None:
        raise Http404
    modified = catalog.modified_dates()
    latest = catalog.catalogue_modified(modified)
    # Dates have no time: the end of the day of the latest change is the moment to compare with.
    last_modified = (
        calendar.timegm((latest + datetime.timedelta(days=1)).timetuple()) - 1 if latest is not None else None
    )
    not_modified = get_conditional_response(request, last_modified=last_modified)
    if not_modified is not None:
        return _finish(not_modified, last_modified)
    rdf_format, content_type = catalog.FORMATS[fmt]
    graph = catalog.catalog_graph(page=page, fmt=fmt, modified=modified)
    body = graph.serialize(format=rdf_format, encoding="utf-8")
    return _finish(HttpResponse(body, content_type=content_type), last_modified)
