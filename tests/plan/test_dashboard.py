import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cittasmart.plan.dashboard import Track, dashboard_build
from cittasmart.plan.models import ActionAmbito, Milestone
from tests.factories import (
    ActionFactory,
    IndicatorFactory,
    MeasurementFactory,
    PlanFactory,
    PlanVersionFactory,
    publish,
)
from tests.helpers import reverse_en

URL = "plan:dashboard"


def rows(client, params) -> str:
    """The drill-down part of the dashboard (the figures above it link elsewhere, e.g. "last update")."""
    response = client.get(reverse(URL), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="rows"' in html
    return html.split('id="rows"', 1)[1].split("</section>", 1)[0]


def _action(version, code, status, ambiti=(), budget=None, milestones=(), **fields):
    action = ActionFactory(version=version, code=code, status=status, budget=budget, **fields)
    for ambito in ambiti:
        ActionAmbito.objects.create(action=action, ambito=ambito)
    for i, done in enumerate(milestones):
        Milestone.objects.create(action=action, title=f"Step {i}", done=done)
    return action


def _indicator(version, code, direction, baseline, latest, target):
    indicator = IndicatorFactory(version=version, code=code, direction=direction)
    if baseline is not None:
        MeasurementFactory(
            indicator=indicator,
            period="2016",
            period_end=datetime.date(2016, 12, 31),
            value=baseline,
            is_baseline=True,
        )
    if latest is not None:
        MeasurementFactory(
            indicator=indicator, period="2021", period_end=datetime.date(2021, 12, 31), value=latest
        )
    if target is not None:
        MeasurementFactory(
            indicator=indicator,
            period="2026",
            period_end=datetime.date(2026, 12, 31),
            value=None,
            target=target,
        )
    return indicator


@pytest.fixture
def version(db):
    """A hand-built published version (the current one), with an older version that must not be counted."""
    plan = PlanFactory()
    old = PlanVersionFactory(plan=plan, number=1, slug="2016")
    _action(old, "PR-V99", "dropped", ambiti=["ict"], budget=999)
    publish(old)
    v = PlanVersionFactory(plan=plan, number=2, slug="2017")
    _action(
        v, "PR-V1", "in_progress", ambiti=["mobility"], budget=Decimal("1000.50"), milestones=[True, False]
    )
    _action(
        v,
        "PR-V2",
        "in_progress",
        ambiti=["mobility", "ict"],
        budget=2000,
        progress_override=80,
        progress_reason="x",
    )
    _action(v, "PR-V3", "completed", ambiti=["ict"], budget=None, milestones=[True, True])
    _action(v, "PR-TRA1", "proposed", kind="transversal")  # no domain, no budget, no progress
    _indicator(v, "UP", "higher", baseline=10, latest=25, target=30)  # expects ~20 in 2021: on track
    _indicator(v, "DOWN", "lower", baseline=100, latest=90, target=50)  # expects ~75 in 2021: off track
    _indicator(v, "NOTARGET", "higher", baseline=1, latest=2, target=None)
    publish(v)
    return v


def test_dashboard_numbers_on_a_hand_built_version(version):
    d = dashboard_build(version)
    assert d.actions_total == 4
    rows = {row.slug: dict(row.cells) for row in d.rows}
    assert set(rows) == {"mobility", "ict", "none"}
    assert rows["mobility"]["in_progress"] == 2
    assert rows["ict"] == {**{s: 0 for s in rows["ict"]}, "in_progress": 1, "completed": 1}
    assert rows["none"]["proposed"] == 1
    budgets = {row.slug: row.budget for row in d.rows}
    assert budgets == {"mobility": Decimal("3000.50"), "ict": Decimal("2000"), "none": None}
    by_status = {slug: (count, budget) for slug, _label, count, budget in d.status_rows}
    assert by_status["in_progress"] == (2, Decimal("3000.50"))
    assert by_status["completed"] == (1, None)
    assert by_status["dropped"] == (0, None)
    assert d.budget_total == Decimal("3000.50")
    # Progress: 50 (milestones), 80 (set by hand), 100 (milestones); the proposed action has none.
    assert d.progress_count == 3
    assert d.progress_average == pytest.approx(76.7)
    assert d.track_counts == {Track.ON: 1, Track.OFF: 1, Track.NONE: 1}
    assert d.last_update is not None
    assert d.last_update_url.startswith("/")


def test_dashboard_page_shows_figures_with_links(client, version):
    response = client.get(reverse(URL))
    assert response.status_code == 200
    html = response.content.decode()
    assert version.title in html
    assert 'id="figure-actions">4<' in html
    assert 'href="?ambito=mobility&amp;status=in_progress#rows">2</a>' in html
    assert 'href="?ambito=none&amp;status=proposed#rows">1</a>' in html
    assert 'href="?track=on#rows">1</a>' in html
    assert 'role="img"' in html
    assert "PR-V99" not in html


def test_drill_down_by_ambito_and_status_lists_the_actions(client, version):
    html = rows(client, {"ambito": "mobility", "status": "in_progress"})
    assert reverse("plan:action", kwargs={"version": "2017", "code": "PR-V1"}) in html
    assert reverse("plan:action", kwargs={"version": "2017", "code": "PR-V2"}) in html
    assert "/PR-V3/" not in html
    assert "/PR-TRA1/" not in html

    html = rows(client, {"ambito": "ict", "status": "all"})
    assert "/PR-V2/" in html and "/PR-V3/" in html and "/PR-V1/" not in html

    html = rows(client, {"ambito": "none"})
    assert "/PR-TRA1/" in html and "/PR-V1/" not in html

    html = rows(client, {"status": "all"})
    for code in ("PR-V1", "PR-V2", "PR-V3", "PR-TRA1"):
        assert f"/{code}/" in html
    assert "/PR-V99/" not in html


def test_drill_down_by_track_lists_the_indicators(client, version):
    html = rows(client, {"track": "off"})
    assert reverse("plan:indicator", kwargs={"version": "2017", "code": "DOWN"}) in html
    assert "/UP/" not in html and "/NOTARGET/" not in html
    html = rows(client, {"track": "none"})
    assert "/NOTARGET/" in html and "/DOWN/" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"ambito": "nowhere"},
        {"status": "<script>"},
        {"track": "sideways"},
        {"ambito": "mobility", "status": "x", "page": "abc"},
        {"status": "all", "page": "999999"},
        {"ambito": ["ict", "mobility"], "track": ""},
        {"status": "\x00"},
    ],
)
def test_invalid_params_never_fail(client, version, params):
    response = client.get(reverse(URL), params)
    assert response.status_code == 200


