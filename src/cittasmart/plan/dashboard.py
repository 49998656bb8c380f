"""Figures of the public accountability dashboard and of the indicator pages.

Everything here reads: counts and sums are aggregated in the database, measurements are fetched once per page, so the
number of queries does not grow with the number of actions or measurements. The module also computes the geometry of
the server-side SVG charts (the templates only draw what it returns).

The "on track" rule: an indicator is on track when its latest measured value is at least (for "lower is better": at
most) the value expected at that period on the straight line from the baseline to the target; when there is no
baseline to draw the line from, the latest value is compared with the target itself.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from cittasmart.core.ambiti import AMBITI, Ambito
from cittasmart.plan.models import (
    Action,
    ActionAmbito,
    ActionStatus,
    Direction,
    Indicator,
    Measurement,
    PlanVersion,
)

NO_AMBITO = "none"  # the slug of the "no domain" row (actions without a domain)
ALL = "all"  # a filter value meaning "any"


class Track:
    ON = "on"
    OFF = "off"
    NONE = "none"

    values = (ON, OFF, NONE)
    labels = {ON: _("On track"), OFF: _("Off track"), NONE: _("Not assessable")}


TRACK_RULE = _(
    "An indicator is on track when its latest value is at least (for indicators where lower is better: at most) "
    "the value expected at that period on a straight line from the baseline to the target; without a baseline, "
    "the latest value is compared with the target itself."
)


def format_number(value) -> str:
    """A localised number without useless trailing zeros (12.5000 → "12,5" in Italian)."""
    if value is None:
        return ""
    value = Decimal(value)
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return formats.number_format(normal if decimals else value.quantize(Decimal(1)), decimal_pos=decimals)


# --- The on/off track rule --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    when: datetime.date
    value: Decimal


@dataclass(frozen=True)
class TrackResult:
    status: str
    reason: str = ""
    expected: Decimal | None = None

    @property
    def label(self):
        return Track.labels[self.status]


def track_status(
    *, direction: str, baseline: Point | None, latest: Point | None, target: Point | None
) -> TrackResult:
    """Whether ``latest`` is on track towards ``target`` (see the module docstring for the rule)."""
    if target is None:
        return TrackResult(Track.NONE, str(_("No target has been set.")))
    if latest is None:
        return TrackResult(Track.NONE, str(_("No value has been measured after the baseline.")))
    expected = target.value
    if baseline is not None and target.when > baseline.when and latest.when < target.when:
        if latest.when <= baseline.when:
            expected = baseline.value
        else:
            share = Decimal((latest.when - baseline.when).days) / Decimal((target.when - baseline.when).days)
            expected = baseline.value + (target.value - baseline.value) * share
    on = latest.value <= expected if direction == Direction.LOWER else latest.value >= expected
    return TrackResult(Track.ON if on else Track.OFF, expected=expected)


@dataclass
class IndicatorSeries:
    """The measurements of an indicator, read once, with the points the rule and the chart need."""

    indicator: Indicator
    measurements: list[Measurement]
    baseline: Measurement | None = None
    latest: Measurement | None = None
    target: Measurement | None = None
    track: TrackResult = field(default_factory=lambda: TrackResult(Track.NONE))


def indicator_series(
    indicator: Indicator, measurements: Iterable[Measurement] | None = None
) -> IndicatorSeries:
    """``measurements`` already fetched (prefetched) or, when None, read from the indicator (one query)."""
    if measurements is None:
        measurements = indicator.measurements.all()
    rows = sorted(measurements, key=lambda m: (m.period_end, m.pk or 0))
    for m in rows:
        m.value_text = format_number(m.value)
        m.target_text = format_number(m.target)
    series = IndicatorSeries(indicator=indicator, measurements=rows)
    series.baseline = next((m for m in rows if m.is_baseline and m.value is not None), None)
    measured = [m for m in rows if m.value is not None and not m.is_baseline]
    if series.baseline is not None:
        measured = [m for m in measured if m.period_end >= series.baseline.period_end]
    series.latest = measured[-1] if measured else None
    with_target = [m for m in rows if m.target is not None]
    series.target = with_target[-1] if with_target else None

    def point(m, attr="value"):
        return Point(m.period_end, getattr(m, attr)) if m is not None else None

    series.track = track_status(
        direction=indicator.direction,
        baseline=point(series.baseline),
        latest=point(series.latest),
        target=point(series.target, "target"),
    )
    return series


# --- Indicator chart ---------------------------------------------------------------------------------------------


@dataclass
class ChartPoint:
    x: float
    y: float
    label: str
    label_y: float
    title: str
    is_baseline: bool = False

    @property
    def square(self) -> dict:
        return {"x": _n(self.x - 6), "y": _n(self.y - 6)}

    @property
    def diamond(self) -> str:
        return f"M {self.x} {_n(self.y - 7)} l 7 7 l -7 7 l -7 -7 z"

    @property
    def near_right(self) -> bool:
        return self.x > 600

    @property
    def side_x(self) -> float:
        # Beside the marker, on its left near the right edge so that the label stays inside the drawing.
        return _n(self.x - 10) if self.near_right else _n(self.x + 10)


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    gridlines: list[dict]
    periods: list[dict]
    grid_label_x: int
    period_label_y: int
    values: list[ChartPoint]
    baseline: ChartPoint | None
    targets: list[ChartPoint]
    polyline: str
    target_line: dict | None


def _n(value: float) -> float:
    return round(value, 1)


def indicator_chart(series: IndicatorSeries) -> LineChart | None:
    """Baseline, measurements and targets by period (periods evenly spaced, in order); None without any number."""
    rows = series.measurements
    numbers = [m.value for m in rows if m.value is not None] + [
        m.target for m in rows if m.target is not None
    ]
    if not numbers:
        return None
    width, height, left, right, top, bottom = 720, 320, 70, 700, 30, 260
    low = min(min(numbers), Decimal(0))
    high = max(numbers)
    if high == low:
        high = low + 1
    span = high - low

    def y_of(value: Decimal) -> float:
        return _n(bottom - float((value - low) / span) * (bottom - top))

    step = (right - left) / len(rows) if rows else 0
    xs = {m.pk: _n(left + step * (i + 0.5)) for i, m in enumerate(rows)}
    unit = series.indicator.unit
    gridlines = []
    for i in range(5):
        value = low + span * Decimal(i) / 4
        gridlines.append(
            {"y": y_of(value), "label": format_number(round(value, 2)), "text_y": _n(y_of(value) + 4)}
        )
    # With many periods, only some are labelled (and only the baseline's and the latest value): the table has all.
    every = max(1, math.ceil(len(rows) / 12))
    periods = [
        {"x": xs[m.pk], "label": m.period} for i, m in enumerate(rows) if i % every == 0 or i == len(rows) - 1
    ]
    crowded = len(rows) > 12

    values, baseline = [], None
    for m in rows:
        if m.value is None:
            continue
        y = y_of(m.value)
        text = format_number(m.value)
        if m.is_baseline:
            title = _("Baseline %(period)s: %(value)s %(unit)s") % {
                "period": m.period,
                "value": text,
                "unit": unit,
            }
        else:
            title = _("%(period)s: %(value)s %(unit)s") % {"period": m.period, "value": text, "unit": unit}
        if crowded and not (m.is_baseline or m is series.latest):
            text = ""
        chart_point = ChartPoint(
            x=xs[m.pk], y=y, label=text, label_y=_n(max(y - 10, 12)), title=title, is_baseline=m.is_baseline
        )
        if m.is_baseline:
            baseline = chart_point
        values.append(chart_point)
    targets = []
    for m in rows:
        if m.target is None:
            continue
        y = y_of(m.target)
        text = format_number(m.target)
        title = _("Target %(period)s: %(value)s %(unit)s") % {"period": m.period, "value": text, "unit": unit}
        # The target's label goes below its marker, so that it does not cover a value measured in the same period.
        targets.append(
            ChartPoint(x=xs[m.pk], y=y, label=text, label_y=_n(min(y + 20, bottom - 4)), title=title)
        )
    target_line = None
    if series.baseline is not None and series.target is not None:
        target_line = {
            "x1": xs[series.baseline.pk],
            "y1": y_of(series.baseline.value),
            "x2": xs[series.target.pk],
            "y2": y_of(series.target.target),
        }
    return LineChart(
        width=width,
        height=height + 20,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        gridlines=gridlines,
        periods=periods,
        grid_label_x=left - 8,
        period_label_y=bottom + 24,
        values=values,
        baseline=baseline,
        targets=targets,
        polyline=" ".join(f"{p.x},{p.y}" for p in values),
        target_line=target_line,
    )


# --- Dashboard ---------------------------------------------------------------------------------------------------

STATUS_COLOURS = {
    # Dark enough for white text inside the bars (contrast ≥ 4.5:1) and told apart by the legend and the table.
    ActionStatus.PROPOSED: "#5d7083",
    ActionStatus.APPROVED: "#0066cc",
    ActionStatus.IN_PROGRESS: "#995c00",
    ActionStatus.COMPLETED: "#00704a",
    ActionStatus.SUSPENDED: "#7a3e9d",
    ActionStatus.DROPPED: "#a61c3c",
}


@dataclass
class AmbitoRow:
    slug: str
    name: str
    counts: list[int]  # in the order of ActionStatus
    total: int
    budget: Decimal | None
    cells: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Dashboard:
    version: PlanVersion
    statuses: list[tuple[str, str]]
    rows: list[AmbitoRow]
    status_totals: list[int]
    status_budgets: list[Decimal | None]
    actions_total: int
    budget_total: Decimal | None
    progress_average: float | None
    progress_count: int
    track_counts: dict[str, int]
    indicators: list[IndicatorSeries]
    last_update: datetime.datetime | None
    last_update_url: str
    chart: dict = field(default_factory=dict)

    @property
    def track_rows(self):
        return [(slug, Track.labels[slug], self.track_counts[slug]) for slug in Track.values]

    @property
    def status_rows(self):
        return [
            (slug, label, count, budget)
            for (slug, label), count, budget in zip(
                self.statuses, self.status_totals, self.status_budgets, strict=True
            )
        ]


def action_progress_values(version: PlanVersion) -> list[int]:
    """The progress of each action that has one (as services.action_progress computes it), in one query."""
    rows = version.actions.annotate(
        milestones_total=Count("milestones"),
        milestones_done=Count("milestones", filter=Q(milestones__done=True)),
    ).values_list("progress_override", "milestones_total", "milestones_done")
    values = []
    for override, total, done in rows:
        if override is not None:
            values.append(override)
        elif total:
            values.append(round(100 * done / total))
    return values


def dashboard_build(version: PlanVersion) -> Dashboard:
    statuses = list(ActionStatus.choices)
    status_index = {slug: i for i, (slug, _label) in enumerate(statuses)}

    # Actions by domain and status (an action with several domains is counted under each of them).
    cells: dict[str, list[int]] = {}
    budgets: dict[str, Decimal | None] = {}
    for ambito, status, count, budget in (
        ActionAmbito.objects.filter(action__version=version)
        .values_list("ambito", "action__status")
        .annotate(n=Count("action_id"), budget=Sum("action__budget"))
        .order_by()
    ):
        cells.setdefault(ambito, [0] * len(statuses))[status_index[status]] += count
        if budget is not None:
            budgets[ambito] = (budgets.get(ambito) or Decimal(0)) + budget
    for status, count, budget in (
        version.actions.filter(ambiti__isnull=True)
        .values_list("status")
        .annotate(n=Count("id"), budget=Sum("budget"))
        .order_by()
    ):
        cells.setdefault(NO_AMBITO, [0] * len(statuses))[status_index[status]] += count
        if budget is not None:
            budgets[NO_AMBITO] = (budgets.get(NO_AMBITO) or Decimal(0)) + budget
    rows = [
        AmbitoRow(
            slug=a.slug,
            name=str(a.name),
            counts=cells[a.slug],
            total=sum(cells[a.slug]),
            budget=budgets.get(a.slug),
        )
        for a in AMBITI
        if a.slug in cells
    ]
    if NO_AMBITO in cells:
        rows.append(
            AmbitoRow(
                slug=NO_AMBITO,
                name=str(_("No domain")),
                counts=cells[NO_AMBITO],
                total=sum(cells[NO_AMBITO]),
                budget=budgets.get(NO_AMBITO),
            )
        )

    # Each action once, by status.
    status_totals = [0] * len(statuses)
    status_budgets: list[Decimal | None] = [None] * len(statuses)
    for status, count, budget in (
        version.actions.values_list("status").annotate(n=Count("id"), budget=Sum("budget")).order_by()
    ):
        status_totals[status_index[status]] = count
        status_budgets[status_index[status]] = budget
    known_budgets = [b for b in status_budgets if b is not None]
    for row in rows:
        row.cells = [(slug, count) for (slug, _label), count in zip(statuses, row.counts, strict=True)]

    progress = action_progress_values(version)

    indicators = [
        indicator_series(indicator, indicator.measurements.all())
        for indicator in version.indicators.prefetch_related(
            Prefetch("measurements", queryset=Measurement.objects.order_by("period_end", "id"))
        )
    ]
    track_counts = {slug: 0 for slug in Track.values}
    for series in indicators:
        track_counts[series.track.status] += 1

    last_action = version.actions.order_by("-updated_at", "-id").values_list("updated_at", "code").first()
    last_measurement = (
        Measurement.objects.filter(indicator__version=version)
        .order_by("-updated_at", "-id")
        .values_list("updated_at", "indicator__code")
        .first()
    )
    last_update, last_update_url = None, ""
    for found, url_name in ((last_action, "plan:action"), (last_measurement, "plan:indicator")):
        if found is not None and (last_update is None or found[0] > last_update):
            last_update = found[0]
            last_update_url = reverse(url_name, kwargs={"version": version.slug, "code": found[1]})

    dashboard = Dashboard(
        version=version,
        statuses=[(slug, str(label)) for slug, label in statuses],
        rows=rows,
        status_totals=status_totals,
        status_budgets=status_budgets,
        actions_total=sum(status_totals),
        budget_total=sum(known_budgets) if known_budgets else None,
        progress_average=round(sum(progress) / len(progress), 1) if progress else None,
        progress_count=len(progress),
        track_counts=track_counts,
        indicators=indicators,
        last_update=last_update,
        last_update_url=last_update_url,
    )
    dashboard.chart = ambito_status_chart(dashboard)
    return dashboard


def ambito_status_chart(dashboard: Dashboard) -> dict:
    """A horizontal stacked bar per domain, one part per status (in the order of the legend)."""
    label_width, bar_left, bar_max, bar_height, gap = 230, 240, 400, 26, 14
    legend_height = 30 * ((len(dashboard.statuses) + 2) // 3)
    biggest = max((row.total for row in dashboard.rows), default=0) or 1
    bars = []
    y = legend_height + 10
    for row in dashboard.rows:
        parts, x = [], bar_left
        for (slug, label), count in zip(dashboard.statuses, row.counts, strict=True):
            if not count:
                continue
            length = bar_max * count / biggest
            parts.append(
                {
                    "x": _n(x),
                    "width": _n(length),
                    "colour": STATUS_COLOURS[slug],
                    "title": f"{row.name}, {label}: {count}",
                    "count": count,
                    "show_count": length >= 18,
                    "text_x": _n(x + length / 2),
                }
            )
            x += length
        bars.append(
            {
                "label": row.name,
                "y": y,
                "text_y": y + bar_height / 2 + 5,
                "parts": parts,
                "total": row.total,
                "total_x": _n(x + 8),
            }
        )
        y += bar_height + gap
    legend = [
        {
            "label": label,
            "colour": STATUS_COLOURS[slug],
            "x": 10 + 230 * (i % 3),
            "y": 8 + 30 * (i // 3),
            "text_x": 10 + 230 * (i % 3) + 24,
            "text_y": 8 + 30 * (i // 3) + 14,
        }
        for i, (slug, label) in enumerate(dashboard.statuses)
    ]
    return {
        "width": 720,
        "height": y + 4,
        "label_x": label_width,
        "bar_height": bar_height,
        "bars": bars,
        "legend": legend,
    }


# --- Drill-down --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFilter:
    ambito: str = ""
    status: str = ""

    @property
    def active(self) -> bool:
        return bool(self.ambito or self.status)


def action_filter_parse(params) -> tuple[ActionFilter, bool]:
    """The valid ``ambito`` / ``status`` filters in ``params``, and whether something was ignored as invalid."""
    ambito = params.get("ambito", "")
    status = params.get("status", "")
    invalid = False
    if ambito and ambito not in (*Ambito.values, NO_AMBITO, ALL):
        ambito, invalid = "", True
    if status and status not in (*ActionStatus.values, ALL):
        status, invalid = "", True
    return ActionFilter(ambito=ambito, status=status), invalid


def actions_filtered(version: PlanVersion, flt: ActionFilter):
    qs = version.actions.all()
    if flt.ambito == NO_AMBITO:
        qs = qs.filter(ambiti__isnull=True)
    elif flt.ambito and flt.ambito != ALL:
        qs = qs.filter(ambiti__ambito=flt.ambito)
    if flt.status and flt.status != ALL:
        qs = qs.filter(status=flt.status)
    return (
        qs.select_related("responsible")
        .prefetch_related("ambiti")
        .annotate(
            milestones_total=Count("milestones"),
            milestones_done=Count("milestones", filter=Q(milestones__done=True)),
        )
        .order_by("kind", "code")
    )


def action_progress_of(action: Action) -> int | None:
    """Progress of an action annotated by ``actions_filtered`` (same rule as services.action_progress)."""
    if action.progress_override is not None:
        return action.progress_override
    if not action.milestones_total:
        return None
    return round(100 * action.milestones_done / action.milestones_total)


def indicators_on_track(series: Sequence[IndicatorSeries], track: str) -> list[IndicatorSeries]:
    return [s for s in series if s.track.status == track]
