"""Calendar files and the QR code of a registration.

Public: a meeting's .ics and a tour's feed (its published meetings), for whoever may see the meeting or tour
(``meetings.view``). Private, behind a secret token in the address: a registration's .ics and QR code, and a
person's "my meetings" feed; they are never cached by shared caches. Unknown or hidden answers 404.
"""

from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cittasmart.core.roles import is_staff_member
from cittasmart.core.services import site_settings_get
from cittasmart.meetings import calendar, qr, selectors
from cittasmart.meetings.models import CalendarFeed, Meeting, Registration, RegistrationStatus, Tour

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"
# A registration shows its calendar and its code once the person's address is confirmed.
PLACED = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
# Long texts a calendar does not show: a tour's feed does not read them.
HEAVY_FIELDS = ("description", "description_html", "accessibility", "report", "report_html")


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _placed_registration(token: str) -> Registration:
    registration = (
        Registration.objects.filter(token=token, status__in=PLACED)
        .select_related("meeting", "meeting__tour")
        .first()
    )
    if registration is None:
        raise Http404
    return registration


@require_GET
def tour_ics(request, slug: str):
    tour = Tour.objects.filter(slug=slug).first()
    if tour is None or not request.user.has_perm("meetings.view", tour):
        raise Http404
    # The feed is what a calendar app subscribes to: published meetings only, whoever downloads it.
    meetings = (
        Meeting.objects.filter(tour=tour, is_published=True).defer(*HEAVY_FIELDS).order_by("starts_at", "id")
    )
    # The tour is already at hand: no query per meeting for the category of its events.
    meetings = [_with_tour(meeting, tour) for meeting in meetings]
    return _ics(calendar.calendar_bytes(meetings, name=tour.title, feed=True), f"{tour.slug}.ics")


def _with_tour(meeting: Meeting, tour: Tour) -> Meeting:
    meeting.tour = tour
    return meeting


@require_GET
def meeting_ics(request, slug: str):
    meeting = Meeting.objects.filter(slug=slug).select_related("tour").first()
    if meeting is None or not request.user.has_perm("meetings.view", meeting):
        raise Http404
    if meeting.tour_id and not meeting.tour.is_published and not is_staff_member(request.user):
        raise Http404
    return _ics(calendar.calendar_bytes([meeting], name=meeting.title), f"{meeting.slug}.ics")


@require_GET
@never_cache
def registration_ics(request, token: str):
    registration = _placed_registration(token)
    content = calendar.registration_calendar_bytes(registration)
    return _private(_ics(content, f"{registration.meeting.slug}.ics"))


@require_GET
@never_cache
def registration_qr(request, token: str):
    registration = _placed_registration(token)
    response = HttpResponse(qr.registration_qr_svg(registration), content_type="image/svg+xml")
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)


@require_GET
@never_cache
def my_ics(request, token: str):
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    user = feed.user if feed is not None else None
    if user is None or not user.is_active or user.erased_at is not None:
        raise Http404
    registrations = (
        selectors.registrations_of(user=user)
        .filter(status__in=PLACED, meeting__is_published=True)
        .filter(Q(meeting__tour__isnull=True) | Q(meeting__tour__is_published=True))
        .order_by("meeting__starts_at", "meeting_id")
    )
    name = _("My meetings – %(site)s") % {"site": site_settings_get().instance_name}
    content = calendar.registrations_calendar_bytes(registrations, name=name, feed=True)
    return _private(_ics(content, "my-meetings.ics"))
