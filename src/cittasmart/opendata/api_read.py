"""The read side of the public API: one list and one detail operation per dataset of ``datasets.DATASETS``, the
domains (ambiti) and the measurements of an indicator of the current plan.

The response schemas are generated from the dataset columns (one pydantic model per dataset), so the OpenAPI
document and the data come from the same definition. Lists are paginated with an opaque cursor (keyset on the
primary key), accept only the dataset's allow-listed filters, and every read answers with ``ETag``,
``Last-Modified`` and a short public cache, 304 to a conditional request, CORS for any origin and a 429 beyond
the rate limit. Errors are JSON with a translated ``message``."""

import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Max, QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from pydantic import BaseModel, ConfigDict, Field, create_model

from cittasmart.core import pagecache
from cittasmart.core.ambiti import AMBITI
from cittasmart.opendata import datasets
from cittasmart.opendata.api import ErrorOut, api, error_response
from cittasmart.opendata.api_http import (
    cached_json,
    cursor_decode,
    cursor_encode,
    etag_of,
    preflight_response,
    rate_limited,
    rate_limited_reading,
    with_cors,
)
from cittasmart.opendata.datasets import Column, Dataset

router = Router(tags=["read"])

# The largest primary key the databases store (a bigger number in a path would overflow the SQL parameter).
MAX_ID = 2**63 - 1
PAGE_SIZE = settings.API_PAGE_SIZE
MAX_PAGE_SIZE = settings.API_MAX_PAGE_SIZE

_PYTHON_TYPES = {
    datasets.STRING: str,
    datasets.INTEGER: int,
    datasets.NUMBER: float,
    datasets.BOOLEAN: bool,
    datasets.DATE: date,
    datasets.DATETIME: datetime,
    datasets.LIST: list[str],
}


class AmbitoOut(Schema):
    slug: str = Field(description="Stable identifier of the domain, used by the `ambito` filters.")
    label: str = Field(description="Name of the domain, in the language of the request.")
    description: str = Field(description="What the domain covers.")


# --- Schemas from the datasets -------------------------------------------------------------------------------


def _camel(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.replace("_", "-").split("-"))


def column_nullable(dataset: Dataset, column: Column) -> bool:
    """Whether a column may be null, judged from the model field of the same name; a computed column (no
    field of that name) may always be null. Lists, ``id`` and ``url`` always have a value."""
    if column.kind == datasets.LIST or column.name in ("id", "url"):
        return False
    try:
        field = dataset.model._meta.get_field(column.name)
    except FieldDoesNotExist:
        return True
    if field.is_relation:
        return bool(field.null) or not field.concrete
    if column.kind == datasets.STRING:
        # Empty text is published as null (``value or None``).
        return bool(field.null or field.blank)
    return bool(field.null)


_ITEM_MODELS: dict[str, type[BaseModel]] = {}


def item_model(dataset: Dataset) -> type[BaseModel]:
    """The schema of one row of ``dataset`` (one class per dataset, shared by every operation that returns it)."""
    if dataset.slug not in _ITEM_MODELS:
        _ITEM_MODELS[dataset.slug] = _build_item_model(dataset)
    return _ITEM_MODELS[dataset.slug]


def _build_item_model(dataset: Dataset) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for column in dataset.columns:
        python_type = _PYTHON_TYPES[column.kind]
        if column_nullable(dataset, column):
            python_type = python_type | None
        description = str(column.description) if column.description else None
        fields[column.name] = (python_type, Field(..., description=description))
    return create_model(
        f"{_camel(dataset.slug)}Item",
        __config__=ConfigDict(title=f"{_camel(dataset.slug)}Item"),
        __doc__=str(dataset.title),
        **fields,
    )


def page_model(name: str, item: type[BaseModel]) -> type[BaseModel]:
    return create_model(
        f"{name}Page",
        items=(list[item], Field(..., description="The rows of this page, by ascending id.")),
        next_cursor=(
            str | None,
            Field(..., description="Pass it as `cursor` to read the next page; null on the last page."),
        ),
        next=(str | None, Field(..., description="The address of the next page; null on the last page.")),
    )


def filters_model(dataset: Dataset) -> type[Schema]:
    fields: dict[str, Any] = {}
    for flt in dataset.filters:
        python_type = int if flt.kind == datasets.INTEGER else str
        fields[flt.name] = (python_type | None, Field(None, description=str(flt.description) or None))
    return create_model(f"{_camel(dataset.slug)}Filters", __base__=Schema, **fields)


