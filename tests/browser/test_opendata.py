"""Open data in a real browser: the plan office issues a token to the organisation that measures an indicator,
the organisation's system posts a value with it (plain HTTP, as a data platform would), a visitor sees the value
on the indicator's public page; after the plan office revokes the token, the system is refused. Then axe-core on
every open data page type."""

import json
import urllib.error
import urllib.request

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cittasmart.core.roles import Role
from cittasmart.opendata.models import ApiToken, ExportJob
from cittasmart.plan.models import Measurement
from tests.browser.conftest import submit
from tests.browser.test_accessibility import assert_accessible, visit
from tests.browser.test_meetings import forget_the_page_status
from tests.factories import IndicatorFactory, OrganisationFactory, PlanVersionFactory, UserFactory, publish
from tests.helpers import italian

pytestmark = pytest.mark.browser


@pytest.fixture
def indicator(transactional_db):
    source = OrganisationFactory(name="Estra S.p.A.")
    version = PlanVersionFactory(slug="linee-guida", title="Linee guida")
    indicator = IndicatorFactory(
        version=version, code="MOB-1", name="Piste ciclabili", source_organisation=source
    )
    publish(version)
    return indicator


def _post(live_server, code: str, secret: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - the test server on localhost
        f"{live_server.url}/api/v1/indicators/{code}/measurements",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_token_from_issue_to_a_public_value_and_revocation(open_as, indicator, live_server):
    office = open_as(UserFactory(roles=[Role.PLAN_OFFICE], display_name="Ufficio di Piano"))
    visit(office, reverse("opendata:tokens"))
    office.get_by_role("link", name=italian("Issue a token")).click()
    office.select_option("#id_organisation", label="Estra S.p.A.")
    office.fill("#id_name", "Situation Room")
    submit(office, office.locator("main form"))
    expect(office.locator("h1")).to_have_text(italian("Token issued"))
    secret = office.locator("#token-secret").input_value()
    assert secret and ApiToken.objects.get().token_hash != secret

    status, body = _post(
        live_server, "MOB-1", secret, {"period": "2021", "period_end": "2021-12-31", "value": 42.5}
    )
    assert status == 201, body
    assert body["period"] == "2021" and body["value"] == 42.5

    visitor = open_as()
    visit(visitor, indicator.get_absolute_url())
    expect(visitor.get_by_role("main")).to_contain_text("2021")
    expect(visitor.get_by_role("main")).to_contain_text("42,5")

    visit(office, reverse("opendata:tokens"))
    office.get_by_role("link", name=italian("Revoke")).first.click()
    submit(office, office.locator("main form"))
    assert ApiToken.objects.get().revoked_at is not None
    status, body = _post(
        live_server, "MOB-1", secret, {"period": "2022", "period_end": "2022-12-31", "value": 50}
    )
    assert status == 401 and body["message"]
    assert Measurement.objects.filter(indicator=indicator).count() == 1


def test_open_data_pages_are_accessible(open_as, indicator, live_server, settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    visitor = open_as()
    for url in (reverse("opendata:index"), reverse("opendata:api_docs")):
        visit(visitor, url)
        assert_accessible(visitor)

    job = ExportJob.objects.create(dataset="measurements", file_format="csv", fingerprint="x", total_rows=10)
    visit(visitor, reverse("opendata:export_job", kwargs={"pk": job.pk}))
    expect(visitor.locator("h1")).to_be_visible()
    assert_accessible(visitor)

    office = open_as(UserFactory(roles=[Role.PLAN_OFFICE]))
    visit(office, reverse("opendata:token_issue"))
    assert_accessible(office)
    submit(office, office.locator("main form"))  # empty: the form with its errors
    assert office.locator("[aria-invalid=true]").count() >= 1
    forget_the_page_status(office)
    assert_accessible(office)
    visit(office, reverse("opendata:tokens"))
    assert_accessible(office)
