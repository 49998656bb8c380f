"""The measurement feed: ``POST /api/v1/indicators/{code}/measurements`` with an organisation's token."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cittasmart.core.models import AuditEntry
from cittasmart.opendata import tokens
from cittasmart.opendata.api import api
from cittasmart.opendata.datasets import dataset_get
from cittasmart.opendata.models import IdempotencyRecord
from cittasmart.plan import services as plan_services
from cittasmart.plan.models import Measurement
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    OrganisationFactory,
    PlanFactory,
    PlanVersionFactory,
    publish,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/indicators/{code}/measurements"
BODY = {
    "period": "2021-Q3",
    "period_end": "2021-09-30",
    "value": 37.5,
    "quality": "administrative",
    "source": "Centraline ARPAT",
    "note": "Rilevazione inviata dal sistema",
}


@pytest.fixture
def source():
    return OrganisationFactory(name="ARPAT Toscana")


@pytest.fixture
def version(source):
    version = PlanVersionFactory(plan=PlanFactory(), slug="2017")
    indicator = IndicatorFactory(version=version, code="IND-1", source_organisation=source)
    MeasurementFactory(
        indicator=indicator, period="2017", period_end=datetime.date(2017, 12, 31), value=5, is_baseline=True
    )
    MeasurementFactory(
        indicator=indicator, period="2025", period_end=datetime.date(2025, 12, 31), value=None, target=50
    )
    IndicatorFactory(version=version, code="IND-2", source_organisation=OrganisationFactory())
    return publish(version)


@pytest.fixture
def secret(source, plan_office):
    return tokens.token_issue(actor=plan_office, organisation=source, name="Centraline")[1]


def post(client, secret, body=None, code="IND-1", key=None, raw=None):
    headers = {}
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    if key is not None:
        headers["Idempotency-Key"] = key
    data = raw if raw is not None else json.dumps(BODY if body is None else body)
    return client.post(URL.format(code=code), data=data, content_type="application/json", headers=headers)


def rows(period="2021-Q3"):
    return Measurement.objects.filter(period=period)


# --- Writing -------------------------------------------------------------------------------------------------


def test_a_valid_measurement_is_created_and_shown_at_once(client, version, secret):
    indicator = version.indicators.get(code="IND-1")
    before = list(
        indicator.measurements.order_by("pk").values_list("pk", "period", "value", "target", "updated_at")
    )

    response = post(client, secret)

    assert response.status_code == 201, response.content
    body = response.json()
    created = indicator.measurements.get(period="2021-Q3")
    assert created.value == Decimal("37.5") and created.quality == "administrative"
    assert created.source == "Centraline ARPAT" and not created.is_baseline and created.target is None
    # The reply has the columns of the dataset, in their order, as the read API gives them.
    dataset = dataset_get("measurements")
    assert list(body) == [column.name for column in dataset.columns]
    assert body["id"] == created.pk and body["version"] == "2017" and body["indicator"] == "IND-1"
    assert body["value"] == 37.5 and body["period_end"] == "2021-09-30" and body["target"] is None
    published_rows = [row for row in dataset.iter_rows() if row["id"] == created.pk]
    assert len(published_rows) == 1 and published_rows[0]["value"] == Decimal("37.5")
    # The existing rows of the published version did not change.
    assert (
        list(
            indicator.measurements.exclude(pk=created.pk)
            .order_by("pk")
            .values_list("pk", "period", "value", "target", "updated_at")
        )
        == before
    )
    # The read API, on the same address, gives the same row.
    listed = client.get(URL.format(code="IND-1"))
    assert listed.status_code == 200
    assert [item for item in listed.json()["items"] if item["id"] == created.pk] == [body]
    # The public page of the indicator shows it.
    page = client.get(reverse("plan:indicator", kwargs={"version": "2017", "code": "IND-1"}))
    assert page.status_code == 200
    assert "2021-Q3" in page.content.decode() and "Rilevazione inviata dal sistema" in page.content.decode()
    entry = AuditEntry.objects.get(code="plan.measurement.received")
    assert entry.actor is None and entry.data["token"] and entry.data["period"] == "2021-Q3"


def test_the_draft_gets_the_measurement_too(client, version, secret, plan_office):
    draft = plan_services.version_create(actor=plan_office, plan=version.plan, kind="update", title="2022")

    assert post(client, secret).status_code == 201

    published_row = Measurement.objects.get(indicator__version=version, period="2021-Q3")
    draft_row = Measurement.objects.get(indicator__version=draft, period="2021-Q3")
    assert draft_row.key == published_row.key and draft_row.value == Decimal("37.5")


def test_the_minimal_body_is_enough(client, version, secret):
    response = post(client, secret, {"period": "2022", "period_end": "2022-12-31", "value": 3})
    assert response.status_code == 201, response.content
    assert response.json()["quality"] is None and rows("2022").get().value == 3


def test_the_token_use_is_recorded(client, version, secret):
    assert post(client, secret).status_code == 201
    token = tokens.token_list().get()
    assert token.last_used_at is not None


# --- Who may write --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer cs_unknown", "Bearer ", "Basic abc", "cs_no_scheme"])
def test_without_a_valid_token_401(client, version, secret, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.post(
        URL.format(code="IND-1"), data=json.dumps(BODY), content_type="application/json", headers=headers
    )
    assert response.status_code == 401
    assert response.json()["message"] and "Bearer" in response["WWW-Authenticate"]
    assert not rows().exists()


def test_a_revoked_token_gets_401(client, version, secret, plan_office):
    tokens.token_revoke(actor=plan_office, token=tokens.token_list().get())
    response = post(client, secret)
    assert response.status_code == 401
    assert not rows().exists()


def test_another_organisations_indicator_is_forbidden(client, version, secret):
    response = post(client, secret, code="IND-2")
    assert response.status_code == 403
    assert response.json()["message"] == gettext(
        "Your organisation is not the source of this indicator: only its source may send measurements."
    )
    assert not rows().exists()
    # Nor may the token of the other organisation write the first indicator.
    other = version.indicators.get(code="IND-2").source_organisation
    other_secret = tokens.token_issue(actor=None, organisation=other, name="Altro")[1]
    assert post(client, other_secret).status_code == 403
    assert not rows().exists()


def test_an_unknown_indicator_is_404(client, version, secret):
    response = post(client, secret, code="NOPE")
    assert response.status_code == 404 and response.json()["message"]


def test_an_indicator_of_an_older_version_is_not_written(client, version, secret, plan_office, source):
    newer = plan_services.version_create(actor=plan_office, plan=version.plan, kind="update", title="2019")
    newer.indicators.get(code="IND-1").delete()
    publish(newer)
    assert post(client, secret).status_code == 404
    assert not rows().exists()


# --- Conflicts and idempotency -------------------------------------------------------------------------------


def test_a_measured_period_is_a_conflict(client, version, secret):
    assert post(client, secret).status_code == 201
    response = post(client, secret, {**BODY, "value": 40})
    assert response.status_code == 409
    assert response.json()["message"] == gettext(
        "This indicator already has a measurement for this period. To correct it, contact the plan office."
    )
    assert rows().get().value == Decimal("37.5")
    # The baseline's period too: the feed never changes an existing row.
    assert post(client, secret, {**BODY, "period": "2017", "period_end": "2017-12-31"}).status_code == 409


def test_a_retry_with_the_same_key_gets_the_same_reply(client, version, secret):
    first = post(client, secret, key="feed-2021-Q3")
    again = post(client, secret, key="feed-2021-Q3")
    # The same request written differently (key order, spaces) is the same request.
    reordered = post(
        client, secret, key="feed-2021-Q3", raw=json.dumps(dict(reversed(list(BODY.items()))), indent=2)
    )

    assert first.status_code == again.status_code == reordered.status_code == 201
    assert first.content == again.content == reordered.content
    assert rows().count() == 1
    assert AuditEntry.objects.filter(code="plan.measurement.received").count() == 1
    assert IdempotencyRecord.objects.get().status_code == 201


def test_the_same_key_with_another_request_is_a_conflict(client, version, secret):
    assert post(client, secret, key="k1").status_code == 201
    response = post(client, secret, {**BODY, "value": 99}, key="k1")
    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["message"]
    other_code = post(client, secret, code="IND-2", key="k1")
    assert other_code.status_code == 409
    assert rows().get().value == Decimal("37.5")


def test_a_refusal_is_replayed_too(client, version, secret):
    assert post(client, secret).status_code == 201
    first = post(client, secret, {**BODY, "value": 1}, key="late")
    assert first.status_code == 409
    Measurement.objects.filter(period="2021-Q3").delete()  # even if the reason went away meanwhile
    again = post(client, secret, {**BODY, "value": 1}, key="late")
    assert again.status_code == 409 and again.content == first.content
    assert not rows().exists()


def test_keys_belong_to_a_token(client, version, secret, source):
    other = tokens.token_issue(actor=None, organisation=source, name="Secondo")[1]
    assert post(client, secret, key="same").status_code == 201
    response = post(client, other, {**BODY, "period": "2021-Q4", "period_end": "2021-12-31"}, key="same")
    assert response.status_code == 201
    assert IdempotencyRecord.objects.count() == 2


def test_an_overlong_key_is_refused(client, version, secret):
    response = post(client, secret, key="k" * 256)
    assert response.status_code == 422
    assert not rows().exists()


# --- Invalid input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": "abc"}, "value"),
        ({"value": "12"}, "value"),
        ({"value": True}, "value"),
        ({"value": None}, "value"),
        ({"value": 1.23456}, "value"),
        ({"value": 1e20}, "value"),
        ({"period": None}, "period"),
        ({"period": ""}, "period"),
        ({"period": "2021-Q5"}, "period"),
        ({"period": "21"}, "period"),
        ({"period_end": "2021-02-30"}, "period_end"),
        ({"period_end": "yesterday"}, "period_end"),
        ({"note": "x" * 501}, "note"),
        ({"source": "x" * 251}, "source"),
        ({"note": "a\x00b"}, "note"),
        ({"quality": "demo"}, "quality"),
        ({"quality": "nonsense"}, "quality"),
    ],
)
def test_invalid_values_get_422_with_field_errors(client, version, secret, change, field):
    body = {**BODY, **change}
    body = {name: value for name, value in body.items() if value is not None}
    response = post(client, secret, body, key="invalid")
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["message"] and field in data["errors"], data
    assert (
        not Measurement.objects.filter(period__in=["2021-Q3", body.get("period")])
        .exclude(period="2017")
        .exists()
    )


def test_odd_codes_are_refused_cleanly(client, version, secret):
    assert post(client, secret, code="IND%001").status_code == 404
    assert post(client, secret, code="I" * 31).status_code == 422
    assert not rows().exists()


def test_a_body_that_is_not_json_gets_422(client, version, secret):
    response = post(client, secret, raw="period=2021")
    assert response.status_code in (400, 422)
    assert not rows().exists()


def test_the_errors_are_translated(client, version, secret):
    response = post(client, secret, code="IND-2")
    assert response.status_code == 403
    with translation.override("it"):
        expected = gettext(
            "Your organisation is not the source of this indicator: only its source may send measurements."
        )
    assert response.json()["message"] == expected


# --- Rate limit -------------------------------------------------------------------------------------------------


def test_too_many_writes_get_429_with_retry_after(client, version, secret, settings):
    settings.API_WRITE_RATE_LIMIT_PER_MINUTE = 2
    assert post(client, secret, {**BODY, "period": "2021-01", "period_end": "2021-01-31"}).status_code == 201
    assert post(client, secret, {**BODY, "period": "2021-02", "period_end": "2021-02-28"}).status_code == 201
    response = post(client, secret, {**BODY, "period": "2021-03", "period_end": "2021-03-31"}, key="k")
    assert response.status_code == 429
    assert response["Retry-After"] == "60" and response.json()["message"]
    assert not Measurement.objects.filter(period="2021-03").exists()
    assert not IdempotencyRecord.objects.exists()  # a 429 is not kept: the retry will be served


def test_the_limit_is_per_token(client, version, secret, settings, source):
    settings.API_WRITE_RATE_LIMIT_PER_MINUTE = 1
    assert post(client, secret).status_code == 201
    assert post(client, secret, {**BODY, "period": "2022"}).status_code == 429
    other = tokens.token_issue(actor=None, organisation=source, name="Secondo")[1]
    assert post(client, other, {**BODY, "period": "2022", "period_end": "2022-12-31"}).status_code == 201


# --- Documentation --------------------------------------------------------------------------------------------


def test_the_operation_is_documented():
    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/indicators/{code}/measurements"]["post"]
    assert {str(status) for status in operation["responses"]} >= {
        "201",
        "401",
        "403",
        "404",
        "409",
        "422",
        "429",
    }
    assert any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in operation["parameters"])
    assert operation["security"]
    body = schema["components"]["schemas"]["MeasurementIn"]
    assert set(body["required"]) == {"period", "period_end", "value"}
    assert "target" not in body["properties"] and "is_baseline" not in body["properties"]
