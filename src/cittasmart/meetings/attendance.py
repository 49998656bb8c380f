"""The staff's reading of a meeting: who is registered, who is waiting, who came, and the figures of attendance by
sector and by working group; the attendance list as a CSV file; the content of the report page.

Every figure comes from one grouped query, every list is read with what it shows (group, theme, organisation) in
the same query, so the number of queries does not grow with the registrations. Nothing here writes."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cittasmart.core.spreadsheet import Echo, neutralise
from cittasmart.meetings.models import (
    Contribution,
    Meeting,
    Registration,
    RegistrationStatus,
    WorkingGroup,
)
from cittasmart.meetings.services import normalise_code
from cittasmart.stakeholders.models import OrganisationCategory

CHUNK_SIZE = 500
RECENT_CHECKINS = 10

_CONFIRMED = Q(status=RegistrationStatus.CONFIRMED)
_ATTENDED = Q(status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False)


# --- Figures --------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """The registrations of a meeting by state; ``attended`` are the confirmed people checked in."""

    registered: int = 0
    waitlisted: int = 0
    pending: int = 0
    cancelled: int = 0
    attended: int = 0

    @property
    def no_shows(self) -> int:
        return max(self.registered - self.attended, 0)


def figures(meeting: Meeting) -> Figures:
    """The counts of the meeting's registrations, from one query."""
    counts = Registration.objects.filter(meeting=meeting).aggregate(
        registered=Count("id", filter=_CONFIRMED),
        waitlisted=Count("id", filter=Q(status=RegistrationStatus.WAITLISTED)),
        pending=Count("id", filter=Q(status=RegistrationStatus.PENDING)),
        cancelled=Count("id", filter=Q(status=RegistrationStatus.CANCELLED)),
        attended=Count("id", filter=_ATTENDED),
    )
    return Figures(**counts)


@dataclass
class BreakdownRow:
    """Confirmed registrations and attendance of one sector or one working group (``seats``: None, no limit)."""

    label: str
    registered: int = 0
    attended: int = 0
    seats: int | None = None

    @property
    def no_shows(self) -> int:
        return max(self.registered - self.attended, 0)


@dataclass
class Breakdown:
    rows: list[BreakdownRow] = field(default_factory=list)
    total: BreakdownRow = field(default_factory=lambda: BreakdownRow(label=str(_("Total"))))

    def add(self, row: BreakdownRow) -> None:
        self.rows.append(row)
        self.total.registered += row.registered
        self.total.attended += row.attended


def _grouped(meeting: Meeting, key: str) -> dict:
    """Confirmed and attended registrations of ``meeting`` grouped by ``key``: {value: (registered, attended)}."""
    rows = (
        Registration.objects.filter(_CONFIRMED, meeting=meeting)
        .order_by()
        .values(key)
        .annotate(registered=Count("id"), attended=Count("id", filter=Q(checked_in_at__isnull=False)))
    )
    return {row[key]: (row["registered"], row["attended"]) for row in rows}


def by_category(meeting: Meeting) -> Breakdown:
    """Every sector (organisation category) in its order, then the people who did not state one."""
    counts = _grouped(meeting, "organisation_category")
    breakdown = Breakdown()
    for value, label in OrganisationCategory.choices:
        registered, attended = counts.get(value, (0, 0))
        breakdown.add(BreakdownRow(label=str(label), registered=registered, attended=attended))
    registered, attended = counts.get("", (0, 0))
    if registered:
        breakdown.add(BreakdownRow(label=str(_("Not stated")), registered=registered, attended=attended))
    return breakdown


def by_group(meeting: Meeting) -> Breakdown:
    """Every working group of the meeting (``meeting.groups`` is usually prefetched) with its seats."""
    counts = _grouped(meeting, "group")
    breakdown = Breakdown()
    for group in meeting.groups.all():
        registered, attended = counts.get(group.pk, (0, 0))
        breakdown.add(
            BreakdownRow(label=str(group), registered=registered, attended=attended, seats=group.capacity)
        )
    registered, attended = counts.get(None, (0, 0))
    if registered:
        breakdown.add(
            BreakdownRow(label=str(_("No working group")), registered=registered, attended=attended)
        )
    breakdown.total.seats = meeting.capacity
    return breakdown


