"""iCalendar (RFC 5545) files of meetings: one meeting, a tour, a person's registration, a person's feed.

Every meeting is one VEVENT with a stable UID (``meeting-<pk>@<site host>``), so a calendar app that imports the
meeting's file and later the registration's, or subscribes to the tour, updates one event instead of adding copies.
Times are written in the site's time zone (Europe/Rome) with its VTIMEZONE, so a meeting at 9:30 in Prato reads
9:30 on any device. Every event links back to the meeting's page (URL and DESCRIPTION) with the site's address.
"""

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from cittasmart.meetings.models import Meeting, Registration, RegistrationStatus

PRODID = "-//cittasmart//meetings//IT"
# How often a subscribed calendar app should look for changes (REFRESH-INTERVAL, RFC 7986).
FEED_REFRESH = datetime.timedelta(hours=6)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def meeting_url(meeting: Meeting) -> str:
    return absolute(meeting.get_absolute_url())


def meeting_uid(meeting: Meeting) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"meeting-{meeting.pk}@{host}"


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def meeting_place(meeting: Meeting) -> str:
    """Venue, address and municipality, as far as they are known."""
    parts = [meeting.venue_name, meeting.address, meeting.municipality]
    return ", ".join(part.strip() for part in parts if part and part.strip())


def meeting_location(meeting: Meeting) -> str:
    """The place; the online link for a meeting held only online."""
    return meeting_place(meeting) or meeting.online_url


def _description(meeting: Meeting, registration: Registration | None) -> str:
    lines = []
    if meeting.summary:
        lines += [meeting.summary, ""]
    if registration is not None:
        if registration.status == RegistrationStatus.WAITLISTED:
            lines.append(_("You are on the waitlist: we will write to you if a seat frees up."))
        lines.append(_("Your registration code: %(code)s") % {"code": registration.code})
        lines.append(
            _("Your registration (to see or cancel it): %(url)s")
            % {"url": absolute(registration.get_absolute_url())}
        )
        lines.append("")
    if meeting.online_url:
        lines.append(_("Online link: %(url)s") % {"url": meeting.online_url})
    lines.append(_("Meeting page: %(url)s") % {"url": meeting_url(meeting)})
    return "\n".join(lines)


def meeting_event(meeting: Meeting, *, registration: Registration | None = None) -> Event:
    """The VEVENT of ``meeting``; with ``registration``, its code and its page are in the description."""
    zone = _zone()
    revised = meeting.updated_at
    if registration is not None and registration.updated_at > revised:
        revised = registration.updated_at
    event = Event()
    event.add("uid", meeting_uid(meeting))
    # Without METHOD, DTSTAMP is when the information was last revised (RFC 5545, 3.8.7.2): the file is stable.
    event.add("dtstamp", revised.astimezone(datetime.UTC))
    event.add("last-modified", revised.astimezone(datetime.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", meeting.title)
    event.add("description", _description(meeting, registration))
    location = meeting_location(meeting)
    if location:
        event.add("location", location)
    if meeting.has_location:
        event.add("geo", (float(meeting.latitude), float(meeting.longitude)))
    event.add("url", meeting_url(meeting))
    tentative = registration is not None and registration.status == RegistrationStatus.WAITLISTED
    event.add("status", "TENTATIVE" if tentative else "CONFIRMED")
    if meeting.tour_id is not None:
        event.add("categories", [meeting.tour.title])
    return event


def build_calendar(entries: Iterable[tuple[Meeting, Registration | None]], *, name: str, feed: bool = False):
    """A calendar of ``(meeting, registration or None)`` pairs, with the VTIMEZONE its events need."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.calendar_name = name
    if feed:
        calendar.add("refresh-interval", vDuration(FEED_REFRESH), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    years = []
    for meeting, registration in entries:
        calendar.add_component(meeting_event(meeting, registration=registration))
        years += [meeting.starts_at.year, meeting.ends_at.year]
    if years:
        # The time zone's rules for the years of the events only: a few lines instead of every year since 1970.
        calendar.add_missing_timezones(
            first_date=datetime.date(min(years) - 1, 1, 1), last_date=datetime.date(max(years) + 1, 12, 31)
        )
    return calendar


def calendar_bytes(meetings: Iterable[Meeting], *, name: str, feed: bool = False) -> bytes:
    """The .ics of ``meetings`` (a meeting's file, a tour's feed)."""
    return build_calendar(((meeting, None) for meeting in meetings), name=name, feed=feed).to_ical()


def registrations_calendar_bytes(
    registrations: Iterable[Registration], *, name: str, feed: bool = False
) -> bytes:
    """The .ics of the meetings of ``registrations``, each with its registration code and page."""
    return build_calendar(
        ((registration.meeting, registration) for registration in registrations), name=name, feed=feed
    ).to_ical()


def registration_calendar_bytes(registration: Registration) -> bytes:
    """The .ics of one registration's meeting (the registration page and the e-mails attach it)."""
    return registrations_calendar_bytes([registration], name=registration.meeting.title)


def registration_ics_url(registration: Registration) -> str:
    return absolute(reverse("meetings:registration_ics", kwargs={"token": registration.token}))
