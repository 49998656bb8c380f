"""The API documentation page for people: server-rendered from the OpenAPI schema (no Swagger UI, no CDN)."""

import functools
import json

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cittasmart.opendata.api import api
from cittasmart.opendata.datasets import DATASETS

METHODS = ("get", "post", "put", "patch", "delete")
# Summaries of the operations that do not come from a dataset, translated for the page (the OpenAPI document
# keeps the English text).
SUMMARIES = {
    "ambiti_list": _("Domains (ambiti)"),
    "indicator_measurements_list": _("Measurements of an indicator of the current plan"),
    "measurement_create": _("Send a measurement of an indicator"),
}
LOCATIONS = {"query": _("query"), "path": _("path"), "header": _("header")}
EXAMPLE_PATH_VALUES = {"id": "1", "code": "IND-1"}
EXAMPLE_MEASUREMENT = {"period": "2024", "period_end": "2024-12-31", "value": 12.5}


@functools.cache
def _schema() -> dict:
    """The OpenAPI document (built once: it changes only with the code)."""
    return api.get_openapi_schema()


def _type_of(schema: dict) -> str:
    options = schema.get("anyOf") or [schema]
    names = []
    for option in options:
        kind = option.get("type")
        if kind in (None, "null"):
            continue
        names.append(f"{kind} ({option['format']})" if option.get("format") else kind)
    return " | ".join(names) or "string"


def _curl(method: str, path: str, base: str) -> str:
    for name, value in EXAMPLE_PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    url = f"{base}{path}"
    if method == "get":
        return f'curl -H "Accept: application/json" "{url}"'
    return (
        f'curl -X {method.upper()} -H "Authorization: Bearer $TOKEN" -H "Idempotency-Key: $(uuidgen)" '
        f'-H "Content-Type: application/json" -d \'{json.dumps(EXAMPLE_MEASUREMENT)}\' "{url}"'
    )


def _operations(schema: dict, base: str) -> list[dict]:
    datasets_by_operation = {}
    for dataset in DATASETS:
        name = dataset.slug.replace("-", "_")
        datasets_by_operation[f"{name}_list"] = (dataset, False)
        datasets_by_operation[f"{name}_detail"] = (dataset, True)
    operations = []
    for path, item in schema["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            operation_id = operation.get("operationId", "")
            dataset, detail = datasets_by_operation.get(operation_id, (None, False))
            if dataset is not None:
                summary = dataset.title
                description = _("One row by its id.") if detail else dataset.description
            else:
                summary = SUMMARIES.get(operation_id, operation.get("summary", ""))
                description = ""
            operations.append(
                {
                    "id": operation_id,
                    "method": method.upper(),
                    "path": path,
                    "summary": summary,
                    "description": description,
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "location": LOCATIONS.get(parameter["in"], parameter["in"]),
                            "type": _type_of(parameter.get("schema", {})),
                            "required": parameter.get("required", False),
                            "description": parameter.get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "has_body": "requestBody" in operation,
                    "needs_token": bool(operation.get("security")),
                    "statuses": sorted(operation.get("responses", {})),
                    "curl": _curl(method, path, base),
                }
            )
    return operations


@require_GET
def api_docs(request):
    schema = _schema()
    api_root = reverse("api:api-root")
    base = settings.SITE_URL
    return render(
        request,
        "opendata/api_docs.html",
        {
            "base_url": f"{base}{api_root}",
            "openapi_url": reverse("api:openapi-json"),
            "operations": _operations(schema, base),
            "page_size": settings.API_PAGE_SIZE,
            "max_page_size": settings.API_MAX_PAGE_SIZE,
            "rate_limit": settings.API_RATE_LIMIT_PER_MINUTE,
            "write_rate_limit": settings.API_WRITE_RATE_LIMIT_PER_MINUTE,
            "example_list": f"{base}{api_root}actions?limit=2",
        },
    )
