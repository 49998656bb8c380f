"""Reads of the public catalogue of survey records: who sees what, filters, sort, the map and site search.

Visibility follows ``survey.view_record`` (rules.py): everyone sees validated public records; staff see every
record; members of an organisation also see that organisation's reserved and not yet validated records. The list
shows the extra records only when asked (``include_reserved``), so the public view stays the default for them too.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from cittasmart.core.maps import MapPoint, PointMap, point_map
from cittasmart.core.registry import SearchHit, SearchSection
from cittasmart.core.roles import is_staff_member
from cittasmart.core.search import text_search
from cittasmart.stakeholders.models import Membership, Organisation, OrganisationCategory, OwnerType
from cittasmart.survey.models import (
    RecordImpact,
    RecordKind,
    RecordPartner,
    RoundStatus,
    SurveyRecord,
    SurveyRound,
    Visibility,
)

AUDIENCES = (
    ("citizens", _("Citizens")),
    ("businesses", _("Businesses")),
    ("schools", _("Schools")),
    ("internal", _("Internal (the organisation itself)")),
)

SORTS = (
    ("title", _("Title")),
    ("newest", _("Newest round first")),
    ("budget", _("Largest budget first")),
)

# The map draws at most this many points; the page says so when there are more.
MAP_LIMIT = 500


# --- Who sees what --------------------------------------------------------------------------------------


def _is_staff(user) -> bool:
    return bool(is_staff_member.test(user))


def can_include_reserved(user) -> bool:
    """Staff and members of an organisation may ask the list for records the public does not see."""
    if not getattr(user, "is_authenticated", False):
        return False
    return _is_staff(user) or Membership.objects.filter(user=user).exists()


def records_visible(*, user, include_reserved: bool = False) -> QuerySet[SurveyRecord]:
    """The records ``user`` may see in the catalogue (the same answer as ``survey.view_record``)."""
    public = Q(is_validated=True, visibility=Visibility.PUBLIC)
    records = SurveyRecord.objects.all()
    if not include_reserved or not getattr(user, "is_authenticated", False):
        return records.filter(public)
    if _is_staff(user):
        return records
    own = Exists(Membership.objects.filter(user=user, organisation_id=OuterRef("owner_id")))
    return records.filter(public | own)


def record_get(*, user, pk: int) -> SurveyRecord:
    """A record with everything its page shows; 404 for both "missing" and "not for you"."""
    record = (
        SurveyRecord.objects.select_related("round", "owner", "update_of", "update_of__round")
        .prefetch_related(
            Prefetch("partners", queryset=RecordPartner.objects.select_related("organisation")),
            "funding",
            Prefetch("impacts", queryset=RecordImpact.objects.order_by("ambito")),
        )
        .filter(pk=pk)
        .first()
    )
    if record is None or not user.has_perm("survey.view_record", record):
        raise Http404
    return record


def record_updates(*, user, record: SurveyRecord) -> QuerySet[SurveyRecord]:
    """The records of later rounds that update ``record`` and that ``user`` may see."""
    return (
        records_visible(user=user, include_reserved=True)
        .filter(update_of=record)
        .select_related("round")
        .order_by("-round__year", "-round__created_at")
    )


def safe_links(record: SurveyRecord) -> list[tuple[str, bool]]:
    """(text, is_web_address): only http(s) addresses become links, anything else is shown as text."""
    return [(line, line.lower().startswith(("http://", "https://"))) for line in record.link_list]


# --- The list -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueFilters:
    query: str = ""
    ambito: str = ""
    include_impact: bool = False
    owner: Organisation | None = None
    owner_type: str = ""
    status: str = ""
    audience: str = ""
    kind: str = ""
    survey_round: SurveyRound | None = None
    sort: str = "title"
    include_reserved: bool = False


def owner_type_q(owner_type: str, prefix: str = "owner__") -> Q:
    """The queryset form of ``stakeholders.models.owner_type_of``."""
    host = Q(**{f"{prefix}is_host_entity": True})
    participated = Q(**{f"{prefix}category": OrganisationCategory.PARTICIPATED_COMPANY})
    if owner_type == OwnerType.HOST_ENTITY:
        return host
    if owner_type == OwnerType.PARTICIPATED_COMPANY:
        return ~host & participated
    if owner_type == OwnerType.OTHER:
        return ~host & ~participated
    return Q()


def _sorted(records: QuerySet[SurveyRecord], sort: str) -> QuerySet[SurveyRecord]:
    if sort == "newest":
        return records.order_by("-round__year", "-round__created_at", "title", "id")
    if sort == "budget":
        return records.order_by(F("budget").desc(nulls_last=True), "title", "id")
    return records.order_by("title", "id")


def record_list(*, user, filters: CatalogueFilters) -> QuerySet[SurveyRecord]:
    records = records_visible(user=user, include_reserved=filters.include_reserved)
    if filters.ambito:
        in_ambito = Q(reference_ambito=filters.ambito)
        if filters.include_impact:
            in_ambito |= Q(
                Exists(RecordImpact.objects.filter(record_id=OuterRef("pk"), ambito=filters.ambito))
            )
        records = records.filter(in_ambito)
    if filters.owner is not None:
        records = records.filter(owner=filters.owner)
    if filters.owner_type:
        records = records.filter(owner_type_q(filters.owner_type))
    if filters.status:
        records = records.filter(status=filters.status)
    if filters.audience in dict(AUDIENCES):
        records = records.filter(**{f"audience_{filters.audience}": True})
    if filters.kind:
        records = records.filter(kind=filters.kind)
    if filters.survey_round is not None:
        records = records.filter(round=filters.survey_round)
    if filters.query:
        records = records.filter(Q(title__icontains=filters.query) | Q(description__icontains=filters.query))
    return _sorted(records.select_related("round", "owner"), filters.sort)


def catalogue_owners(*, user, include_reserved: bool = False) -> QuerySet[Organisation]:
    """The organisations that own at least one record the user may see (the choices of the owner filter)."""
    visible = records_visible(user=user, include_reserved=include_reserved).filter(owner_id=OuterRef("pk"))
    return Organisation.objects.filter(Exists(visible)).order_by("name")


def catalogue_rounds(*, user) -> QuerySet[SurveyRound]:
    """The rounds the round filter offers: every round to staff, rounds past their draft to everyone else."""
    rounds = SurveyRound.objects.order_by("-year", "-created_at")
    if _is_staff(user):
        return rounds
    return rounds.exclude(status=RoundStatus.DRAFT)


# --- The map --------------------------------------------------------------------------------------------


def record_map(records: QuerySet[SurveyRecord], limit: int = MAP_LIMIT) -> PointMap:
    """The located records of ``records`` (at most ``limit``) on a map drawn by ``core.maps``."""
    rows = list(
        records.filter(latitude__isnull=False, longitude__isnull=False)
        .select_related(None)
        .values_list("pk", "title", "owner__name", "latitude", "longitude")[: limit + 1]
    )
    total = len(rows)
    if total > limit:
        rows = rows[:limit]
        total = records.filter(latitude__isnull=False, longitude__isnull=False).count()
    points = [
        MapPoint(
            title=title,
            subtitle=owner,
            url=reverse("survey:record_detail", kwargs={"pk": pk}),
            latitude=float(lat),
            longitude=float(lon),
        )
        for pk, title, owner, lat, lon in rows
    ]
    return point_map(points, total=total)


# --- The survey's landing page --------------------------------------------------------------------------


def published_rounds() -> QuerySet[SurveyRound]:
    """Published rounds with the counts of their validated records, newest first."""
    validated = Q(records__is_validated=True)
    return (
        SurveyRound.objects.filter(status=RoundStatus.PUBLISHED)
        .annotate(
            record_count=Count("records", filter=validated),
            project_count=Count("records", filter=validated & Q(records__kind=RecordKind.PROJECT)),
            idea_count=Count("records", filter=validated & Q(records__kind=RecordKind.IDEA)),
        )
        .prefetch_related(Prefetch("conducted_by", queryset=Organisation.objects.order_by("name")))
        .order_by("-year", "-created_at")
    )


# --- Site search ----------------------------------------------------------------------------------------


def search_records(*, query: str, user, limit: int) -> SearchSection:
    """The records ``user`` may see whose title or description matches ``query``, the most relevant first."""
    include_reserved = can_include_reserved(user)
    records = text_search(
        record_list(user=user, filters=CatalogueFilters(include_reserved=include_reserved)),
        query,
        "title",
        "description",
    )
    hits = [
        SearchHit(
            title=r.title,
            url=r.get_absolute_url(),
            summary=f"{r.owner.name} · {r.get_kind_display()} · {r.round.title}. "
            f"{Truncator(r.description).words(20)}".strip(),
        )
        for r in records[:limit]
    ]
    params = {"q": query}
    if include_reserved:
        params["reserved"] = "on"
    return SearchSection(
        title=_("Survey projects and ideas"),
        hits=hits,
        total=records.count() if len(hits) == limit else len(hits),
        more_url=f"{reverse('survey:catalogue')}?{urlencode(params)}",
    )