# --- Lists ----------------------------------------------------------------------------------------------


def _with_details(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("group__theme", "organisation")


def confirmed(meeting: Meeting) -> QuerySet:
    """The people holding a seat, by name."""
    return _with_details(Registration.objects.filter(_CONFIRMED, meeting=meeting)).order_by(
        Lower("name"), "id"
    )


def waitlist(meeting: Meeting) -> QuerySet:
    """The people waiting for a seat, in the order they will be served."""
    return _with_details(
        Registration.objects.filter(meeting=meeting, status=RegistrationStatus.WAITLISTED)
    ).order_by("queued_at", "id")


def recent_checkins(meeting: Meeting, limit: int = RECENT_CHECKINS) -> list[Registration]:
    return list(
        Registration.objects.filter(meeting=meeting, checked_in_at__isnull=False)
        .select_related("group__theme")
        .order_by("-checked_in_at", "-id")[:limit]
    )


def registration_by_code(meeting: Meeting, text: str) -> Registration | None:
    """The registration of ``meeting`` whose code is in ``text`` (typed, or the check-in address), if any."""
    code = normalise_code(text)
    if not code:
        return None
    return _with_details(Registration.objects.filter(meeting=meeting, code=code)).first()


def organisation_label(registration: Registration) -> str:
    if registration.organisation_name:
        return registration.organisation_name
    return registration.organisation.name if registration.organisation_id else ""


# --- CSV ------------------------------------------------------------------------------------------------

CSV_HEADER = (
    "code",
    "name",
    "organisation",
    "sector",
    "sector_label",
    "working_group",
    "state",
    "state_label",
    "waitlist_position",
    "checked_in_at",
)


def csv_row(registration: Registration, *, position: int | None, questions: list) -> list[str]:
    """One registration as CSV cells (text, before neutralisation)."""
    checked_in = registration.checked_in_at
    return [
        registration.code,
        registration.name,
        organisation_label(registration),
        registration.organisation_category,
        str(registration.get_organisation_category_display()) if registration.organisation_category else "",
        str(registration.group) if registration.group_id else "",
        registration.status,
        str(registration.get_status_display()),
        str(position) if position is not None else "",
        timezone.localtime(checked_in).isoformat(timespec="seconds") if checked_in else "",
        *[str(registration.answers.get(str(question.pk), "")) for question in questions],
    ]


def csv_lines(meeting: Meeting) -> Iterator[str]:
    """The attendance list line by line: the confirmed people by name, then the waitlist in its order, with the
    answers to the meeting's questions. UTF-8 with a byte-order mark (for spreadsheet programs), cells
    neutralised against formulas."""
    questions = list(meeting.questions.all())
    writer = csv.writer(Echo())
    header = [*CSV_HEADER, *[question.label for question in questions]]
    yield "\ufeff" + writer.writerow([neutralise(cell) for cell in header])
    for registration in confirmed(meeting).iterator(chunk_size=CHUNK_SIZE):
        cells = csv_row(registration, position=None, questions=questions)
        yield writer.writerow([neutralise(cell) for cell in cells])
    for position, registration in enumerate(waitlist(meeting).iterator(chunk_size=CHUNK_SIZE), start=1):
        cells = csv_row(registration, position=position, questions=questions)
        yield writer.writerow([neutralise(cell) for cell in cells])


def csv_filename(meeting: Meeting) -> str:
    return f"attendance-{meeting.slug}.csv"


# --- The report -----------------------------------------------------------------------------------------


def report_groups(meeting: Meeting) -> list[WorkingGroup]:
    """The working groups with what the report shows of them (facilitators, attachments, contributions with
    their ideas), in a constant number of queries."""
    contributions = Contribution.objects.select_related(
        "idea__process", "registration", "organisation"
    ).order_by("created_at", "id")
    return list(
        WorkingGroup.objects.filter(meeting=meeting)
        .select_related("theme")
        .prefetch_related("facilitators", "attachments", Prefetch("contributions", queryset=contributions))
    )


def group_contributions(group: WorkingGroup) -> QuerySet:
    """The contributions of a group, newest first, with the ideas they became."""
    return group.contributions.select_related("idea__process", "registration", "organisation").order_by(
        "-created_at", "-id"
    )
