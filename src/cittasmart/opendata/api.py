"""The public API (django-ninja) under ``/api/v1/``: reads of every public dataset (``api_read``) and the
measurement feed that organisations write with a token (``api_write``).

Every error is JSON with a translated ``message`` (and ``errors`` by field for invalid input); the OpenAPI 3
schema is at ``/api/v1/openapi.json`` and is documented for people on the open data page."""

import re

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


class ErrorOut(Schema):
    message: str
    errors: dict[str, list[str]] = {}


api = NinjaAPI(
    title="cittasmart open data API",
    version="1",
    description=(
        "Public data of the Smart City plan: organisations, survey records, plan versions, actions, indicators "
        "and measurements, participatory processes and ideas, meetings and documents. Reads need no key; "
        "organisations push indicator measurements with a token issued by the plan office."
    ),
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)


def error_response(
    request, status: int, message: str, errors: dict | None = None, headers: dict | None = None
):
    response = api.create_response(request, {"message": message, "errors": errors or {}}, status=status)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        # Every GET of the API is a public read: its errors are readable from any origin too (the write feed,
        # POST only, gets no CORS header).
        response["Access-Control-Allow-Origin"] = "*"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_name(loc) -> str:
    # ninja reports where a value came from first ("body", "query", "path"); the field is what follows.
    parts = (
        [str(part) for part in loc[1:] if part not in ("payload",)] if len(loc) > 1 else [str(p) for p in loc]
    )
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        errors.setdefault(_field_name(item.get("loc", ())), []).append(str(item.get("msg", "")))
    return error_response(request, 422, _("The request is not valid: see the errors by field."), errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(
        request, 401, _("A valid API token is required."), headers={"WWW-Authenticate": 'Bearer realm="api"'}
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, _("Not found."))


# ninja's own message for a request body it cannot parse (ninja.params.models).
_UNPARSABLE_BODY = "Cannot parse request body"


@api.exception_handler(HttpError)
def _http_error(request, exc):
    if exc.status_code == 400 and str(exc) == _UNPARSABLE_BODY:
        # A body that is not JSON is invalid input like any other: 422 (declared by every operation with a
        # body), with a translated message.
        message = _("The request body is not valid JSON.")
        return error_response(request, 422, message, {"body": [message]})
    return error_response(request, exc.status_code, str(exc))


def _share_paths(source, target) -> None:
    """Move ``source``'s operations on a path that ``target`` also declares into ``target``'s path view.

    ninja makes one URL pattern per router and path, and the first one to match answers 405 to a method it
    lacks: GET (read) and POST (write) of ``/indicators/{code}/measurements`` must share one view. The read
    operations declare their own auth (none) and tags, so they keep them in the write router."""

    def key(path: str) -> str:
        return re.sub(r"\{(?:\w+:)?(\w+)\}", r"{\1}", path).strip("/")

    targets = {key(path): view for path, view in target.path_operations.items()}
    for path, view in list(source.path_operations.items()):
        shared = targets.get(key(path))
        if shared is not None:
            shared.operations[:0] = view.operations
            del source.path_operations[path]


def _register_routers() -> None:
    from cittasmart.opendata import api_read, api_write

    _share_paths(api_read.router, api_write.router)
    api.add_router("", api_read.router)
    api.add_router("", api_write.router)


_register_routers()
