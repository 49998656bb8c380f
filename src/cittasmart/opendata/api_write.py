"""The measurement feed: an organisation's system sends the measurements of the indicators it is the source of.

``POST /api/v1/indicators/{code}/measurements`` with ``Authorization: Bearer <token>`` (a token the plan office
issued). The measurement is appended to the indicator of the current published version and mirrored into the
draft (ADR 0012); the reply has the columns of the ``measurements`` dataset, as the read API gives them.

An ``Idempotency-Key`` header makes a retry safe: the same key with the same request gets the same reply again and
writes nothing more."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Router, Schema
from ninja.security import HttpBearer

from cittasmart.core.ratelimit import hit
from cittasmart.opendata import tokens
from cittasmart.opendata.api import ErrorOut, api, error_response
from cittasmart.opendata.api_read import item_model
from cittasmart.opendata.datasets import dataset_get
from cittasmart.plan import services as plan_services
from cittasmart.plan.models import DataQuality, Indicator, Measurement

router = Router(tags=["write"])

MEASUREMENTS = dataset_get("measurements")
PERIOD_PATTERN = r"^[0-9]{4}(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$"
# Text the databases can store (PostgreSQL refuses the NUL character).
NO_NUL = r"^[^\x00]*$"
FEED_QUALITIES = tuple(value for value in DataQuality.values if value != DataQuality.DEMO)
# The order of the keys in a reply, also when it is given again from the database (which may reorder them).
KEY_ORDER = {name: i for i, name in enumerate([c.name for c in MEASUREMENTS.columns] + ["message", "errors"])}


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cs_…``: an active token of the organisation; anything else is a 401."""

    openapi_description = (
        "A token issued by the plan office to the organisation that is the indicator's source."
    )

    def authenticate(self, request, token):
        return tokens.token_authenticate(token)


def _field_max_length(name: str) -> int:
    return Measurement._meta.get_field(name).max_length


class MeasurementIn(Schema):
    period: str = Field(
        min_length=1,
        max_length=_field_max_length("period"),
        pattern=PERIOD_PATTERN,
        description="The period measured: a year (2021), a half (2021-H1), a quarter (2021-Q3) or a month "
        "(2021-05).",
    )
    period_end: datetime.date = Field(description="The last day of the period (ISO 8601), used to order.")
    value: Annotated[float, Field(strict=True, allow_inf_nan=False)] = Field(
        description="The measured value, in the indicator's unit (at most 4 decimals)."
    )
    quality: Literal[FEED_QUALITIES] | None = Field(  # type: ignore[valid-type]
        None, description="Official statistic, administrative data or estimate."
    )
    source: str = Field(
        "", max_length=_field_max_length("source"), pattern=NO_NUL, description="Where the value comes from."
    )
    note: str = Field("", max_length=_field_max_length("note"), pattern=NO_NUL)


# The reply is a row of the ``measurements`` dataset with the schema (and the JSON) of the read API.
MeasurementOut = item_model(MEASUREMENTS)


def _row_json(measurement: Measurement) -> dict:
    return MeasurementOut.model_validate(MEASUREMENTS.row(measurement)).model_dump(mode="json")


def _ordered(body: dict) -> dict:
    return dict(sorted(body.items(), key=lambda item: KEY_ORDER.get(item[0], len(KEY_ORDER))))


def _error(status: int, message: str, errors: dict | None = None) -> tuple[int, dict]:
    return status, {"message": message, "errors": errors or {}}


def _append(token, code: str, payload: MeasurementIn) -> tuple[int, dict]:
    """Write the measurement; the reply as (status, JSON body). Every refusal is a reply, never an exception."""
    try:
        measurement = plan_services.measurement_append(
            actor=None,
            organisation=token.organisation,
            indicator_code=code,
            period=payload.period,
            period_end=payload.period_end,
            value=Decimal(repr(payload.value)),
            quality=payload.quality or "",
            source_text=payload.source,
            note=payload.note,
            audit_data={"token": token.pk},
        )
    except Indicator.DoesNotExist:
        return _error(404, _("There is no indicator with this code in the current version of the plan."))
    except PermissionDenied as exc:
        return _error(403, str(exc) or _("This token may not write this indicator."))
    except plan_services.MeasurementConflict as exc:
        return _error(409, exc.message)
    except ValidationError as exc:
        errors = (
            {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"__all__": [str(m) for m in exc.messages]}
        )
        return _error(422, _("The request is not valid: see the errors by field."), errors)
    return 201, _row_json(measurement)


@router.post(
    "/indicators/{code}/measurements",
    auth=TokenAuth(),
    response={
        201: MeasurementOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Send a measurement of an indicator",
    description=(
        "Appends a measurement to the indicator with this code in the current version of the plan (and to the "
        "draft of the next version, if there is one). Only the organisation that is the indicator's source may "
        "send it. A period that already has a measurement is a conflict (409): corrections go through the plan "
        "office. With an Idempotency-Key, a retry of the same request gets the same reply and writes nothing."
    ),
    operation_id="measurement_create",
)
def measurement_create(
    request,
    code: Annotated[str, Path(max_length=30, description="The code of the indicator, such as `IND-1`.")],
    payload: MeasurementIn,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            pattern=NO_NUL,
            description="Any unique text (e.g. a UUID) chosen by the client for this request, to retry safely.",
        ),
    ] = None,
):
    token = request.auth
    limit = settings.API_WRITE_RATE_LIMIT_PER_MINUTE
    if not hit(f"api.write.token{token.pk}", request, limit):
        return error_response(
            request,
            429,
            _("Too many requests in a short time. Please wait a minute and try again."),
            headers={"Retry-After": "60"},
        )
    if "\x00" in code:
        status, body = _error(
            404, _("There is no indicator with this code in the current version of the plan.")
        )
    elif idempotency_key is None:
        status, body = _append(token, code, payload)
    else:
        fingerprint = tokens.request_fingerprint(
            operation=f"measurement_create:{code}", body=payload.model_dump(mode="json")
        )
        try:
            status, body, _replayed = tokens.idempotent_reply(
                token=token,
                key=idempotency_key,
                fingerprint=fingerprint,
                produce=lambda: _append(token, code, payload),
            )
        except tokens.IdempotencyKeyReused:
            return error_response(request, 409, _("This Idempotency-Key was used for a different request."))
    return api.create_response(request, _ordered(body), status=status)