# --- Shared behaviour ----------------------------------------------------------------------------------------

PAGING_PARAMS = ("limit", "cursor")
LIMIT_DESCRIPTION = f"Rows per page, from 1 to {MAX_PAGE_SIZE} (default {PAGE_SIZE})."
CURSOR_DESCRIPTION = "The `next_cursor` of the previous page; leave it out for the first page."


def _error(request, status: int, message: str):
    return with_cors(error_response(request, status, message))


def _bad_parameters(request, allowed: tuple[str, ...]):
    """400 for a parameter the operation does not accept or a value no database can hold (NUL)."""
    unknown = sorted(name for name in request.GET if name not in allowed)
    if unknown:
        if allowed:
            message = _("Unknown query parameter: %(names)s. Accepted parameters: %(allowed)s.") % {
                "names": ", ".join(unknown),
                "allowed": ", ".join(allowed),
            }
        else:
            message = _("Unknown query parameter: %(names)s. This address accepts no parameters.") % {
                "names": ", ".join(unknown)
            }
        return _error(request, 400, message)
    for name, values in request.GET.lists():
        if any("\x00" in value for value in values):
            return _error(request, 400, _("The value of %(name)s is not valid.") % {"name": name})
    return None


def _json_body(model: type[BaseModel], payload: Any) -> bytes:
    return model.model_validate(payload).model_dump_json().encode()


READS = tuple(sorted(pagecache.WATCHED_APPS))


def _content_type() -> str:
    return api.get_content_type()


def _page_keys(request) -> list[str]:
    # Rows show data of other apps too (authors' public names, organisations): any write renews the page. The
    # prefix changes with the form of what is kept, as the pages' does (``pagecache._page_key``).
    return pagecache.value_keys(f"opendata:api-page:v3:{request.build_absolute_uri()}", READS)


def _answer(request, page: tuple[bytes | None, bytes | None, str, datetime | None]) -> HttpResponse:
    body, gzipped, etag, last_modified = page
    return cached_json(
        request, body, etag=etag, gzipped=gzipped, last_modified=last_modified, content_type=_content_type()
    )


def _page_response(
    request,
    *,
    dataset: Dataset,
    scope: str,
    rows: Callable[[], QuerySet],
    limit: int,
    cursor: str | None,
    model: type[BaseModel],
    modified: Callable[[], datetime | None],
    counted: bool = False,
):
    """One page of the queryset ``rows()`` builds (ordered by primary key) after the cursor: ``limit + 1`` rows
    are read to know whether a next page exists, with the dataset's own prefetches (constant queries per page).

    The body (its gzip form alone, ``pagecache.kept_forms``), its ETag and the dataset's last change are kept
    together in the cache until any app writes, and ``rows`` and ``modified`` are called only when they are not
    there: a page served from the cache builds no queryset and, to the clients that take gzip, compresses or
    hashes nothing. The request is counted against the rate limit in the same round trip to the cache as the
    page is read, unless the caller has ``counted`` it already."""
    read_before = getattr(request, "api_page_read", None)
    if read_before is not None:
        # This page's keys, read by ``cached_list_page``, which counted the request.
        keys, in_cache = read_before
    else:
        keys = _page_keys(request)
        if counted:
            in_cache = cache.get_many(keys)
        else:
            refused, in_cache = rate_limited_reading(request, keys)
            if refused:
                return refused
    limit = max(1, min(limit, settings.API_MAX_PAGE_SIZE))
    after = None
    if cursor not in (None, ""):
        after = cursor_decode(scope, cursor)
        if after is None:
            return _error(request, 400, _("The cursor is not valid: start again from the first page."))

    def page() -> tuple[bytes | None, bytes | None, str, datetime | None]:
        queryset = rows() if after is None else rows().filter(pk__gt=after)
        found = dataset.page_rows(queryset.order_by("pk")[: limit + 1])
        next_cursor = next_url = None
        if len(found) > limit:
            found = found[:limit]
            next_cursor = cursor_encode(scope, found[-1]["id"])
            params = request.GET.copy()
            params["cursor"] = next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        body = _json_body(model, {"items": found, "next_cursor": next_cursor, "next": next_url})
        return (*pagecache.kept_forms(body), etag_of(body), modified())

    return _answer(request, pagecache.remembered(keys, READS, in_cache, page))


