"""The report of a round: "Indagine sullo stato di sviluppo della Smart City", computed live from the database.

Only validated records count, public and reserved alike (the report shows counts and sums, never the content of
a reserved record). Every figure comes from a fixed number of aggregate queries (``GROUP BY`` in the database),
so the cost of a report does not grow with the number of records: about ten queries for any round.

The module also turns the figures into the geometry of the server-side SVG charts (``*_chart`` functions), so
that templates only place numbers that are already computed, and into the rows of the CSV download.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cittasmart.core.ambiti import AMBITI, AmbitoInfo
from cittasmart.stakeholders.models import Organisation, OwnerType, owner_type_of
from cittasmart.survey.models import (
    FundingSource,
    FundingType,
    RecordImpact,
    RecordKind,
    RecordStatus,
    SurveyRecord,
    SurveyRound,
)

OWNER_TYPES: tuple[OwnerType, ...] = (
    OwnerType.HOST_ENTITY,
    OwnerType.PARTICIPATED_COMPANY,
    OwnerType.OTHER,
)

AUDIENCES = (
    ("citizens", gettext_lazy("Citizens")),
    ("businesses", gettext_lazy("Businesses")),
    ("schools", gettext_lazy("Schools")),
    ("internal", gettext_lazy("Internal (the organisation itself)")),
)

# Fields compared to tell an unchanged update from an update with changes. Nullable ones need a null-safe test.
COMPARED_FIELDS = ("title", "description", "kind", "status", "reference_ambito")
COMPARED_NULLABLE_FIELDS = ("budget", "planned_start", "planned_end", "actual_start", "actual_end")


def counted_records(survey_round: SurveyRound) -> QuerySet[SurveyRecord]:
    """The records a report counts: the validated ones of the round, whatever their visibility."""
    return SurveyRecord.objects.filter(round=survey_round, is_validated=True).order_by()


def _owner_type(is_host_entity: bool, category: str) -> str:
    """The owner type of an organisation from two columns, with the one definition in stakeholders."""
    return str(owner_type_of(Organisation(is_host_entity=is_host_entity, category=category)))


# --- The figures ----------------------------------------------------------------------------------------


@dataclass
class OwnerSplit:
    """A count split by owner type (the entity, participated companies, other organisations)."""

    host_entity: int = 0
    participated_company: int = 0
    other: int = 0

    def add(self, owner_type: str, n: int) -> None:
        setattr(self, owner_type, getattr(self, owner_type) + n)

    @property
    def total(self) -> int:
        return self.host_entity + self.participated_company + self.other

    @property
    def values(self) -> list[int]:
        """The counts in the order of ``OWNER_TYPES``."""
        return [getattr(self, owner_type.value) for owner_type in OWNER_TYPES]


@dataclass
class Totals:
    projects: OwnerSplit = field(default_factory=OwnerSplit)
    ideas: OwnerSplit = field(default_factory=OwnerSplit)
    organisations: int = 0

    @property
    def records(self) -> OwnerSplit:
        return OwnerSplit(*(p + i for p, i in zip(self.projects.values, self.ideas.values, strict=True)))


@dataclass
class AmbitoRow:
    ambito: AmbitoInfo
    projects: OwnerSplit = field(default_factory=OwnerSplit)
    ideas: OwnerSplit = field(default_factory=OwnerSplit)
    impact_projects: int = 0  # projects of other ambiti with an impact on this one
    impact_ideas: int = 0

    @property
    def impact_total(self) -> int:
        return self.impact_projects + self.impact_ideas


@dataclass
class MatrixRow:
    ambito: AmbitoInfo
    cells: list[int]  # one per impact ambito, in the order of AMBITI

    @property
    def total(self) -> int:
        return sum(self.cells)


@dataclass
class Share:
    key: str
    label: str
    count: int
    of: int  # the whole the share is taken from

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.of) if self.of else 0


@dataclass
class FundingRow:
    key: str
    label: str
    amount: Decimal
    sources: int
    records: int


@dataclass
class OrganisationRow:
    name: str
    slug: str
    owner_type: str
    projects: int
    ideas: int
    budget: Decimal | None

    @property
    def total(self) -> int:
        return self.projects + self.ideas

    @property
    def owner_type_label(self) -> str:
        return OwnerType(self.owner_type).label


@dataclass
class ComparisonRow:
    """Against the previous round; ``label`` is an ambito name, or "all" for the whole round."""

    key: str
    label: str
    updated: int = 0  # records of this round that update a record of the previous round
    unchanged: int = 0  # ... whose compared fields are all equal to those of the record they update
    new: int = 0  # records with no update_of
    dropped: int = 0  # records of the previous round that no record of this round updates
    updated_older: int = 0  # updates of records of rounds before the previous one
    previous_records: int = 0

    @property
    def updated_changed(self) -> int:
        return self.updated - self.unchanged

    @property
    def records(self) -> int:
        """The records of this round (in this ambito)."""
        return self.updated + self.new + self.updated_older


@dataclass
class Comparison:
    previous_round: SurveyRound
    organisations: int  # distinct owners of this round's records
    previous_organisations: int
    records: int
    total: ComparisonRow
    per_ambito: list[ComparisonRow]

    @property
    def leading_ambiti(self) -> list[ComparisonRow]:
        """The (up to) two ambiti with the most updated and new records, most first."""
        ranked = sorted(self.per_ambito, key=lambda row: row.updated + row.new, reverse=True)  # stable
        return [row for row in ranked[:2] if row.updated + row.new]


@dataclass
class RoundReport:
    survey_round: SurveyRound
    totals: Totals
    per_ambito: list[AmbitoRow]
    matrix: list[MatrixRow]
    matrix_column_totals: list[int]
    audience: list[Share]
    records_without_audience: int
    status: list[Share]
    budget_total: Decimal
    records_with_budget: int
    records_with_cup: int
    funding: list[FundingRow]
    funding_total: Decimal
    organisations: list[OrganisationRow]
    comparison: Comparison | None

    @property
    def records(self) -> int:
        return self.totals.records.total

    @property
    def ambiti(self) -> tuple[AmbitoInfo, ...]:
        return AMBITI


def round_report(*, survey_round: SurveyRound, compare: bool = True) -> RoundReport:
    """Every figure of the report of ``survey_round`` (about ten queries, whatever the number of records).

    ``compare=False`` leaves out the comparison with the previous round (for those who may not see that round).
    """
    records = counted_records(survey_round)
    slugs = [a.slug for a in AMBITI]

    # 1 query: records by reference ambito, kind and owner type.
    per_ambito = {a.slug: AmbitoRow(ambito=a) for a in AMBITI}
    totals = Totals()
    for row in records.values(
        "reference_ambito", "kind", "owner__is_host_entity", "owner__category"
    ).annotate(n=Count("id")):
        owner_type = _owner_type(row["owner__is_host_entity"], row["owner__category"])
        target = per_ambito.get(row["reference_ambito"])
        is_project = row["kind"] == RecordKind.PROJECT
        (totals.projects if is_project else totals.ideas).add(owner_type, row["n"])
        if target is not None:
            (target.projects if is_project else target.ideas).add(owner_type, row["n"])

    # 1 query: impact ambiti (reference ambito × impact ambito × kind).
    matrix = {slug: dict.fromkeys(slugs, 0) for slug in slugs}
    impacts = (
        RecordImpact.objects.filter(record__round=survey_round, record__is_validated=True)
        .values("record__reference_ambito", "ambito", "record__kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in impacts:
        reference, impact = row["record__reference_ambito"], row["ambito"]
        if reference not in matrix or impact not in matrix:
            continue
        matrix[reference][impact] += row["n"]
        if reference != impact:
            if row["record__kind"] == RecordKind.PROJECT:
                per_ambito[impact].impact_projects += row["n"]
            else:
                per_ambito[impact].impact_ideas += row["n"]
    matrix_rows = [MatrixRow(ambito=a, cells=[matrix[a.slug][s] for s in slugs]) for a in AMBITI]

    # 1 query: audience, budget, CUP and the number of organisations.
    figures = records.aggregate(
        **{f"for_{key}": Count("id", filter=Q(**{f"audience_{key}": True})) for key, _label in AUDIENCES},
        no_audience=Count("id", filter=Q(**{f"audience_{key}": False for key, _label in AUDIENCES})),
        budget_sum=Sum("budget"),
        with_budget=Count("id", filter=Q(budget__isnull=False)),
        with_cup=Count("id", filter=~Q(cup="")),
        organisations=Count("owner", distinct=True),
    )
    totals.organisations = figures["organisations"]
    record_count = totals.records.total
    audience = [
        Share(key=key, label=label, count=figures[f"for_{key}"], of=record_count) for key, label in AUDIENCES
    ]

    # 1 query: status.
    by_status = dict(records.values_list("status").annotate(n=Count("id")))
    status = [
        Share(key=value, label=label, count=by_status.get(value, 0), of=record_count)
        for value, label in RecordStatus.choices
    ]

    # 1 query: funding by source type.
    by_type = {
        row["type"]: row
        for row in FundingSource.objects.filter(record__round=survey_round, record__is_validated=True)
        .values("type")
        .annotate(amount=Sum("amount"), sources=Count("id"), records=Count("record", distinct=True))
        .order_by()
    }
    funding = [
        FundingRow(
            key=value,
            label=label,
            amount=by_type.get(value, {}).get("amount") or Decimal(0),
            sources=by_type.get(value, {}).get("sources", 0),
            records=by_type.get(value, {}).get("records", 0),
        )
        for value, label in FundingType.choices
    ]

    # 1 query: per organisation.
    organisations = [
        OrganisationRow(
            name=row["owner__name"],
            slug=row["owner__slug"],
            owner_type=_owner_type(row["owner__is_host_entity"], row["owner__category"]),
            projects=row["projects"],
            ideas=row["ideas"],
            budget=row["budget_sum"],
        )
        for row in records.values(
            "owner_id", "owner__name", "owner__slug", "owner__is_host_entity", "owner__category"
        )
        .annotate(
            projects=Count("id", filter=Q(kind=RecordKind.PROJECT)),
            ideas=Count("id", filter=Q(kind=RecordKind.IDEA)),
            budget_sum=Sum("budget"),
        )
        .order_by("owner__name", "owner_id")
    ]

    return RoundReport(
        survey_round=survey_round,
        totals=totals,
        per_ambito=list(per_ambito.values()),
        matrix=matrix_rows,
        matrix_column_totals=[sum(row.cells[i] for row in matrix_rows) for i in range(len(slugs))],
        audience=audience,
        records_without_audience=figures["no_audience"],
        status=status,
        budget_total=figures["budget_sum"] or Decimal(0),
        records_with_budget=figures["with_budget"],
        records_with_cup=figures["with_cup"],
        funding=funding,
        funding_total=sum((row.amount for row in funding), Decimal(0)),
        organisations=organisations,
        comparison=_comparison(survey_round, records, record_count, totals.organisations)
        if compare
        else None,
    )


def _unchanged_q() -> Q:
    """True when a record's compared fields equal those of the record it updates (nulls equal nulls)."""
    condition = Q()
    for name in COMPARED_FIELDS:
        condition &= Q(**{name: F(f"update_of__{name}")})
    for name in COMPARED_NULLABLE_FIELDS:
        condition &= Q(**{name: F(f"update_of__{name}")}) | Q(
            **{f"{name}__isnull": True, f"update_of__{name}__isnull": True}
        )
    return condition


