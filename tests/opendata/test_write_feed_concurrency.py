"""The measurement feed under real concurrency (PostgreSQL, real threads): simultaneous posts of the same
measurement write it once. On SQLite (one writer at a time) this is skipped."""

import datetime
import json

import pytest
from django.db import connection
from django.test import Client

from cittasmart.core.models import AuditEntry
from cittasmart.opendata import tokens
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
from tests.helpers import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

URL = "/api/v1/indicators/IND-1/measurements"
BODY = {"period": "2021-Q3", "period_end": "2021-09-30", "value": 37.5, "quality": "estimate"}


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")


@pytest.fixture
def secret(plan_office):
    source = OrganisationFactory(name="ARPAT Toscana")
    version = PlanVersionFactory(plan=PlanFactory(), slug="2017")
    indicator = IndicatorFactory(version=version, code="IND-1", source_organisation=source)
    MeasurementFactory(indicator=indicator, period="2017", period_end=datetime.date(2017, 12, 31), value=5)
    publish(version)
    plan_services.version_create(actor=plan_office, plan=version.plan, kind="update", title="2022")
    return tokens.token_issue(actor=plan_office, organisation=source, name="Centraline")[1]


def poster(secret, key=None):
    def post():
        headers = {"Authorization": f"Bearer {secret}"}
        if key:
            headers["Idempotency-Key"] = key
        response = Client().post(URL, data=json.dumps(BODY), content_type="application/json", headers=headers)
        return response.status_code, response.content

    return post


def test_eight_posts_with_the_same_key_write_once_and_answer_alike(secret):
    answers = run_together([poster(secret, key="feed-2021-Q3")] * 8)

    assert {status for status, _content in answers} == {201}
    assert len({content for _status, content in answers}) == 1
    # One row in the published version, one in the draft.
    assert Measurement.objects.filter(period="2021-Q3").count() == 2
    assert Measurement.objects.filter(period="2021-Q3", indicator__version__status="published").count() == 1
    assert IdempotencyRecord.objects.count() == 1
    assert AuditEntry.objects.filter(code="plan.measurement.received").count() == 1


def test_eight_posts_of_the_same_period_give_one_201_and_seven_409(secret):
    answers = run_together([poster(secret)] * 8)

    statuses = sorted(status for status, _content in answers)
    assert statuses == [201] + [409] * 7
    assert Measurement.objects.filter(period="2021-Q3", indicator__version__status="published").count() == 1
    assert Measurement.objects.filter(period="2021-Q3", indicator__version__status="draft").count() == 1
