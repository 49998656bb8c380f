"""The plan part of the Prato demo: versions and dates, published codes and titles, demo marks, idempotency."""

import datetime

import pytest
from django.core.management import call_command

from cittasmart.core.registry import demo_loaders
from cittasmart.plan import demo
from cittasmart.plan.models import (
    Action,
    ActionAmbito,
    Indicator,
    Measurement,
    Milestone,
    Objective,
    Plan,
    PlanVersion,
    VersionStatus,
)
from cittasmart.plan.selectors import current_version

PUBLISHED_ACTIONS = {
    "PR-V1": "Progettazione di piazze e spazi pubblici",
    "PR-V3": "Progettazione Macrolotto Zero",
    "PR-V4": "Riqualificazione rete piste ciclabili",
    "PR-V9": "Strumenti e metodi per la pianificazione e gestione integrata dei cantieri",
    "PR-TRA1": "Sperimentazione urbana pre-commerciale di reti wireless 5G a Prato",
    "PR-TRA2": "Piattaforme IT evolute e integrazione dei servizi",
    "PR-TRA8": "Smart Living Labs",
    "PR-TRA9": "Smart City Communication",
}
MODELS = [Plan, PlanVersion, Objective, Action, ActionAmbito, Milestone, Indicator, Measurement]


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["records"] = Action.survey_records.through.objects.count()
    counts["partners"] = Action.partners.through.objects.count()
    return counts


@pytest.fixture
def demo_plan(db):
    call_command("load_demo", quiet_accounts=True)
    return Plan.objects.get()


def test_versions_and_dates(demo_plan):
    assert demo_plan.title == "Prato Smart City"
    versions = list(demo_plan.versions.order_by("number"))
    assert [v.slug for v in versions] == ["2016", "2017", "2019", "2020", "2021"]
    assert [v.kind for v in versions] == ["preliminary", "guidelines", "update", "update", "update"]
    assert all(v.status == VersionStatus.PUBLISHED and v.is_demo for v in versions)
    assert [v.published_on.year for v in versions] == [2016, 2017, 2019, 2020, 2021]
    assert [v.based_on for v in versions] == [None, *versions[:-1]]
    guidelines = versions[1]
    assert guidelines.approval_body == "Consiglio comunale"
    assert guidelines.approval_date == datetime.date(2017, 7, 21)
    assert current_version() == versions[-1]


def test_published_codes_and_titles(demo_plan):
    current = current_version()
    assert dict(current.actions.values_list("code", "title")) == PUBLISHED_ACTIONS
    assert set(current.actions.filter(kind="vertical").values_list("code", flat=True)) == {
        "PR-V1",
        "PR-V3",
        "PR-V4",
        "PR-V9",
    }
    assert all(a.description.startswith("Esempio dimostrativo.") for a in current.actions.all())
    # The same action keeps its key across versions, and each version kept its own state.
    keys = set(Action.objects.filter(code="PR-V4").values_list("key", flat=True))
    assert len(keys) == 1
    statuses = dict(Action.objects.filter(code="PR-V4").values_list("version__slug", "status"))
    assert statuses == {
        "2016": "proposed",
        "2017": "approved",
        "2019": "in_progress",
        "2020": "in_progress",
        "2021": "in_progress",
    }
    assert not PlanVersion.objects.get(slug="2016").actions.filter(code="PR-TRA1").exists()
    # The body in charge comes from the governance demo, and the responsible organisation is the Comune.
    living_labs = current.actions.select_related("governance_body", "responsible").get(code="PR-TRA8")
    assert living_labs.governance_body.slug == "smart-living-lab"
    assert living_labs.responsible.is_host_entity


def test_indicators_are_demo_values_and_records_linked(demo_plan):
    current = current_version()
    assert current.indicators.count() == 4
    measurements = Measurement.objects.filter(indicator__version=current)
    assert measurements.exists()
    assert set(measurements.values_list("quality", flat=True)) == {"demo"}
    assert all("dimostrativo" in note for note in measurements.values_list("note", flat=True))
    bike = current.indicators.get(code="MOB-1")
    assert bike.action.code == "PR-V4"
    assert list(bike.measurements.values_list("period", flat=True)) == [
        "2016",
        "2018",
        "2019",
        "2020",
        "2021",
    ]
    assert bike.measurements.get(is_baseline=True).period == "2016"
    linked = current.actions.get(code="PR-V4").survey_records.all()
    assert linked.count() == 3
    assert all(r.is_validated and r.reference_ambito == "mobility" for r in linked)
    # Milestones evolve: done in a later version, not done in the earlier one.
    first = Milestone.objects.get(action__version__slug="2017", title="Primo lotto di piste realizzato")
    later = Milestone.objects.get(action__version__slug="2020", title="Primo lotto di piste realizzato")
    assert not first.done and later.done and first.key == later.key


def test_demo_is_idempotent(demo_plan):
    before = _counts()
    loader = next(loader for loader in demo_loaders() if loader is demo.load)
    assert loader() == 0
    assert _counts() == before


def test_demo_leaves_a_plan_with_a_draft_alone(db):
    plan = Plan.objects.create(title="Other")
    PlanVersion.objects.create(plan=plan, number=1, slug="draft", kind="guidelines", title="Draft")
    demo.load()
    assert list(plan.versions.values_list("slug", flat=True)) == ["draft"]