def _comparison(
    survey_round: SurveyRound, records: QuerySet[SurveyRecord], record_count: int, organisations: int
) -> Comparison | None:
    """Updated / unchanged / new / dropped against the previous round (4 queries), or None for a first round."""
    previous = survey_round.previous_round  # 1 query when the round was not fetched with it
    if previous is None:
        return None
    slugs = [a.slug for a in AMBITI]
    rows = {a.slug: ComparisonRow(key=a.slug, label=a.name) for a in AMBITI}
    total = ComparisonRow(key="all", label=_("All domains"))

    # 1 query: this round's records by ambito, classified by what they update.
    is_update = Q(update_of__round_id=previous.pk)
    for row in records.values("reference_ambito").annotate(
        updated=Count("id", filter=is_update),
        unchanged=Count("id", filter=is_update & _unchanged_q()),
        new=Count("id", filter=Q(update_of__isnull=True)),
        updated_older=Count("id", filter=Q(update_of__isnull=False) & ~is_update),
    ):
        target = rows.get(row["reference_ambito"])
        for name in ("updated", "unchanged", "new", "updated_older"):
            setattr(total, name, getattr(total, name) + row[name])
            if target is not None:
                setattr(target, name, getattr(target, name) + row[name])

    # 1 query: the previous round's records by ambito, and those that no record of this round updates.
    previous_records = counted_records(previous)
    updated_here = SurveyRecord.objects.filter(
        round=survey_round, is_validated=True, update_of=OuterRef("pk")
    )
    for row in previous_records.values("reference_ambito").annotate(
        n=Count("id"), dropped=Count("id", filter=~Exists(updated_here))
    ):
        target = rows.get(row["reference_ambito"])
        total.previous_records += row["n"]
        total.dropped += row["dropped"]
        if target is not None:
            target.previous_records += row["n"]
            target.dropped += row["dropped"]

    # 1 query: organisations of the previous round.
    previous_organisations = previous_records.aggregate(n=Count("owner", distinct=True))["n"]
    return Comparison(
        previous_round=previous,
        organisations=organisations,
        previous_organisations=previous_organisations,
        records=record_count,
        total=total,
        per_ambito=[rows[slug] for slug in slugs],
    )


