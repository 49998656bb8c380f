import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from cittasmart.plan import services
from cittasmart.plan.diff import text_diff, version_diff
from cittasmart.plan.models import ActionAmbito, Milestone
from tests.factories import (
    ActionFactory,
    IndicatorFactory,
    MeasurementFactory,
    OrganisationFactory,
    PlanFactory,
    PlanVersionFactory,
    publish,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def published(db):
    version = PlanVersionFactory(plan=PlanFactory(), slug="2017")
    kept = ActionFactory(
        version=version,
        code="PR-V1",
        title="Squares and public spaces",
        description="Design the squares of the old town with the citizens.",
        budget=Decimal("1000"),
        status="approved",
        responsible=OrganisationFactory(name="Comune di Prato"),
    )
    ActionAmbito.objects.create(action=kept, ambito="living")
    Milestone.objects.create(action=kept, title="Call for ideas", done=False)
    Milestone.objects.create(action=kept, title="Old milestone", done=True)
    ActionFactory(version=version, code="PR-V2", title="Dropped later")
    ActionFactory(version=version, code="PR-TRA1", kind="transversal", title="Untouched")
    cycle = IndicatorFactory(version=version, code="KM-CYCLE", name="Cycle lanes", unit="km")
    MeasurementFactory(indicator=cycle, period="2017", is_baseline=True, value=40, target=None)
    MeasurementFactory(indicator=cycle, period="2020", value=None, target=60)
    IndicatorFactory(version=version, code="WIFI", name="Wi-Fi hotspots", unit="hotspots")
    IndicatorFactory(version=version, code="SAME", name="Unchanged")
    return publish(version)


@pytest.fixture
def changed(published, plan_office):
    """A new version made from ``published`` through the services, with known changes."""
    draft = services.version_create(
        actor=plan_office, plan=published.plan, kind="update", title="Update 2019", slug="2019"
    )
    action = draft.actions.get(code="PR-V1")
    services.action_save(
        actor=plan_office,
        version=draft,
        action=action,
        status="in_progress",
        budget=Decimal("2500.50"),
        planned_end=datetime.date(2021, 12, 31),
        description="Design the squares of the historic centre with the citizens.",
        ambiti=["living", "mobility"],
    )
    services.milestone_save(actor=plan_office, action=action, title="Works started", done=True)
    old_milestone = action.milestones.get(title="Call for ideas")
    services.milestone_save(actor=plan_office, action=action, milestone=old_milestone, done=True)
    services.milestone_delete(actor=plan_office, milestone=action.milestones.get(title="Old milestone"))
    services.action_delete(actor=plan_office, action=draft.actions.get(code="PR-V2"))
    services.action_save(actor=plan_office, version=draft, kind="vertical", title="Cycle lanes network")
    cycle = draft.indicators.get(code="KM-CYCLE")
    services.indicator_save(actor=plan_office, version=draft, indicator=cycle, unit="kilometres")
    services.measurement_save(
        actor=plan_office,
        indicator=cycle,
        measurement=cycle.measurements.get(period="2020"),
        target=Decimal("75"),
    )
    services.measurement_save(
        actor=plan_office, indicator=cycle, period="2019", period_end=datetime.date(2019, 12, 31), value=48
    )
    services.measurement_save(
        actor=plan_office, indicator=cycle, period="2025", period_end=datetime.date(2025, 12, 31), target=100
    )
    draft.indicators.get(code="WIFI").delete()
    services.indicator_save(
        actor=plan_office,
        version=draft,
        code="FTTH",
        name="Homes with 100 Mbit/s",
        unit="%",
        logic_type="outcome",
    )
    return draft


def test_a_copy_without_changes_has_no_differences(published, plan_office):
    draft = services.version_create(
        actor=plan_office, plan=published.plan, kind="update", title="Same", slug="same"
    )
    diff = version_diff(published, draft)
    assert diff.is_empty
    assert diff.actions_changed == [] and diff.indicators_changed == []


def test_actions_added_removed_and_changed_are_found_by_key(published, changed):
    diff = version_diff(published, changed)
    # The new action reuses the freed code PR-V2, but it is another action (another key).
    assert [(a.code, a.title) for a in diff.actions_added] == [("PR-V2", "Cycle lanes network")]
    assert [(a.code, a.title) for a in diff.actions_removed] == [("PR-V2", "Dropped later")]
    # Untouched actions are not listed; the changed one is compared with its copy.
    assert [c.new.code for c in diff.actions_changed] == ["PR-V1"]
    change = diff.action_change("PR-V1")
    assert change.old.version == published and change.new.version == changed


def test_changed_action_lists_each_field_with_old_and_new_value(published, changed):
    change = version_diff(published, changed).action_change("PR-V1")
    fields = {f.name: f for f in change.fields}
    assert set(fields) == {"status", "budget", "planned_end", "ambiti", "progress"}
    assert (fields["status"].label, fields["status"].old, fields["status"].new) == (
        "Status",
        "Approved",
        "In progress",
    )
    assert (fields["budget"].old, fields["budget"].new) == ("1,000.00", "2,500.50")
    assert fields["planned_end"].old == "" and "2021" in fields["planned_end"].new
    assert (fields["ambiti"].old, fields["ambiti"].new) == ("Smart Living", "Smart Living, Smart Mobility")
    # Two milestones, one done → then two milestones (one kept, one new), both done.
    assert (fields["progress"].old, fields["progress"].new) == ("50%", "100%")


def test_changed_action_milestones(published, changed):
    change = version_diff(published, changed).action_change("PR-V1")
    assert [m.title for m in change.milestones_added] == ["Works started"]
    assert [m.title for m in change.milestones_removed] == ["Old milestone"]
    assert [(m.title, m.old_done, m.new_done) for m in change.milestones_done] == [
        ("Call for ideas", False, True)
    ]


def test_description_difference_is_word_by_word(published, changed):
    change = version_diff(published, changed).action_change("PR-V1")
    assert change.description_changed
    ops = [(s.op, s.text) for s in change.description]
    assert ("delete", "old town") in ops
    assert ("insert", "historic centre") in ops
    assert "".join(s.text for s in change.description if s.op != "insert") == (
        "Design the squares of the old town with the citizens."
    )
    assert "".join(s.text for s in change.description if s.op != "delete") == (
        "Design the squares of the historic centre with the citizens."
    )


def test_text_diff_of_identical_and_empty_texts():
    assert text_diff("same words", "same words") == [text_diff("same words", "same words")[0]]
    assert [s.op for s in text_diff("", "new text")] == ["insert"]
    assert [s.op for s in text_diff("old text", "")] == ["delete"]


def test_indicators_added_removed_and_changed(published, changed):
    diff = version_diff(published, changed)
    assert [i.code for i in diff.indicators_added] == ["FTTH"]
    assert [i.code for i in diff.indicators_removed] == ["WIFI"]
    assert [c.new.code for c in diff.indicators_changed] == ["KM-CYCLE"]
    change = diff.indicator_change("KM-CYCLE")
    assert [(f.name, f.old, f.new) for f in change.fields] == [("unit", "km", "kilometres")]


def test_indicator_target_changes_and_new_measurements(published, changed):
    change = version_diff(published, changed).indicator_change("KM-CYCLE")
    assert [(t.period, t.old, t.new) for t in change.target_changes] == [("2020", "60", "75")]
    assert sorted(m.period for m in change.measurements_added) == ["2019", "2025"]
    assert [m.period for m in change.new_targets] == ["2025"]
    assert change.measurements_removed == []


def test_the_diff_costs_a_constant_number_of_queries(published, changed, django_assert_max_num_queries):
    for n in range(20):
        action = ActionFactory(version=changed, code=f"PR-V{100 + n}")
        Milestone.objects.create(action=action, title="m")
        ind = IndicatorFactory(version=changed, code=f"X{n}")
        MeasurementFactory(indicator=ind, period="2020")
    with django_assert_max_num_queries(12):
        diff = version_diff(published, changed)
    assert len(diff.actions_added) == 21


def test_the_partial_renders_the_changes(published, changed):
    from django.template.loader import render_to_string

    html = render_to_string("plan/_diff_body.html", {"diff": version_diff(published, changed)})
    assert "<h2" in html and "<h1" not in html
    assert '<del><span class="visually-hidden">removed: </span>old town</del>' in html
    assert '<ins><span class="visually-hidden">added: </span>historic centre</ins>' in html
    assert "2,500.50" in html and "Cycle lanes network" in html and "FTTH" in html
