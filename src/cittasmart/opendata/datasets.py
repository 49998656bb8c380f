"""The public datasets: one definition per collection, shared by the API, the exports and the DCAT-AP_IT catalogue.

A dataset says which rows anyone may read (through the owning app's selectors, as an anonymous visitor), which
columns it publishes and of what type, which filters it accepts, and how to describe it in the catalogue. Only
the columns listed here ever leave the platform: nothing personal (e-mails, registrations, who entered a value)
is among them, and a test checks that.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, Prefetch, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cittasmart.core import pagecache

# Rows are read from the database in chunks of this size: memory stays constant whatever the size of the dataset.
CHUNK_SIZE = 2000

# Column kinds, with their JSON Schema types.
STRING, INTEGER, NUMBER, BOOLEAN, DATE, DATETIME, LIST = (
    "string",
    "integer",
    "number",
    "boolean",
    "date",
    "datetime",
    "list",
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    get: Callable[[Any], Any]
    description: Any = ""


@dataclass(frozen=True)
class Filter:
    """A filter the API accepts: ``?name=value`` keeps the rows whose ``lookup`` equals the value."""

    name: str
    lookup: str
    description: Any = ""
    kind: str = STRING


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Any
    description: Any
    # EU data theme (http://publications.europa.eu/resource/authority/data-theme/…) and accrual periodicity
    # (…/authority/frequency/…), for the DCAT-AP_IT catalogue.
    theme: str
    periodicity: str
    rows: Callable[[], QuerySet]
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...] = ()
    keywords: tuple[str, ...] = field(default_factory=tuple)
    # "app_label.Model" of the rows: lets the API build its schemas at import time without a query.
    model_label: str = ""

    @property
    def model(self):
        if self.model_label:
            return apps.get_model(self.model_label)
        return self.rows().model

    def queryset(self, params: dict[str, str] | None = None) -> QuerySet:
        """The public rows, oldest first (by primary key), narrowed by allow-listed filters.

        Unknown parameters are the caller's to refuse; values of known filters are matched exactly."""
        rows = self.rows()
        for flt in self.filters:
            value = (params or {}).get(flt.name)
            if value in (None, ""):
                continue
            if flt.kind == INTEGER:
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    return rows.none()
            if "__" in flt.lookup:
                # A filter across a relation may match a row more than once: select the keys instead.
                rows = rows.filter(pk__in=self.model.objects.filter(**{flt.lookup: value}).values("pk"))
            else:
                rows = rows.filter(**{flt.lookup: value})
        return rows.order_by("pk")

    def modified(self) -> datetime | None:
        """When a public row of the dataset last changed (for ``Last-Modified`` and the catalogue).

        A scan of every public row, so it is kept in the cache until the dataset's app writes again."""
        return pagecache.remember(
            f"opendata:modified:{self.slug}",
            (self.model._meta.app_label,),
            lambda: self.rows().aggregate(last=Max("updated_at"))["last"],
        )

    def row(self, obj) -> dict[str, Any]:
        return {column.name: column.get(obj) for column in self.columns}

    def page_rows(self, queryset: QuerySet) -> list[dict[str, Any]]:
        """The rows of one page (a sliced queryset), read at once: no server-side cursor for a few rows."""
        with translation.override(settings.LANGUAGE_CODE):
            return [self.row(obj) for obj in queryset]

    def iter_rows(self, queryset: QuerySet | None = None) -> Iterator[dict[str, Any]]:
        """Every row as a dict of Python values, read in chunks (constant memory)."""
        queryset = self.queryset() if queryset is None else queryset
        for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
            with translation.override(settings.LANGUAGE_CODE):
                yield self.row(obj)


# --- Value helpers -----------------------------------------------------------------------------------------


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def page_url(obj) -> str:
    return absolute(obj.get_absolute_url())


def slug_of(related) -> str | None:
    return related.slug if related is not None else None


