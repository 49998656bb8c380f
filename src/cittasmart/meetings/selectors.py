"""Reads of meetings: visible tours and meetings with their seats counted in the same query, a meeting's page,
a person's registrations. Unpublished tours and meetings answer 404 to everyone but staff, so they do not leak."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cittasmart.core.roles import is_staff_member
from cittasmart.meetings.models import (
    ACTIVE_STATUSES,
    Meeting,
    MeetingTiming,
    Registration,
    RegistrationStatus,
    Tour,
    WorkingGroup,
)


def _seat_counts(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
        waitlisted_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
    )


def meetings_visible(*, user) -> QuerySet:
    meetings = Meeting.objects.all()
    if not is_staff_member(user):
        meetings = meetings.filter(is_published=True).filter(
            Q(tour__isnull=True) | Q(tour__is_published=True)
        )
    return meetings


@dataclass(frozen=True)
class MeetingFilters:
    timing: str = ""
    territory: str = ""
    theme: str = ""


def meeting_list(*, user, tour: Tour | None = None, filters: MeetingFilters = MeetingFilters()) -> QuerySet:
    """Meetings ``user`` may see, with seats counted and tour and groups at hand; upcoming first in date order,
    past ones newest first."""
    meetings = meetings_visible(user=user)
    if tour is not None:
        meetings = meetings.filter(tour=tour)
    now = timezone.now()
    if filters.timing == MeetingTiming.UPCOMING:
        meetings = meetings.filter(ends_at__gte=now).order_by("starts_at", "id")
    elif filters.timing == MeetingTiming.PAST:
        meetings = meetings.filter(ends_at__lt=now).order_by("-starts_at", "-id")
    else:
        meetings = meetings.order_by("starts_at", "id")
    if filters.territory:
        meetings = meetings.filter(territory=filters.territory)
    if filters.theme:
        meetings = meetings.filter(groups__theme__slug=filters.theme)
    return _seat_counts(meetings.select_related("tour")).prefetch_related(
        Prefetch("groups", queryset=WorkingGroup.objects.select_related("theme"))
    )


def territories(*, user, tour: Tour | None = None) -> list[str]:
    meetings = meetings_visible(user=user).exclude(territory="")
    if tour is not None:
        meetings = meetings.filter(tour=tour)
    return sorted(set(meetings.values_list("territory", flat=True)))


def tour_list(*, user) -> QuerySet:
    tours = Tour.objects.all() if is_staff_member(user) else Tour.objects.filter(is_published=True)
    return tours.annotate(meeting_count=Count("meetings", filter=Q(meetings__is_published=True))).order_by(
        "-created_at"
    )


def tour_get(*, slug: str, user) -> Tour:
    tour = Tour.objects.filter(slug=slug).prefetch_related("organisers", "themes").first()
    if tour is None or not user.has_perm("meetings.view", tour):
        raise Http404
    return tour


def meeting_get(*, slug: str, user) -> Meeting:
    """The meeting with what its page shows; 404 when missing or not visible to ``user``."""
    groups = _group_seats(WorkingGroup.objects.select_related("theme")).prefetch_related("facilitators")
    meeting = (
        _seat_counts(Meeting.objects.filter(slug=slug))
        .select_related("tour", "process")
        .prefetch_related("organisers", "agenda", "questions", Prefetch("groups", queryset=groups))
        .first()
    )
    if meeting is None or not user.has_perm("meetings.view", meeting):
        raise Http404
    if meeting.tour_id and not meeting.tour.is_published and not is_staff_member(user):
        raise Http404
    return meeting


def _group_seats(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
        waitlisted_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
    )


def registration_by_token(token: str) -> Registration:
    registration = (
        Registration.objects.filter(token=token)
        .select_related("meeting", "meeting__tour", "group", "group__theme")
        .first()
    )
    if registration is None:
        raise Http404
    return registration


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first person waiting, and so on; None when not on the waitlist."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        meeting_id=registration.meeting_id, status=RegistrationStatus.WAITLISTED
    ).filter(
        Q(queued_at__lt=registration.queued_at) | Q(queued_at=registration.queued_at, id__lt=registration.pk)
    )
    return ahead.count() + 1


def registrations_of(*, user) -> QuerySet:
    """A person's registrations: those made while logged in and those made with their address."""
    if not getattr(user, "is_authenticated", False):
        return Registration.objects.none()
    return (
        Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email))
        .select_related("meeting", "meeting__tour", "group", "group__theme")
        .order_by("-meeting__starts_at", "-id")
    )


def active_registration(*, meeting: Meeting, user) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email), meeting=meeting)
        .filter(status__in=ACTIVE_STATUSES)
        .first()
    )
