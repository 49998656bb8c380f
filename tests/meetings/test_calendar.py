"""Calendar files (a meeting, a tour, a registration, a person's feed) and the QR code of a registration."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import segno
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cittasmart.meetings import qr, services
from cittasmart.meetings.models import CalendarFeed, RegistrationStatus
from tests.factories import MeetingFactory, RegistrationFactory, TourFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://partecipa.example.org"
ROME = ZoneInfo("Europe/Rome")
UTC = datetime.UTC


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def next_year(month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(timezone.now().year + 1, month, day, hour, minute, tzinfo=ROME)


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def placed(status: str, **kwargs):
    """A registration in ``status`` with the dates its state requires."""
    now = timezone.now()
    return RegistrationFactory(
        status=status,
        queued_at=None if status in (RegistrationStatus.PENDING, RegistrationStatus.CANCELLED) else now,
        confirmed_at=now if status == RegistrationStatus.CONFIRMED else None,
        **kwargs,
    )


# --- A meeting ------------------------------------------------------------------------------------------


def test_a_summer_meeting_at_half_past_nine_in_rome_is_written_in_rome_time_with_its_time_zone(client):
    meeting = MeetingFactory(
        title="Prato digitale",
        summary="Tavoli di lavoro sui servizi online.",
        starts_at=next_year(7, 15, 9, 30),
        ends_at=next_year(7, 15, 13, 0),
        latitude="43.880500",
        longitude="11.096800",
        online_url="https://meet.example.org/prato",
    )

    response = client.get(reverse("meetings:meeting_ics", kwargs={"slug": meeting.slug}))

    calendar = parse(response)
    assert response["Content-Disposition"] == f'attachment; filename="{meeting.slug}.ics"'
    [event] = calendar.events
    assert event["DTSTART"].params["TZID"] == "Europe/Rome"
    assert event["DTSTART"].to_ical() == f"{meeting.starts_at.year}0715T093000".encode()
    assert event.start == next_year(7, 15, 9, 30)
    assert event.start.astimezone(UTC) == datetime.datetime(meeting.starts_at.year, 7, 15, 7, 30, tzinfo=UTC)
    assert event.end.astimezone(UTC) == datetime.datetime(meeting.starts_at.year, 7, 15, 11, 0, tzinfo=UTC)
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Rome"]
    assert calendar.get_missing_tzids() == set()
    assert str(event["UID"]) == f"meeting-{meeting.pk}@partecipa.example.org"
    assert str(event["URL"]) == SITE + meeting.get_absolute_url()
    assert str(event["SUMMARY"]) == "Prato digitale"
    assert str(event["LOCATION"]) == "Museo del Tessuto, Via Puccetti 3, Prato"
    assert event["GEO"].latitude == pytest.approx(43.8805)
    assert event["GEO"].longitude == pytest.approx(11.0968)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "DTSTAMP" in event
    description = str(event["DESCRIPTION"])
    assert "Tavoli di lavoro sui servizi online." in description
    assert SITE + meeting.get_absolute_url() in description
    assert "https://meet.example.org/prato" in description


def test_a_winter_meeting_keeps_its_local_time_and_is_one_hour_from_utc(client):
    meeting = MeetingFactory(starts_at=next_year(1, 20, 9, 30), ends_at=next_year(1, 20, 12, 0))

    [event] = parse(client.get(reverse("meetings:meeting_ics", kwargs={"slug": meeting.slug}))).events

    assert event.start.hour == 9 and event.start.minute == 30
    assert event.start.astimezone(UTC).hour == 8


def test_an_online_meeting_has_its_link_as_location_and_no_geo(client):
    meeting = MeetingFactory(
        venue_name="", address="", municipality="", online_url="https://meet.example.org/x"
    )

    [event] = parse(client.get(reverse("meetings:meeting_ics", kwargs={"slug": meeting.slug}))).events

    assert str(event["LOCATION"]) == "https://meet.example.org/x"
    assert "GEO" not in event


def test_an_unpublished_or_unknown_meeting_answers_404_and_staff_still_get_it(client, plan_office):
    hidden = MeetingFactory(is_published=False)
    in_hidden_tour = MeetingFactory(tour=TourFactory(is_published=False))

    assert client.get(reverse("meetings:meeting_ics", kwargs={"slug": hidden.slug})).status_code == 404
    assert (
        client.get(reverse("meetings:meeting_ics", kwargs={"slug": in_hidden_tour.slug})).status_code == 404
    )
    assert client.get(reverse("meetings:meeting_ics", kwargs={"slug": "no-such-meeting"})).status_code == 404
    client.force_login(plan_office)
    assert client.get(reverse("meetings:meeting_ics", kwargs={"slug": hidden.slug})).status_code == 200


def test_calendar_files_answer_only_get(client):
    meeting = MeetingFactory()

    assert client.post(reverse("meetings:meeting_ics", kwargs={"slug": meeting.slug})).status_code == 405


# --- A tour ---------------------------------------------------------------------------------------------


def test_the_tour_feed_has_its_published_meetings_only(client):
    tour = TourFactory(title="Toscana Digitale")
    shown = [MeetingFactory(tour=tour, starts_at=next_year(5, day, 9, 30)) for day in (3, 1, 2)]
    MeetingFactory(tour=tour, is_published=False)
    MeetingFactory(tour=TourFactory())

    response = client.get(reverse("meetings:tour_ics", kwargs={"slug": tour.slug}))

    calendar = parse(response)
    assert response["Content-Disposition"] == f'attachment; filename="{tour.slug}.ics"'
    assert str(calendar["X-WR-CALNAME"]) == "Toscana Digitale"
    assert calendar.refresh_interval == datetime.timedelta(hours=6)
    assert [str(event["URL"]) for event in calendar.events] == [
        SITE + meeting.get_absolute_url() for meeting in sorted(shown, key=lambda m: m.starts_at)
    ]
    assert {str(event["UID"]) for event in calendar.events} == {
        f"meeting-{meeting.pk}@partecipa.example.org" for meeting in shown
    }
    assert all(event.start.tzinfo.key == "Europe/Rome" for event in calendar.events)
    assert all(event.categories == ["Toscana Digitale"] for event in calendar.events)


def test_an_unpublished_or_unknown_tour_answers_404(client):
    tour = TourFactory(is_published=False)
    MeetingFactory(tour=tour)

    assert client.get(reverse("meetings:tour_ics", kwargs={"slug": tour.slug})).status_code == 404
    assert client.get(reverse("meetings:tour_ics", kwargs={"slug": "no-such-tour"})).status_code == 404


def test_an_empty_tour_gives_an_empty_calendar(client):
    tour = TourFactory()

    calendar = parse(client.get(reverse("meetings:tour_ics", kwargs={"slug": tour.slug})))

    assert calendar.events == []


def test_the_tour_feed_takes_the_same_few_queries_whatever_the_number_of_meetings(
    client, django_assert_max_num_queries
):
    tour = TourFactory()
    MeetingFactory(tour=tour)
    url = reverse("meetings:tour_ics", kwargs={"slug": tour.slug})
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200

    for _ in range(7):
        MeetingFactory(tour=tour)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)

    assert len(parse(response).events) == 8
    print([q["sql"] for q in one.captured_queries])
    assert len(one.captured_queries) <= 3


# --- A registration -------------------------------------------------------------------------------------


def test_a_registration_calendar_has_the_code_and_the_registration_page(client):
    registration = placed(
        RegistrationStatus.CONFIRMED, meeting=MeetingFactory(starts_at=next_year(6, 1, 9, 30))
    )

    response = client.get(reverse("meetings:registration_ics", kwargs={"token": registration.token}))

    [event] = parse(response).events
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    description = str(event["DESCRIPTION"])
    assert registration.code in description
    assert SITE + reverse("meetings:registration", kwargs={"token": registration.token}) in description
    assert str(event["URL"]) == SITE + registration.meeting.get_absolute_url()
    # The same event as the meeting's own file: importing both updates one event.
    assert str(event["UID"]) == f"meeting-{registration.meeting.pk}@partecipa.example.org"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.start == next_year(6, 1, 9, 30)


def test_a_waitlisted_registration_is_tentative(client):
    registration = placed(RegistrationStatus.WAITLISTED)

    response = client.get(reverse("meetings:registration_ics", kwargs={"token": registration.token}))

    [event] = parse(response).events
    assert str(event["STATUS"]) == "TENTATIVE"


@pytest.mark.parametrize("status", [RegistrationStatus.PENDING, RegistrationStatus.CANCELLED])
def test_a_registration_without_a_place_has_no_calendar_and_no_qr_code(client, status):
    registration = placed(status)

    for name in ("meetings:registration_ics", "meetings:registration_qr"):
        assert client.get(reverse(name, kwargs={"token": registration.token})).status_code == 404


def test_an_unknown_registration_token_answers_404(client):
    placed(RegistrationStatus.CONFIRMED)

    for name in ("meetings:registration_ics", "meetings:registration_qr", "meetings:my_ics"):
        assert client.get(reverse(name, kwargs={"token": "not-a-token"})).status_code == 404


# --- The QR code ----------------------------------------------------------------------------------------


def test_the_qr_code_carries_the_absolute_check_in_address_with_the_code():
    registration = placed(RegistrationStatus.CONFIRMED)
    expected = (
        SITE
        + reverse("meetings:checkin", kwargs={"slug": registration.meeting.slug})
        + f"?code={registration.code}"
    )

    assert qr.checkin_url(registration) == expected
    assert services.normalise_code(qr.checkin_url(registration)) == registration.code
    assert qr.registration_qr(registration).matrix == segno.make(expected, error="m", micro=False).matrix
    assert qr.registration_qr_png(registration).startswith(b"\x89PNG\r\n\x1a\n")


def test_the_qr_code_page_is_a_private_svg_with_a_title(client):
    registration = placed(RegistrationStatus.CONFIRMED)

    response = client.get(reverse("meetings:registration_qr", kwargs={"token": registration.token}))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "Content-Security-Policy" in response
    svg = response.content.decode()
    assert svg.startswith("<?xml")
    assert f"<title>{qr.qr_title(registration)}</title>" in svg
    assert registration.code in qr.qr_title(registration)
    assert qr.registration_qr_svg(registration) == svg


# --- My meetings ----------------------------------------------------------------------------------------


def test_my_feed_has_the_meetings_of_my_confirmed_and_waitlisted_registrations(client):
    user = UserFactory()
    confirmed = placed(RegistrationStatus.CONFIRMED, user=user, email=user.email, meeting=MeetingFactory())
    waitlisted = placed(RegistrationStatus.WAITLISTED, user=user, email=user.email, meeting=MeetingFactory())
    by_address = placed(RegistrationStatus.CONFIRMED, email=user.email.upper(), meeting=MeetingFactory())
    placed(RegistrationStatus.CANCELLED, user=user, email=user.email)
    placed(RegistrationStatus.PENDING, user=user, email=user.email)
    placed(
        RegistrationStatus.CONFIRMED, user=user, email=user.email, meeting=MeetingFactory(is_published=False)
    )
    placed(RegistrationStatus.CONFIRMED)  # someone else's
    feed = services.calendar_feed_for(user)

    response = client.get(reverse("meetings:my_ics", kwargs={"token": feed.token}))

    calendar = parse(response)
    assert "no-store" in response["Cache-Control"]
    by_uid = {str(event["UID"]): event for event in calendar.events}
    assert set(by_uid) == {
        f"meeting-{r.meeting.pk}@partecipa.example.org" for r in (confirmed, waitlisted, by_address)
    }
    assert confirmed.code in str(
        by_uid[f"meeting-{confirmed.meeting.pk}@partecipa.example.org"]["DESCRIPTION"]
    )
    assert str(by_uid[f"meeting-{waitlisted.meeting.pk}@partecipa.example.org"]["STATUS"]) == "TENTATIVE"


def test_the_feed_of_a_deactivated_account_answers_404(client):
    user = UserFactory()
    placed(RegistrationStatus.CONFIRMED, user=user, email=user.email)
    feed = CalendarFeed.objects.create(user=user)
    user.is_active = False
    user.save()

    assert client.get(reverse("meetings:my_ics", kwargs={"token": feed.token})).status_code == 404