def test_invalid_filter_is_ignored_with_a_message(client, version):
    html = client.get(reverse(URL), {"ambito": "nowhere"}).content.decode()
    assert 'role="alert"' in html
    assert 'id="rows"' not in html


def test_no_published_version_gives_a_clear_message(client, db):
    PlanVersionFactory()  # a draft only: the public sees no figures
    response = client.get(reverse_en(URL))
    assert response.status_code == 200
    assert "No version of the plan has been published yet" in response.content.decode()


def test_no_plan_at_all(client, db):
    assert client.get(reverse(URL)).status_code == 200


def test_draft_is_not_the_current_version(client, version):
    draft = PlanVersionFactory(plan=version.plan, number=3, slug="2018")
    _action(draft, "PR-V50", "approved", ambiti=["living"])
    html = rows(client, {"status": "all"})
    assert "/PR-V50/" not in html


@pytest.mark.parametrize("n", [5, 50])
@pytest.mark.parametrize("params", [{}, {"ambito": "mobility", "status": "all"}, {"track": "on"}])
def test_dashboard_queries_do_not_grow(client, db, django_assert_max_num_queries, n, params):
    v = PlanVersionFactory()
    ambiti = ["mobility", "ict", "living"]
    for i in range(n):
        _action(
            v, f"PR-V{i + 1}", "in_progress", ambiti=[ambiti[i % 3]], budget=100 + i, milestones=[True, False]
        )
    for j in range(3):
        indicator = IndicatorFactory(version=v, code=f"IND{j}")
        for k in range(n):
            MeasurementFactory(
                indicator=indicator,
                period=str(2000 + k),
                period_end=datetime.date(2000 + k, 12, 31),
                value=k,
                target=n if k == n - 1 else None,
                is_baseline=k == 0,
            )
    publish(v)
    with django_assert_max_num_queries(17):
        response = client.get(reverse(URL), params)
    assert response.status_code == 200
