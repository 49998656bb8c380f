import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cittasmart.plan.dashboard import Point, Track, indicator_series, track_status
from tests.factories import (
    ActionFactory,
    IndicatorFactory,
    MeasurementFactory,
    PlanVersionFactory,
    publish,
)
from tests.helpers import reverse_en

D = Decimal


def p(year, value, month=12, day=31):
    return Point(datetime.date(year, month, day), D(value))


# --- The on/off track rule --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        # Baseline 10 (2016) → target 30 (2026): on the line, 2021 expects about 20.
        (p(2021, 21), Track.ON),
        (p(2021, 20), Track.ON),
        (p(2021, 15), Track.OFF),
        (p(2026, 30), Track.ON),
        (p(2027, 29), Track.OFF),  # past the target's period: compared with the target itself
    ],
)
def test_higher_is_better_interpolates_between_baseline_and_target(latest, expected):
    result = track_status(direction="higher", baseline=p(2016, 10), latest=latest, target=p(2026, 30, 12, 31))
    assert result.status == expected


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        # Baseline 100 (2016) → target 50 (2026): 2021 expects about 75; lower is better.
        (p(2021, 70), Track.ON),
        (p(2021, 80), Track.OFF),
        (p(2026, 50), Track.ON),
        (p(2026, 51), Track.OFF),
    ],
)
def test_lower_is_better_interpolates_the_other_way(latest, expected):
    result = track_status(direction="lower", baseline=p(2016, 100), latest=latest, target=p(2026, 50))
    assert result.status == expected


def test_halfway_expected_value_is_on_the_straight_line():
    result = track_status(
        direction="higher",
        baseline=Point(datetime.date(2020, 1, 1), D(0)),
        latest=Point(datetime.date(2020, 1, 11), D(1)),
        target=Point(datetime.date(2020, 1, 21), D(100)),
    )
    assert result.expected == D(50)
    assert result.status == Track.OFF


def test_without_baseline_the_latest_value_is_compared_with_the_target():
    assert (
        track_status(direction="higher", baseline=None, latest=p(2021, 29), target=p(2026, 30)).status
        == Track.OFF
    )
    assert (
        track_status(direction="higher", baseline=None, latest=p(2021, 30), target=p(2026, 30)).status
        == Track.ON
    )
    assert (
        track_status(direction="lower", baseline=None, latest=p(2021, 29), target=p(2026, 30)).status
        == Track.ON
    )
    assert (
        track_status(direction="lower", baseline=None, latest=p(2021, 31), target=p(2026, 30)).status
        == Track.OFF
    )


def test_no_target_or_no_value_is_not_assessable():
    assert (
        track_status(direction="higher", baseline=p(2016, 1), latest=p(2020, 5), target=None).status
        == Track.NONE
    )
    assert (
        track_status(direction="higher", baseline=p(2016, 1), latest=None, target=p(2026, 5)).status
        == Track.NONE
    )


@pytest.mark.django_db
def test_series_reads_baseline_latest_and_target_from_measurements():
    indicator = IndicatorFactory(direction="lower")
    MeasurementFactory(
        indicator=indicator,
        period="2016",
        period_end=datetime.date(2016, 12, 31),
        value=100,
        is_baseline=True,
    )
    MeasurementFactory(indicator=indicator, period="2018", period_end=datetime.date(2018, 12, 31), value=95)
    MeasurementFactory(indicator=indicator, period="2021", period_end=datetime.date(2021, 12, 31), value=70)
    MeasurementFactory(
        indicator=indicator, period="2026", period_end=datetime.date(2026, 12, 31), value=None, target=50
    )
    series = indicator_series(indicator)
    assert series.baseline.period == "2016"
    assert series.latest.period == "2021"
    assert series.target.period == "2026"
    assert series.track.status == Track.ON


# --- The page --------------------------------------------------------------------------------------------------