def json_value(value: Any) -> Any:
    """A Python value as JSON: decimals become numbers, dates ISO 8601 text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def text_value(value: Any) -> str:
    """A Python value as one text cell (CSV): lists joined by "|", booleans as true/false, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "|".join(text_value(item) for item in value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


# --- The datasets ------------------------------------------------------------------------------------------

ANONYMOUS = AnonymousUser()


def _organisations() -> QuerySet:
    from cittasmart.stakeholders.models import Organisation

    return Organisation.objects.all()


def _survey_records() -> QuerySet:
    from cittasmart.survey.catalogue import records_visible
    from cittasmart.survey.models import RecordPartner

    partners = RecordPartner.objects.select_related("organisation").order_by("id")
    return (
        records_visible(user=ANONYMOUS)
        .select_related("round", "owner")
        .prefetch_related("impacts", Prefetch("partners", queryset=partners))
    )


def _published_versions() -> QuerySet:
    from cittasmart.plan.selectors import versions_visible

    return versions_visible(user=ANONYMOUS)


def _plan_versions() -> QuerySet:
    from cittasmart.plan.models import PlanVersion

    return PlanVersion.objects.filter(pk__in=_published_versions().values("pk"))


def _actions() -> QuerySet:
    from cittasmart.plan.models import Action
    from cittasmart.stakeholders.models import Organisation

    return (
        Action.objects.filter(version__in=_published_versions().values("pk"))
        .select_related("version", "objective", "responsible")
        .prefetch_related("ambiti", Prefetch("partners", queryset=Organisation.objects.only("slug")))
    )


def _indicators() -> QuerySet:
    from cittasmart.plan.models import Indicator

    return Indicator.objects.filter(version__in=_published_versions().values("pk")).select_related(
        "version", "action", "source_organisation"
    )


def _measurements() -> QuerySet:
    from cittasmart.plan.models import Measurement

    return Measurement.objects.filter(
        indicator__version__in=_published_versions().values("pk")
    ).select_related("indicator__version")


def _processes() -> QuerySet:
    from cittasmart.participation.selectors import processes_visible

    return (
        processes_visible(user=ANONYMOUS)
        .select_related("organiser", "plan_version")
        .prefetch_related("ambiti")
    )


def _ideas() -> QuerySet:
    from cittasmart.participation.selectors import ideas_visible, processes_visible

    return (
        ideas_visible(user=ANONYMOUS)
        .filter(process__in=processes_visible(user=ANONYMOUS).values("pk"))
        .select_related("process", "author", "organisation", "answer")
        .defer("body_html", "process__description_html")
    )


def _meetings() -> QuerySet:
    from cittasmart.meetings.selectors import meetings_visible

    return (
        meetings_visible(user=ANONYMOUS)
        .select_related("tour", "process")
        .defer("report_html", "description_html")
    )


def _documents() -> QuerySet:
    from cittasmart.documents.selectors import documents_visible

    return documents_visible(user=ANONYMOUS).select_related(
        "category", "author_organisation", "current_version"
    )


def _answer_outcome(idea) -> str | None:
    try:
        return idea.answer.outcome
    except Exception:  # no answer yet (RelatedObjectDoesNotExist)
        return None


def _document_download(document) -> str | None:
    if document.current_version_id is None:
        return None
    from django.urls import reverse

    return absolute(reverse("documents:download", kwargs={"pk": document.pk}))


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        slug="organisations",
        model_label="stakeholders.Organisation",
        title=_("Organisations"),
        description=_(
            "The organisations taking part in the Smart City plan: the administration, its participated "
            "companies, public bodies, the university, businesses and associations."
        ),
        theme="GOVE",
        periodicity="IRREG",
        rows=_organisations,
        columns=(
            Column("id", INTEGER, lambda o: o.pk),
            Column("slug", STRING, lambda o: o.slug),
            Column("name", STRING, lambda o: o.name),
            Column("category", STRING, lambda o: o.category),
            Column("is_public_body", BOOLEAN, lambda o: o.is_public_body),
            Column("ipa_code", STRING, lambda o: o.ipa_code or None),
            Column("website", STRING, lambda o: o.website or None),
            Column("description", STRING, lambda o: o.description),
            Column("url", STRING, page_url),
            Column("updated_at", DATETIME, lambda o: o.updated_at),
        ),
        filters=(Filter("category", "category", _("Category of organisation")),),
        keywords=("stakeholder", "organizzazioni"),
    ),
    Dataset(
        slug="survey-records",
        model_label="survey.SurveyRecord",
        title=_("Smart city projects and ideas from the survey"),
        description=_(
            "The validated public records of the survey of smart-city projects and ideas of the administration "
            "and its participated companies, by round."
        ),
        theme="GOVE",
        periodicity="ANNUAL",
        rows=_survey_records,
        columns=(
            Column("id", INTEGER, lambda r: r.pk),
            Column("round", STRING, lambda r: r.round.slug),
            Column("round_year", INTEGER, lambda r: r.round.year),
            Column("kind", STRING, lambda r: r.kind),
            Column("title", STRING, lambda r: r.title),
            Column("description", STRING, lambda r: r.description),
            Column("owner", STRING, lambda r: r.owner.slug),
            Column("owner_name", STRING, lambda r: r.owner.name),
            Column("reference_ambito", STRING, lambda r: r.reference_ambito or None),
            Column("impact_ambiti", LIST, lambda r: sorted(i.ambito for i in r.impacts.all())),
            Column(
                "partners",
                LIST,
                lambda r: [p.organisation.slug if p.organisation_id else p.name for p in r.partners.all()],
            ),
            Column("status", STRING, lambda r: r.status),
            Column("planned_start", DATE, lambda r: r.planned_start),
            Column("planned_end", DATE, lambda r: r.planned_end),
            Column("actual_start", DATE, lambda r: r.actual_start),
            Column("actual_end", DATE, lambda r: r.actual_end),
            Column("budget", NUMBER, lambda r: r.budget),
            Column("cup", STRING, lambda r: r.cup or None),
            Column("latitude", NUMBER, lambda r: r.latitude),
            Column("longitude", NUMBER, lambda r: r.longitude),
            Column("audience_citizens", BOOLEAN, lambda r: r.audience_citizens),
            Column("audience_businesses", BOOLEAN, lambda r: r.audience_businesses),
            Column("audience_schools", BOOLEAN, lambda r: r.audience_schools),
            Column("audience_internal", BOOLEAN, lambda r: r.audience_internal),
            Column("url", STRING, page_url),
            Column("updated_at", DATETIME, lambda r: r.updated_at),
        ),
        filters=(
            Filter("round", "round__slug", _("Survey round (its short name)")),
            Filter("kind", "kind", _("project or idea")),
            Filter("owner", "owner__slug", _("Organisation (its short name)")),
            Filter("ambito", "reference_ambito", _("Reference domain")),
            Filter("status", "status", _("Status")),
        ),
        keywords=("smart city", "progetti", "ricognizione"),
    ),
    Dataset(
        slug="plan-versions",
        model_label="plan.PlanVersion",
        title=_("Versions of the Smart City plan"),
        description=_("Every published version of the plan, with its approval act."),
        theme="GOVE",
        periodicity="ANNUAL",
        rows=_plan_versions,
        columns=(
            Column("id", INTEGER, lambda v: v.pk),
            Column("slug", STRING, lambda v: v.slug),
            Column("number", INTEGER, lambda v: v.number),
            Column("kind", STRING, lambda v: v.kind),
            Column("title", STRING, lambda v: v.title),
            Column("summary", STRING, lambda v: v.summary),
            Column("approval_body", STRING, lambda v: v.approval_body or None),
            Column("approval_act_type", STRING, lambda v: v.approval_act_type or None),
            Column("approval_act_number", STRING, lambda v: v.approval_act_number or None),
            Column("approval_date", DATE, lambda v: v.approval_date),
            Column("published_on", DATE, lambda v: v.published_on),
            Column("url", STRING, page_url),
            Column("updated_at", DATETIME, lambda v: v.updated_at),
        ),
        keywords=("piano smart city",),
    ),
    Dataset(
        slug="actions",
        model_label="plan.Action",
        title=_("Actions of the Smart City plan"),
        description=_(
            "The actions of every published version of the plan: who is responsible, partners, domains, "
            "status, dates and budget. The same action keeps its key across versions."
        ),
        theme="GOVE",
        periodicity="ANNUAL",
        rows=_actions,
        columns=(
            Column("id", INTEGER, lambda a: a.pk),
            Column("key", STRING, lambda a: str(a.key)),
            Column("version", STRING, lambda a: a.version.slug),
            Column("code", STRING, lambda a: a.code),
            Column("kind", STRING, lambda a: a.kind),
            Column("title", STRING, lambda a: a.title),
            Column("description", STRING, lambda a: a.description),
            Column("objective", STRING, lambda a: a.objective.title if a.objective_id else None),
            Column("ambiti", LIST, lambda a: sorted(x.ambito for x in a.ambiti.all())),
            Column("responsible", STRING, lambda a: slug_of(a.responsible)),
            Column("partners", LIST, lambda a: sorted(p.slug for p in a.partners.all())),
            Column("status", STRING, lambda a: a.status),
            Column("horizon", STRING, lambda a: a.horizon or None),
            Column("priority", STRING, lambda a: a.priority or None),
            Column("planned_start", DATE, lambda a: a.planned_start),
            Column("planned_end", DATE, lambda a: a.planned_end),
            Column("actual_start", DATE, lambda a: a.actual_start),
            Column("actual_end", DATE, lambda a: a.actual_end),
            Column("budget", NUMBER, lambda a: a.budget),
            Column("funding", STRING, lambda a: a.funding),
            Column("url", STRING, page_url),
            Column("updated_at", DATETIME, lambda a: a.updated_at),
        ),
        filters=(
            Filter("version", "version__slug", _("Plan version (its short name)")),
            Filter("code", "code", _("Code of the action")),
            Filter("status", "status", _("Status")),
            Filter("ambito", "ambiti__ambito", _("Domain")),
            Filter("responsible", "responsible__slug", _("Responsible organisation (its short name)")),
        ),
        keywords=("piano smart city", "azioni"),
    ),
    Dataset(
        slug="indicators",
        model_label="plan.Indicator",
        title=_("Indicators of the Smart City plan"),
        description=_(
            "The indicators that measure the plan, city-wide or for one action, with unit and source."
        ),
        theme="GOVE",
        periodicity="ANNUAL",
        rows=_indicators,
        columns=(
            Column("id", INTEGER, lambda i: i.pk),
            Column("key", STRING, lambda i: str(i.key)),
            Column("version", STRING, lambda i: i.version.slug),
            Column("code", STRING, lambda i: i.code),
            Column("name", STRING, lambda i: i.name),
            Column("definition", STRING, lambda i: i.definition),
            Column("unit", STRING, lambda i: i.unit),
            Column("direction", STRING, lambda i: i.direction),
            Column("logic_type", STRING, lambda i: i.logic_type),
            Column("level", STRING, lambda i: i.level),
            Column("action", STRING, lambda i: i.action.code if i.action_id else None),
            Column("periodicity", STRING, lambda i: i.periodicity or None),
            Column("source", STRING, lambda i: i.source),
            Column("source_organisation", STRING, lambda i: slug_of(i.source_organisation)),
            Column("iso_theme", STRING, lambda i: i.iso_theme or None),
            Column("u4ssc_code", STRING, lambda i: i.u4ssc_code or None),
            Column("url", STRING, page_url),
            Column("updated_at", DATETIME, lambda i: i.updated_at),
        ),
        filters=(
            Filter("version", "version__slug", _("Plan version (its short name)")),
            Filter("code", "code", _("Code of the indicator")),
            Filter("level", "level", _("city or action")),
            Filter(
                "source_organisation", "source_organisation__slug", _("Source organisation (its short name)")
            ),
        ),
        keywords=("indicatori", "KPI"),
    ),
    Dataset(
        slug="measurements",
        model_label="plan.Measurement",
        title=_("Measurements of the plan's indicators"),
        description=_("The measured values, baselines and targets of the indicators, by period."),
        theme="GOVE",
        periodicity="CONT",
        rows=_measurements,
        columns=(
            Column("id", INTEGER, lambda m: m.pk),
            Column("key", STRING, lambda m: str(m.key)),
            Column("version", STRING, lambda m: m.indicator.version.slug),
            Column("indicator", STRING, lambda m: m.indicator.code),
            Column("period", STRING, lambda m: m.period),
            Column("period_end", DATE, lambda m: m.period_end),
            Column("value", NUMBER, lambda m: m.value),
            Column("is_baseline", BOOLEAN, lambda m: m.is_baseline),
            Column("target", NUMBER, lambda m: m.target),
            Column("quality", STRING, lambda m: m.quality or None),
            Column("source", STRING, lambda m: m.source),
            Column("note", STRING, lambda m: m.note),
            Column("updated_at", DATETIME, lambda m: m.updated_at),
        ),
        filters=(
            Filter("version", "indicator__version__slug", _("Plan version (its short name)")),
            Filter("indicator", "indicator__code", _("Code of the indicator")),
            Filter("period", "period", _("Period, such as 2021 or 2021-Q3")),
        ),
        keywords=("indicatori", "misure"),
    ),
    Dataset(
        slug="processes",
        model_label="participation.Process",
        title=_("Participatory processes"),
        description=_("The published participatory processes, with their organiser and domains."),
        theme="GOVE",
        periodicity="IRREG",
        rows=_processes,
        columns=(
            Column("id", INTEGER, lambda p: p.pk),
            Column("slug", STRING, lambda p: p.slug),
            Column("title", STRING, lambda p: p.title),
            Column("summary", STRING, lambda p: p.summary),
            Column("organiser", STRING, lambda p: slug_of(p.organiser)),
            Column("plan_version", STRING, lambda p: slug_of(p.plan_version)),
            Column("ambiti", LIST, lambda p: sorted(x.ambito for x in p.ambiti.all())),
            Column("url", STRING, page_url),
            Column("updated_at", DATETIME, lambda p: p.updated_at),
        ),
        keywords=("partecipazione",),
    ),
    Dataset(
        slug="ideas",
        model_label="participation.Idea",
        title=_("Ideas from citizens and stakeholders"),
        description=_(
            "The public ideas of the participatory processes, with supports, comments and the administration's "
            "answer. Authors appear only with the public name they chose."
        ),
        theme="GOVE",
        periodicity="CONT",
        rows=_ideas,
        columns=(
            Column("id", INTEGER, lambda i: i.pk),
            Column("process", STRING, lambda i: i.process.slug),
            Column("title", STRING, lambda i: i.title),
            Column("body", STRING, lambda i: i.body),
            Column("ambito", STRING, lambda i: i.ambito or None),
            Column("place_name", STRING, lambda i: i.place_name or None),
            Column("latitude", NUMBER, lambda i: i.latitude),
            Column("longitude", NUMBER, lambda i: i.longitude),
            Column("author", STRING, lambda i: i.author.public_name if i.author_id else None),
            Column("organisation", STRING, lambda i: slug_of(i.organisation)),
            Column("status", STRING, lambda i: i.status),
            Column("outcome", STRING, _answer_outcome),
            Column("published_at", DATETIME, lambda i: i.published_at),
            Column("support_count", INTEGER, lambda i: i.support_count),
            Column("comment_count", INTEGER, lambda i: i.comment_count),
            Column("url", STRING, page_url),
            Column("updated_at", DATETIME, lambda i: i.updated_at),
        ),
        filters=(
            Filter("process", "process__slug", _("Process (its short name)")),
            Filter("ambito", "ambito", _("Domain")),
            Filter("status", "status", _("Status")),
        ),
        keywords=("partecipazione", "idee"),
    ),
    Dataset(
        slug="meetings",
        model_label="meetings.Meeting",
        title=_("Public meetings"),
        description=_("The published meetings and working groups, with place, time and seats."),
        theme="GOVE",
        periodicity="CONT",
        rows=_meetings,
        columns=(
            Column("id", INTEGER, lambda m: m.pk),
            Column("slug", STRING, lambda m: m.slug),
            Column("title", STRING, lambda m: m.title),
            Column("summary", STRING, lambda m: m.summary),
            Column("tour", STRING, lambda m: slug_of(m.tour)),
            Column("process", STRING, lambda m: slug_of(m.process)),
            Column("venue_name", STRING, lambda m: m.venue_name or None),
            Column("address", STRING, lambda m: m.address or None),
            Column("municipality", STRING, lambda m: m.municipality or None),
            Column("territory", STRING, lambda m: m.territory or None),
            Column("latitude", NUMBER, lambda m: m.latitude),
            Column("longitude", NUMBER, lambda m: m.longitude),
            Column("online_url", STRING, lambda m: m.online_url or None),
            Column("starts_at", DATETIME, lambda m: m.starts_at),
            Column("ends_at", DATETIME, lambda m: m.ends_at),
            Column("capacity", INTEGER, lambda m: m.capacity),
            Column("url", STRING, page_url),
            Column("updated_at", DATETIME, lambda m: m.updated_at),
        ),
        filters=(
            Filter("tour", "tour__slug", _("Tour (its short name)")),
            Filter("territory", "territory", _("Territory")),
        ),
        keywords=("incontri", "partecipazione"),
    ),
    Dataset(
        slug="documents",
        model_label="documents.Document",
        title=_("Public documents"),
        description=_("The public documents of the library: plan texts, minutes, reports and data files."),
        theme="GOVE",
        periodicity="IRREG",
        rows=_documents,
        columns=(
            Column("id", INTEGER, lambda d: d.pk),
            Column("title", STRING, lambda d: d.title),
            Column("description", STRING, lambda d: d.description),
            Column("category", STRING, lambda d: d.category.name),
            Column("date", DATE, lambda d: d.date),
            Column("author_organisation", STRING, lambda d: slug_of(d.author_organisation)),
            Column("language", STRING, lambda d: d.language),
            Column("licence", STRING, lambda d: d.licence),
            Column("version", INTEGER, lambda d: d.current_version.number if d.current_version_id else None),
            Column(
                "file_name", STRING, lambda d: d.current_version.file_name if d.current_version_id else None
            ),
            Column(
                "content_type",
                STRING,
                lambda d: d.current_version.content_type if d.current_version_id else None,
            ),
            Column("size", INTEGER, lambda d: d.current_version.size if d.current_version_id else None),
            Column("download_url", STRING, _document_download),
            Column("url", STRING, page_url),
            Column("updated_at", DATETIME, lambda d: d.updated_at),
        ),
        filters=(Filter("category", "category__slug", _("Category (its short name)")),),
        keywords=("documenti",),
    ),
)

BY_SLUG = {dataset.slug: dataset for dataset in DATASETS}


def dataset_get(slug: str) -> Dataset | None:
    return BY_SLUG.get(slug)