@functools.cache
def list_paths() -> frozenset[str]:
    """The addresses of the datasets' lists."""
    return frozenset(reverse(f"{api.urls_namespace}:{_operation_name(d)}_list") for d in datasets.DATASETS)


def cached_list_page(request) -> HttpResponse | None:
    """The answer to a GET or HEAD of a dataset's list when its page is in the cache and current (or the 429
    beyond the rate limit), before the address is resolved and its parameters parsed: a page served from the
    cache costs only the middleware in front of it, not django-ninja's routing and validation. The request is
    counted in the same round trip to the cache as the page is read; when the page is not there, None, and the
    view builds it with what was read, without counting the request again. Only a page the view answered with
    200 is ever stored, so what is found here is the view's answer to the same address."""
    keys = _page_keys(request)
    refused, in_cache = rate_limited_reading(request, keys)
    if refused:
        return refused
    page = pagecache.kept(keys, READS, in_cache)
    return None if page is None else _answer(request, page)


LIST_RESPONSES = {400: ErrorOut, 422: ErrorOut, 429: ErrorOut}
DETAIL_RESPONSES = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
CONDITIONAL_TEXT = (
    " Answers 304 with no body to a request whose `If-None-Match` or `If-Modified-Since` matches the current "
    "data."
)


# --- Operations for each dataset -----------------------------------------------------------------------------


def _operation_name(dataset: Dataset) -> str:
    return dataset.slug.replace("-", "_")


def _register_dataset(dataset: Dataset) -> None:
    """Register the list and detail operations of one dataset (a function, so that each closure keeps its own
    dataset)."""
    item = item_model(dataset)
    page = page_model(_camel(dataset.slug), item)
    filters = filters_model(dataset)
    allowed = (*(flt.name for flt in dataset.filters), *PAGING_PARAMS)
    name = _operation_name(dataset)

    def list_page(request, limit: int, cursor: str | None):
        refused = _bad_parameters(request, allowed)
        if refused:
            return rate_limited(request) or refused
        params = {flt.name: request.GET.get(flt.name) for flt in dataset.filters}
        return _page_response(
            request,
            dataset=dataset,
            scope=dataset.slug,
            rows=lambda: dataset.queryset(params),
            limit=limit,
            cursor=cursor,
            model=page,
            modified=dataset.modified,
        )

    if dataset.filters:

        def list_rows(
            request,
            filters: Query[filters],  # type: ignore[valid-type]
            limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=LIMIT_DESCRIPTION),
            cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
        ):
            return list_page(request, limit, cursor)

    else:

        def list_rows(
            request,
            limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=LIMIT_DESCRIPTION),
            cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
        ):
            return list_page(request, limit, cursor)

    def get_row(request, id: int = Path(..., ge=1, le=MAX_ID, description="The `id` of the row.")):
        refused = rate_limited(request) or _bad_parameters(request, ())
        if refused:
            return refused
        rows = dataset.page_rows(dataset.queryset().filter(pk=id))
        if not rows:
            return _error(request, 404, _("There is no public row with this id in this dataset."))
        row = rows[0]
        body = _json_body(item, row)
        return cached_json(request, body, last_modified=row.get("updated_at"), content_type=_content_type())

    def preflight_list(request):
        return preflight_response()

    def preflight_row(request, id: str):
        return preflight_response()

    title = str(dataset.title)
    filter_text = (
        " Filters: " + "; ".join(f"`{flt.name}` ({flt.description})" for flt in dataset.filters) + "."
        if dataset.filters
        else ""
    )
    list_rows.__name__ = f"{name}_list"
    get_row.__name__ = f"{name}_detail"
    router.add_api_operation(
        f"/{dataset.slug}",
        ["GET"],
        list_rows,
        response={200: page, 304: None, **LIST_RESPONSES},
        operation_id=f"{name}_list",
        summary=title,
        description=f"{dataset.description}{filter_text}{CONDITIONAL_TEXT}",
        tags=["read"],
        auth=None,
        url_name=f"{name}_list",
    )
    router.add_api_operation(f"/{dataset.slug}", ["HEAD"], list_rows, auth=None, include_in_schema=False)
    router.add_api_operation(
        f"/{dataset.slug}", ["OPTIONS"], preflight_list, auth=None, include_in_schema=False
    )
    router.add_api_operation(
        f"/{dataset.slug}/{{id}}",
        ["GET"],
        get_row,
        response={200: item, 304: None, **DETAIL_RESPONSES},
        operation_id=f"{name}_detail",
        summary=f"{title}: one row",
        description=f"One row of the dataset by its `id`; 404 if it is not public.{CONDITIONAL_TEXT}",
        tags=["read"],
        auth=None,
        url_name=f"{name}_detail",
    )
    router.add_api_operation(f"/{dataset.slug}/{{id}}", ["HEAD"], get_row, auth=None, include_in_schema=False)
    router.add_api_operation(
        f"/{dataset.slug}/{{id}}", ["OPTIONS"], preflight_row, auth=None, include_in_schema=False
    )