def _indicator_with_measurements(n: int, *, published=True, quality="demo"):
    version = PlanVersionFactory()
    action = ActionFactory(version=version, code="PR-V1", title="Cycle lanes")
    indicator = IndicatorFactory(
        version=version,
        code="KM-BIKE",
        name="Cycle lanes",
        unit="km",
        action=action,
        level="action",
        iso_theme="Transportation",
        u4ssc_code="EN-TR-1",
        definition="Kilometres of cycle lanes.",
    )
    MeasurementFactory(
        indicator=indicator,
        period="2000",
        period_end=datetime.date(2000, 12, 31),
        value=10,
        is_baseline=True,
        quality="official",
    )
    for i in range(1, n):
        MeasurementFactory(
            indicator=indicator,
            period=str(2000 + i),
            period_end=datetime.date(2000 + i, 12, 31),
            value=10 + i,
            quality=quality,
            source="Comune",
        )
    MeasurementFactory(
        indicator=indicator,
        period="2100",
        period_end=datetime.date(2100, 12, 31),
        value=None,
        target=D("112.5"),
    )
    if published:
        publish(version)
    return version, indicator


@pytest.mark.django_db
def test_indicator_page_shows_definition_chart_and_table(client):
    version, _indicator = _indicator_with_measurements(3)
    response = client.get(reverse("plan:indicator", kwargs={"version": version.slug, "code": "KM-BIKE"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kilometres of cycle lanes." in html
    assert "EN-TR-1" in html and "Transportation" in html
    assert reverse("plan:action", kwargs={"version": version.slug, "code": "PR-V1"}) in html
    # The chart comes first, with its title and description, then the table.
    assert 'role="img"' in html and "<title" in html and "<desc" in html
    assert html.index("<svg") < html.index("measurements-caption")
    # Values written as text in the chart, with localised numbers (Italian by default): 112,5 not 112.5.
    assert "112,5" in html
    assert 'points="' in html
    # Demo values are marked as such.
    assert html.count("badge bg-warning text-dark") >= 2
    assert "cs-demo-row" in html
    # A status and the rule are on the page.
    assert "track-status" in html


@pytest.mark.django_db
def test_indicator_page_svg_coordinates_are_not_localised(client):
    version, _indicator = _indicator_with_measurements(4)
    html = client.get(
        reverse("plan:indicator", kwargs={"version": version.slug, "code": "KM-BIKE"})
    ).content.decode()
    svg = html.split('<figure class="cs-plan-chart"', 1)[1].split("</svg>", 1)[0]
    assert 'font-weight="600"' in svg
    for attr in re.findall(r'\b(?:x|y|cx|cy|x1|y1|x2|y2|width|height)="([^"]*)"', svg):
        float(attr)  # raises on "12,5"


@pytest.mark.django_db
def test_draft_version_indicator_is_404_to_the_public_and_visible_to_staff(client, user, plan_office):
    version, _indicator = _indicator_with_measurements(2, published=False)
    url = reverse_en("plan:indicator", kwargs={"version": version.slug, "code": "KM-BIKE"})
    assert client.get(url).status_code == 404
    client.force_login(user)
    assert client.get(url).status_code == 404
    client.force_login(plan_office)
    response = client.get(url)
    assert response.status_code == 200
    assert "draft" in response.content.decode().lower()


@pytest.mark.django_db
def test_unknown_indicator_or_version_is_404(client):
    version, _indicator = _indicator_with_measurements(2)
    assert (
        client.get(reverse("plan:indicator", kwargs={"version": version.slug, "code": "NOPE"})).status_code
        == 404
    )
    assert (
        client.get(reverse("plan:indicator", kwargs={"version": "nope", "code": "KM-BIKE"})).status_code
        == 404
    )


@pytest.mark.django_db
def test_indicator_without_measurements_renders(client):
    version = PlanVersionFactory()
    IndicatorFactory(version=version, code="EMPTY")
    publish(version)
    response = client.get(reverse_en("plan:indicator", kwargs={"version": version.slug, "code": "EMPTY"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "cs-plan-chart" not in html
    assert "No measurements yet." in html


@pytest.mark.django_db
@pytest.mark.parametrize("n", [5, 50])
def test_indicator_page_queries_do_not_grow_with_measurements(client, django_assert_max_num_queries, n):
    version, _indicator = _indicator_with_measurements(n)
    url = reverse("plan:indicator", kwargs={"version": version.slug, "code": "KM-BIKE"})
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<tr") == n + 2  # header + baseline/values + target row