# --- Charts: geometry for server-side SVG -----------------------------------------------------------------
# Numbers are written into SVG attributes as plain strings ("12.5"), never through the template's number
# localisation (an Italian "12,5" would break the drawing).

CHART_WIDTH = 720
LABEL_WIDTH = 210  # labels are right-aligned at LABEL_WIDTH - 8
BAR_MAX = 400  # the longest bar; the value is written after it
ROW_HEIGHT = 28
BAR_HEIGHT = 18
TOP = 8

# Blue, orange-brown and grey: told apart with the usual colour-vision deficiencies, each at least 5:1 against
# white (white text inside the bars stays readable and bars stand out from the page); segments are also
# separated by a white gap, and every value is written as text.
OWNER_COLOURS = {
    OwnerType.HOST_ENTITY: "#0066CC",
    OwnerType.PARTICIPATED_COMPANY: "#A04000",
    OwnerType.OTHER: "#5D7083",
}
BAR_COLOUR = "#0066CC"
TEXT_COLOUR = "#17324D"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def format_count(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def format_euro(value: Decimal | None) -> str:
    return "€ " + formats.number_format(value or 0, decimal_pos=0, force_grouping=True)


@dataclass
class Bar:
    label: str
    value_text: str
    y: str
    text_y: str
    length: str
    end_x: str


@dataclass
class BarChart:
    slug: str
    title: str
    height: str
    bars: list[Bar]
    width: str = str(CHART_WIDTH)
    label_x: str = str(LABEL_WIDTH - 8)
    bar_x: str = str(LABEL_WIDTH)
    bar_height: str = str(BAR_HEIGHT)
    colour: str = BAR_COLOUR
    text_colour: str = TEXT_COLOUR


def bar_chart(*, slug: str, title: str, items: Iterable[tuple[str, float, str]]) -> BarChart:
    """Horizontal bars, one per (label, value, value written as text)."""
    items = list(items)
    largest = max((float(value) for _label, value, _text in items), default=0) or 1
    bars = []
    for index, (label, value, text) in enumerate(items):
        y = TOP + index * ROW_HEIGHT
        length = BAR_MAX * float(value) / largest
        bars.append(
            Bar(
                label=label,
                value_text=text,
                y=_n(y),
                text_y=_n(y + BAR_HEIGHT - 4),
                length=_n(length),
                end_x=_n(LABEL_WIDTH + length + 6),
            )
        )
    return BarChart(slug=slug, title=title, height=_n(TOP * 2 + len(bars) * ROW_HEIGHT), bars=bars)


@dataclass
class Segment:
    label: str
    value_text: str
    x: str
    length: str
    text_x: str
    show_text: bool
    colour: str


@dataclass
class StackedRow:
    label: str
    y: str
    text_y: str
    segments: list[Segment]
    total_text: str
    end_x: str


@dataclass
class StackedGroup:
    heading: str
    heading_y: str
    rows: list[StackedRow]


@dataclass
class LegendItem:
    label: str
    colour: str
    x: str
    text_x: str


@dataclass
class StackedChart:
    slug: str
    title: str
    height: str
    legend: list[LegendItem]
    groups: list[StackedGroup]
    width: str = str(CHART_WIDTH)
    label_x: str = str(LABEL_WIDTH - 8)
    bar_height: str = str(BAR_HEIGHT)
    legend_y: str = str(TOP)
    legend_text_y: str = str(TOP + 12)
    text_colour: str = TEXT_COLOUR


def ambito_chart(report: RoundReport) -> StackedChart:
    """Per ambito, a bar for projects and one for ideas, each stacked by owner type (left to right)."""
    largest = max((max(row.projects.total, row.ideas.total) for row in report.per_ambito), default=0) or 1
    legend = [
        LegendItem(
            label=str(owner_type.label),
            colour=OWNER_COLOURS[owner_type],
            x=_n(index * 235),
            text_x=_n(index * 235 + 20),
        )
        for index, owner_type in enumerate(OWNER_TYPES)
    ]
    y = TOP + 16 + 16  # below the legend
    groups = []
    for row in report.per_ambito:
        heading_y = y + 14
        y += 22
        chart_rows = []
        for label, split in ((_("Projects"), row.projects), (_("Ideas"), row.ideas)):
            x = float(LABEL_WIDTH)
            segments = []
            for owner_type, value in zip(OWNER_TYPES, split.values, strict=True):
                if not value:
                    continue
                length = BAR_MAX * value / largest
                segments.append(
                    Segment(
                        label=str(owner_type.label),
                        value_text=format_count(value),
                        x=_n(x),
                        length=_n(max(length - 2, 1)),  # a 2-unit white gap between segments
                        text_x=_n(x + length / 2 - 1),
                        show_text=length >= 10 + 8 * len(str(value)),
                        colour=OWNER_COLOURS[owner_type],
                    )
                )
                x += length
            chart_rows.append(
                StackedRow(
                    label=label,
                    y=_n(y),
                    text_y=_n(y + BAR_HEIGHT - 4),
                    segments=segments,
                    total_text=format_count(split.total),
                    end_x=_n(x + 6),
                )
            )
            y += ROW_HEIGHT - 4
        groups.append(StackedGroup(heading=str(row.ambito.name), heading_y=_n(heading_y), rows=chart_rows))
        y += 8
    return StackedChart(
        slug="ambiti",
        title=_("Projects and ideas per domain, by owner type"),
        height=_n(y + TOP),
        legend=legend,
        groups=groups,
    )


def status_chart(report: RoundReport) -> BarChart:
    return bar_chart(
        slug="status",
        title=_("Items by status"),
        items=[(str(share.label), share.count, format_count(share.count)) for share in report.status],
    )


def audience_chart(report: RoundReport) -> BarChart:
    return bar_chart(
        slug="audience",
        title=_("Items by audience"),
        items=[(str(share.label), share.count, format_count(share.count)) for share in report.audience],
    )


def funding_chart(report: RoundReport) -> BarChart:
    return bar_chart(
        slug="funding",
        title=_("Funding by source (euro)"),
        items=[(str(row.label), float(row.amount), format_euro(row.amount)) for row in report.funding],
    )


# --- CSV: one long table "section,label,key,value" ----------------------------------------------------------

CSV_HEADER = ("section", "label", "key", "value")
CENTS = Decimal("0.01")


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.quantize(CENTS):f}"  # the same on SQLite (8300) and PostgreSQL (8300.00)
    return str(value)