for _dataset in datasets.DATASETS:
    _register_dataset(_dataset)


# --- Domains -------------------------------------------------------------------------------------------------


class AmbitiOut(BaseModel):
    items: list[AmbitoOut]


def ambiti_list(request):
    refused = rate_limited(request) or _bad_parameters(request, ())
    if refused:
        return refused
    items = [{"slug": a.slug, "label": str(a.name), "description": str(a.covers)} for a in AMBITI]
    body = _json_body(AmbitiOut, {"items": items})
    return cached_json(request, body, last_modified=None, content_type=_content_type())


def _preflight(request, **kwargs):
    return preflight_response()


router.add_api_operation(
    "/ambiti",
    ["GET"],
    ambiti_list,
    response={200: AmbitiOut, 304: None, 400: ErrorOut, 429: ErrorOut},
    operation_id="ambiti_list",
    summary="Domains (ambiti)",
    description=(
        "The smart-city domains used to classify actions, records and ideas: slug and name in the language of "
        "the request (Accept-Language)." + CONDITIONAL_TEXT
    ),
    tags=["read"],
    auth=None,
    url_name="ambiti_list",
)
router.add_api_operation("/ambiti", ["HEAD"], ambiti_list, auth=None, include_in_schema=False)
router.add_api_operation("/ambiti", ["OPTIONS"], _preflight, auth=None, include_in_schema=False)


# --- Measurements of one indicator of the current plan -----------------------------------------------------

_MEASUREMENTS = datasets.dataset_get("measurements")
IndicatorMeasurementsPage = page_model("IndicatorMeasurements", item_model(_MEASUREMENTS))
INDICATOR_MEASUREMENTS_PATH = "/indicators/{code}/measurements"


def indicator_measurements(
    request,
    code: str = Path(..., max_length=30, description="The code of the indicator, such as `IND-1`."),
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=LIMIT_DESCRIPTION),
    cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
):
    refused = rate_limited(request) or _bad_parameters(request, PAGING_PARAMS)
    if refused:
        return refused
    from cittasmart.plan.models import Indicator
    from cittasmart.plan.selectors import current_version

    version = current_version()
    if "\x00" in code or version is None or not Indicator.objects.filter(version=version, code=code).exists():
        return _error(request, 404, _("The current plan has no indicator with this code."))
    queryset = _MEASUREMENTS.queryset().filter(indicator__version=version, indicator__code=code)
    return _page_response(
        request,
        dataset=_MEASUREMENTS,
        scope=f"indicator:{version.pk}:{code}",
        rows=lambda: queryset,
        limit=limit,
        cursor=cursor,
        model=IndicatorMeasurementsPage,
        modified=lambda: queryset.aggregate(last=Max("updated_at"))["last"],
        counted=True,
    )


def _preflight_code(request, code: str):
    return preflight_response()


router.add_api_operation(
    INDICATOR_MEASUREMENTS_PATH,
    ["GET"],
    indicator_measurements,
    response={200: IndicatorMeasurementsPage, 304: None, **DETAIL_RESPONSES},
    operation_id="indicator_measurements_list",
    summary="Measurements of an indicator of the current plan",
    description=(
        "The measurements of the indicator with this code in the current published version of the plan, by "
        "ascending id; 404 if there is no published version or no such indicator in it." + CONDITIONAL_TEXT
    ),
    tags=["read"],
    auth=None,
    url_name="indicator_measurements_list",
)
router.add_api_operation(
    INDICATOR_MEASUREMENTS_PATH, ["HEAD"], indicator_measurements, auth=None, include_in_schema=False
)
router.add_api_operation(
    INDICATOR_MEASUREMENTS_PATH, ["OPTIONS"], _preflight_code, auth=None, include_in_schema=False
)
