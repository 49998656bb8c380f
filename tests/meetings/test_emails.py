"""The e-mails of a registration: one per change, to the person's address, with the right link, in the site's
language; the seat's e-mails carry the meeting's calendar file and the QR code of the check-in."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation
from icalendar import Calendar

from cittasmart.meetings import services, tasks
from cittasmart.meetings.models import Registration, RegistrationStatus
from tests.factories import MeetingFactory, RegistrationFactory, UserFactory
from tests.helpers import links_in

pytestmark = pytest.mark.django_db

SITE = "https://partecipa.example.org"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = SITE


def placed(status: str, **kwargs) -> Registration:
    now = timezone.now()
    return RegistrationFactory(
        status=status,
        queued_at=None if status in (RegistrationStatus.PENDING, RegistrationStatus.CANCELLED) else now,
        confirmed_at=now if status == RegistrationStatus.CONFIRMED else None,
        confirmation_sent_at=now if status == RegistrationStatus.PENDING else None,
        **kwargs,
    )


def registration_path(registration: Registration) -> str:
    return reverse("meetings:registration", kwargs={"token": registration.token})


def confirm_path(registration: Registration) -> str:
    return reverse("meetings:registration_confirm", kwargs={"token": registration.token})


def attachments(message) -> dict[str, tuple]:
    return {name: (content, mimetype) for name, content, mimetype in message.attachments}


# --- Each kind ------------------------------------------------------------------------------------------

KINDS = [
    ("confirm_address", RegistrationStatus.PENDING, confirm_path, False),
    ("confirmed", RegistrationStatus.CONFIRMED, registration_path, True),
    ("waitlisted", RegistrationStatus.WAITLISTED, registration_path, False),
    ("promoted", RegistrationStatus.CONFIRMED, registration_path, True),
    ("cancelled", RegistrationStatus.CANCELLED, None, False),
    ("already_registered", RegistrationStatus.CONFIRMED, registration_path, False),
    ("reminder", RegistrationStatus.CONFIRMED, registration_path, True),
]


@pytest.mark.parametrize(("kind", "status", "link", "with_ticket"), KINDS)
def test_each_kind_sends_one_email_to_the_registered_address_with_its_link(kind, status, link, with_ticket):
    meeting = MeetingFactory(title="Prato digitale")
    registration = placed(status, meeting=meeting, email="anna@example.org")
    other = placed(RegistrationStatus.CONFIRMED, meeting=meeting)

    assert tasks.send_registration_email.call(registration.pk, kind) is True

    [message] = mail.outbox
    assert message.to == ["anna@example.org"]
    assert "Prato digitale" in message.subject
    assert "\n" not in message.subject
    paths = links_in(message.body)
    assert meeting.get_absolute_url() in paths
    if link is not None:
        assert link(registration) in paths
    else:
        assert registration_path(registration) not in paths
    assert registration_path(other) not in paths
    assert (registration.code in message.body) is (with_ticket or kind == "already_registered")
    assert bool(message.attachments) is with_ticket


def test_the_confirmation_email_has_the_meeting_calendar_and_the_qr_code():
    meeting = MeetingFactory(title="Prato digitale")
    registration = placed(RegistrationStatus.CONFIRMED, meeting=meeting)

    tasks.send_registration_email.call(registration.pk, "confirmed")

    [message] = mail.outbox
    files = attachments(message)
    assert set(files) == {"meeting.ics", f"qr-{registration.code}.png"}
    ics, mimetype = files["meeting.ics"]
    assert mimetype == "text/calendar"
    [event] = Calendar.from_ical(ics).events
    assert str(event["URL"]) == SITE + meeting.get_absolute_url()
    assert str(event["SUMMARY"]) == "Prato digitale"
    assert registration.code in str(event["DESCRIPTION"])
    assert event.start == meeting.starts_at
    png, mimetype = files[f"qr-{registration.code}.png"]
    assert mimetype == "image/png"
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_the_email_is_written_in_the_site_language_whatever_the_language_of_the_request():
    registration = placed(RegistrationStatus.CONFIRMED)
    start = timezone.localtime(registration.meeting.starts_at)
    with translation.override("it"):
        italian_date = formats.date_format(start, "l j F Y")
    with translation.override("en"):
        english_date = formats.date_format(start, "l j F Y")
    assert italian_date != english_date

    with translation.override("en"):
        tasks.send_registration_email.call(registration.pk, "confirmed")

    [message] = mail.outbox
    assert italian_date in message.body
    assert english_date not in message.body


def test_the_confirmation_link_says_until_when_it_is_valid():
    registration = placed(RegistrationStatus.PENDING)
    until = timezone.localtime(registration.confirmation_sent_at + services.CONFIRMATION_VALID_FOR)

    tasks.send_registration_email.call(registration.pk, "confirm_address")

    [message] = mail.outbox
    assert formats.date_format(until, "j F Y, H:i") in message.body


def test_the_waitlist_email_gives_the_position():
    meeting = MeetingFactory()
    placed(RegistrationStatus.WAITLISTED, meeting=meeting)
    second = placed(RegistrationStatus.WAITLISTED, meeting=meeting)

    tasks.send_registration_email.call(second.pk, "waitlisted")

    [message] = mail.outbox
    assert ": 2." in message.body


# --- What is not sent -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("confirmed", RegistrationStatus.CANCELLED),
        ("promoted", RegistrationStatus.WAITLISTED),
        ("waitlisted", RegistrationStatus.CONFIRMED),
        ("confirm_address", RegistrationStatus.CONFIRMED),
        ("cancelled", RegistrationStatus.CONFIRMED),
        ("reminder", RegistrationStatus.WAITLISTED),
    ],
)
def test_an_email_that_no_longer_fits_the_registration_is_not_sent(kind, status):
    registration = placed(status)

    assert tasks.send_registration_email.call(registration.pk, kind) is False
    assert mail.outbox == []


def test_nothing_is_sent_for_an_unknown_registration_an_unknown_kind_or_a_demo_registration():
    registration = placed(RegistrationStatus.CONFIRMED)
    demo = placed(RegistrationStatus.CONFIRMED, is_demo=True)

    assert tasks.send_registration_email.call(registration.pk + 1000, "confirmed") is False
    assert tasks.send_registration_email.call(registration.pk, "no-such-kind") is False
    assert tasks.send_registration_email.call(demo.pk, "confirmed") is False
    assert mail.outbox == []


# --- Through the services -------------------------------------------------------------------------------


def test_registering_with_an_address_sends_the_confirmation_link_then_the_seat(
    django_capture_on_commit_callbacks,
):
    meeting = MeetingFactory()

    with django_capture_on_commit_callbacks(execute=True):
        registration, created = services.registration_create(
            meeting=meeting, name="Anna Bianchi", email="Anna@Example.org"
        )

    assert created
    [message] = mail.outbox
    assert message.to == ["anna@example.org"]
    assert confirm_path(registration) in links_in(message.body)

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_confirm_address(registration=registration)

    assert len(mail.outbox) == 2
    confirmed = mail.outbox[1]
    assert confirmed.to == ["anna@example.org"]
    assert registration_path(registration) in links_in(confirmed.body)
    assert set(attachments(confirmed)) == {"meeting.ics", f"qr-{registration.code}.png"}


def test_a_logged_in_person_gets_the_seat_at_once_and_registering_again_sends_the_link_again(
    django_capture_on_commit_callbacks,
):
    meeting = MeetingFactory()
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        registration, _created = services.registration_create(
            meeting=meeting, name="Anna", email="", user=user
        )
    with django_capture_on_commit_callbacks(execute=True):
        again, created = services.registration_create(meeting=meeting, name="Anna", email=user.email)

    assert again == registration and not created
    assert [m.to for m in mail.outbox] == [[user.email], [user.email]]
    assert mail.outbox[0].attachments and not mail.outbox[1].attachments
    assert registration_path(registration) in links_in(mail.outbox[1].body)
    assert mail.outbox[0].subject != mail.outbox[1].subject


def test_a_cancellation_tells_the_person_and_the_first_on_the_waitlist_gets_the_seat_by_email(
    django_capture_on_commit_callbacks,
):
    meeting = MeetingFactory(capacity=1)
    first, second = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        seated, _ = services.registration_create(meeting=meeting, name="First", email="", user=first)
        waiting, _ = services.registration_create(meeting=meeting, name="Second", email="", user=second)
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert [m.to for m in mail.outbox] == [[first.email], [second.email]]
    assert not mail.outbox[1].attachments
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=seated)

    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {first.email, second.email}
    assert registration_path(seated) not in links_in(by_address[first.email].body)
    promoted = by_address[second.email]
    assert registration_path(waiting) in links_in(promoted.body)
    assert waiting.code in promoted.body
    assert set(attachments(promoted)) == {"meeting.ics", f"qr-{waiting.code}.png"}


def test_nobody_is_written_to_at_an_erased_address(settings, mailoutbox):
    from cittasmart.meetings.tasks import send_registration_email
    from tests.factories import RegistrationFactory

    registration = RegistrationFactory(status="cancelled", email="erased-7@erased.invalid")
    assert send_registration_email.call(registration.pk, "cancelled") is False
    assert mailoutbox == []