def csv_rows(report: RoundReport) -> Iterator[tuple[str, str, str, str]]:
    """The report as rows of (section, label, key, value); labels are stable codes except organisation names.

    Values are plain numbers (dot as decimal separator, no grouping) so that spreadsheets and scripts read them.
    """
    survey_round = report.survey_round
    yield ("round", survey_round.slug, "title", survey_round.title)
    yield ("round", survey_round.slug, "year", str(survey_round.year))
    yield ("round", survey_round.slug, "status", survey_round.status)

    totals = report.totals
    for label, split in (("all", totals.records), ("project", totals.projects), ("idea", totals.ideas)):
        yield ("totals", label, "total", str(split.total))
        for owner_type, value in zip(OWNER_TYPES, split.values, strict=True):
            yield ("totals", label, owner_type.value, str(value))
    yield ("totals", "all", "organisations", str(totals.organisations))

    for row in report.per_ambito:
        slug = row.ambito.slug
        for kind, split in (("projects", row.projects), ("ideas", row.ideas)):
            yield ("ambito", slug, kind, str(split.total))
            for owner_type, value in zip(OWNER_TYPES, split.values, strict=True):
                yield ("ambito", slug, f"{kind}_{owner_type.value}", str(value))
        yield ("ambito", slug, "impact_from_other_ambiti", str(row.impact_total))
        yield ("ambito", slug, "impact_projects_from_other_ambiti", str(row.impact_projects))
        yield ("ambito", slug, "impact_ideas_from_other_ambiti", str(row.impact_ideas))

    for row in report.matrix:
        for impact, value in zip(AMBITI, row.cells, strict=True):
            yield ("matrix", row.ambito.slug, impact.slug, str(value))

    for share in report.audience:
        yield ("audience", share.key, "records", str(share.count))
    yield ("audience", "none", "records", str(report.records_without_audience))
    for share in report.status:
        yield ("status", share.key, "records", str(share.count))

    yield ("budget", "all", "total", _plain(report.budget_total))
    yield ("budget", "all", "records_with_budget", str(report.records_with_budget))
    yield ("budget", "all", "records_with_cup", str(report.records_with_cup))
    for row in report.funding:
        yield ("funding", row.key, "amount", _plain(row.amount))
        yield ("funding", row.key, "sources", str(row.sources))
        yield ("funding", row.key, "records", str(row.records))

    for row in report.organisations:
        yield ("organisation", row.name, "owner_type", row.owner_type)
        yield ("organisation", row.name, "projects", str(row.projects))
        yield ("organisation", row.name, "ideas", str(row.ideas))
        yield ("organisation", row.name, "budget", _plain(row.budget))

    comparison = report.comparison
    if comparison is not None:
        previous = comparison.previous_round
        yield ("comparison", "all", "previous_round", previous.slug)
        yield ("comparison", "all", "organisations", str(comparison.organisations))
        yield ("comparison", "all", "previous_organisations", str(comparison.previous_organisations))
        yield ("comparison", "all", "records", str(comparison.records))
        for row in [comparison.total, *comparison.per_ambito]:
            yield ("comparison", row.key, "previous_records", str(row.previous_records))
            yield ("comparison", row.key, "updated", str(row.updated))
            yield ("comparison", row.key, "updated_with_changes", str(row.updated_changed))
            yield ("comparison", row.key, "unchanged", str(row.unchanged))
            yield ("comparison", row.key, "new", str(row.new))
            yield ("comparison", row.key, "dropped", str(row.dropped))
            yield ("comparison", row.key, "updated_from_older_rounds", str(row.updated_older))
