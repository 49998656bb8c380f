"""The plan in a real browser: the plan office's yearly update journey, and axe-core on every plan page type."""

import datetime

import pytest
from django.urls import reverse

from cittasmart.core.roles import Role
from cittasmart.plan.models import Action, PlanVersion
from tests.browser.test_accessibility import assert_accessible, visit
from tests.factories import (
    ActionFactory,
    GovernanceBodyFactory,
    IndicatorFactory,
    MeasurementFactory,
    PlanFactory,
    PlanVersionFactory,
    UserFactory,
    publish,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def plan_2017(transactional_db):
    version = PlanVersionFactory(
        plan=PlanFactory(title="Prato Smart City"), slug="2017", title="Linee guida 2017"
    )
    action = ActionFactory(
        version=version,
        code="PR-V4",
        title="Riqualificazione rete piste ciclabili",
        status="approved",
        budget=100000,
    )
    indicator = IndicatorFactory(version=version, code="MOB-1", name="Km di piste ciclabili", action=action)
    MeasurementFactory(
        indicator=indicator, period="2017", period_end=datetime.date(2017, 12, 31), value=50, is_baseline=True
    )
    MeasurementFactory(
        indicator=indicator, period="2021", period_end=datetime.date(2021, 12, 31), value=None, target=80
    )
    GovernanceBodyFactory(name="Cabina di regia")
    return publish(version)


def submit(page, form_selector: str = "main form") -> None:
    page.locator(f"{form_selector} button[type=submit]").first.click()
    page.wait_for_load_state("load")


def test_plan_office_publishes_a_yearly_update(context, page, log_in, plan_2017):
    log_in(context, UserFactory(roles=[Role.PLAN_OFFICE]))

    # Version N+1 from the current one.
    visit(page, reverse("plan:manage"))
    page.locator(f"a[href='{reverse('plan:version_create')}']").first.click()
    page.select_option("#id_kind", "update")
    page.fill("#id_title", "Nota di aggiornamento 2019")
    page.fill("#id_slug", "2019")
    submit(page)
    draft = PlanVersion.objects.get(slug="2019")
    assert draft.status == "draft" and draft.actions.filter(code="PR-V4").exists()

    # Change an action's status and budget, add a milestone.
    visit(page, reverse("plan:action_edit", kwargs={"version": "2019", "code": "PR-V4"}))
    page.select_option("#id_status", "in_progress")
    page.fill("#id_budget", "150000")
    submit(page, f"form[action='{reverse('plan:action_edit', kwargs={'version': '2019', 'code': 'PR-V4'})}']")
    visit(page, reverse("plan:action_edit", kwargs={"version": "2019", "code": "PR-V4"}))
    page.fill("#id_milestone-title", "Gara aggiudicata")
    submit(
        page, f"form[action='{reverse('plan:milestone_add', kwargs={'version': '2019', 'code': 'PR-V4'})}']"
    )

    # Add a measurement.
    visit(page, reverse("plan:measurement_add", kwargs={"version": "2019", "code": "MOB-1"}))
    page.fill("#id_period", "2019")
    page.fill("#id_period_end", "2019-12-31")
    page.fill("#id_value", "62")
    submit(page)

    # Publish, after reading what changed.
    visit(page, reverse("plan:version_publish", kwargs={"version": "2019"}))
    summary = page.locator("main").inner_text()
    assert "PR-V4" in summary and "Gara aggiudicata" in summary
    submit(page)
    assert PlanVersion.objects.get(slug="2019").status == "published"

    # Anyone now sees the new version, exactly those changes, and the new values.
    context.clear_cookies()
    visit(page, reverse("plan:timeline"))
    assert page.get_by_role("link", name="Nota di aggiornamento 2019").first.is_visible()
    visit(page, reverse("plan:diff") + "?from=2017&to=2019")
    changes = page.locator("main").inner_text()
    assert "PR-V4" in changes and "Gara aggiudicata" in changes and "150" in changes
    assert "MOB-1" in changes and "62" in changes
    visit(page, reverse("plan:dashboard"))
    assert page.locator("a[href*='status=in_progress']").count() > 0
    visit(page, reverse("plan:indicator", kwargs={"version": "2019", "code": "MOB-1"}))
    assert "62" in page.locator("main").inner_text()

    # The 2017 version is unchanged.
    old = Action.objects.get(version__slug="2017", code="PR-V4")
    assert old.status == "approved" and old.budget == 100000 and not old.milestones.exists()
    visit(page, reverse("plan:action", kwargs={"version": "2017", "code": "PR-V4"}))
    assert "Gara aggiudicata" not in page.locator("main").inner_text()


PUBLIC_PLAN_PAGES = {
    "plan-home": lambda: reverse("plan:home"),
    "version": lambda: reverse("plan:version", kwargs={"version": "2017"}),
    "action": lambda: reverse("plan:action", kwargs={"version": "2017", "code": "PR-V4"}),
    "indicator": lambda: reverse("plan:indicator", kwargs={"version": "2017", "code": "MOB-1"}),
    "governance": lambda: reverse("plan:governance"),
    "timeline": lambda: reverse("plan:timeline"),
    "dashboard": lambda: reverse("plan:dashboard"),
    "dashboard-drill-down": lambda: reverse("plan:dashboard") + "?status=approved&ambito=all",
}
STAFF_PLAN_PAGES = {
    "manage": lambda: reverse("plan:manage"),
    "new-version": lambda: reverse("plan:version_create"),
    "survey-gaps": lambda: reverse("plan:survey_gaps"),
    "manage-governance": lambda: reverse("plan:manage_governance"),
}
DRAFT_PAGES = {
    "action-form": lambda: reverse("plan:action_edit", kwargs={"version": "draft", "code": "PR-V4"}),
    "measurement-form": lambda: reverse("plan:measurement_add", kwargs={"version": "draft", "code": "MOB-1"}),
    "publish": lambda: reverse("plan:version_publish", kwargs={"version": "draft"}),
    "diff": lambda: reverse("plan:diff") + "?from=2017&to=draft",
}


@pytest.mark.parametrize("name", PUBLIC_PLAN_PAGES)
def test_public_plan_pages_have_no_violations(page, plan_2017, name):
    visit(page, PUBLIC_PLAN_PAGES[name]())
    assert_accessible(page)


@pytest.mark.parametrize("name", STAFF_PLAN_PAGES)
def test_staff_plan_pages_have_no_violations(context, page, log_in, plan_2017, name):
    log_in(context, UserFactory(roles=[Role.PLAN_OFFICE]))
    visit(page, STAFF_PLAN_PAGES[name]())
    assert_accessible(page)


@pytest.mark.parametrize("name", DRAFT_PAGES)
def test_draft_editing_pages_have_no_violations(context, page, log_in, plan_2017, name):
    from cittasmart.plan import services

    plan_office = UserFactory(roles=[Role.PLAN_OFFICE])
    draft = services.version_create(
        actor=plan_office, plan=plan_2017.plan, kind="update", title="Bozza", slug="draft"
    )
    services.action_save(actor=plan_office, version=draft, action=draft.actions.get(), status="in_progress")
    log_in(context, plan_office)
    visit(page, DRAFT_PAGES[name]())
    assert_accessible(page)
