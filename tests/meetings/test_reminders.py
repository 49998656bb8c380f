"""The reminder of the day before: once per confirmed seat of a published meeting starting in 12 to 36 hours."""

import datetime
import io

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.utils import timezone

from cittasmart.meetings import tasks
from cittasmart.meetings.models import Registration, RegistrationStatus
from tests.factories import MeetingFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://partecipa.example.org"


def meeting_in(hours: float, **kwargs):
    starts = timezone.now() + datetime.timedelta(hours=hours)
    return MeetingFactory(starts_at=starts, ends_at=starts + datetime.timedelta(hours=3), **kwargs)


def placed(status: str = RegistrationStatus.CONFIRMED, **kwargs) -> Registration:
    now = timezone.now()
    return RegistrationFactory(
        status=status,
        queued_at=None if status in (RegistrationStatus.PENDING, RegistrationStatus.CANCELLED) else now,
        confirmed_at=now if status == RegistrationStatus.CONFIRMED else None,
        **kwargs,
    )


@pytest.mark.parametrize("now", [True, False])
def test_a_confirmed_seat_for_tomorrow_is_reminded_once(now):
    registration = placed(meeting=meeting_in(24), email="anna@example.org")

    assert tasks.enqueue_reminders(now=now) == 1
    assert tasks.enqueue_reminders(now=now) == 0

    [message] = mail.outbox
    assert message.to == ["anna@example.org"]
    assert registration.code in message.body
    assert {name for name, _content, _type in message.attachments} == {
        "meeting.ics",
        f"qr-{registration.code}.png",
    }
    registration.refresh_from_db()
    assert registration.reminded_at is not None


def test_only_meetings_in_12_to_36_hours_are_reminded():
    tomorrow = placed(meeting=meeting_in(24))
    late_tomorrow = placed(meeting=meeting_in(35))
    placed(meeting=meeting_in(24 * 7))  # next week
    placed(meeting=meeting_in(6))  # later today: they registered recently or were reminded already
    placed(meeting=meeting_in(37))  # the day after tomorrow: the next run reminds them

    assert tasks.enqueue_reminders(now=True) == 2

    assert sorted(m.to[0] for m in mail.outbox) == sorted([tomorrow.email, late_tomorrow.email])
    assert Registration.objects.filter(reminded_at__isnull=False).count() == 2


@pytest.mark.parametrize(
    "status", [RegistrationStatus.CANCELLED, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING]
)
def test_registrations_without_a_seat_are_not_reminded(status):
    registration = placed(status, meeting=meeting_in(24))

    assert tasks.enqueue_reminders(now=True) == 0

    assert mail.outbox == []
    registration.refresh_from_db()
    assert registration.reminded_at is None


def test_unpublished_meetings_and_demo_registrations_are_not_reminded():
    placed(meeting=meeting_in(24, is_published=False))
    placed(meeting=meeting_in(24), is_demo=True)

    assert tasks.enqueue_reminders(now=True) == 0
    assert mail.outbox == []


def test_two_runs_that_found_the_same_registrations_send_one_reminder(monkeypatch):
    placed(meeting=meeting_in(24))
    found_by_both = tasks.reminder_candidates()

    assert tasks.enqueue_reminders(now=True) == 1
    monkeypatch.setattr(tasks, "reminder_candidates", lambda at=None: found_by_both)
    assert tasks.enqueue_reminders(now=True) == 0

    assert len(mail.outbox) == 1


def test_a_reminder_that_could_not_be_sent_is_tried_again_by_the_next_run(monkeypatch):
    registration = placed(meeting=meeting_in(24))
    other = placed(meeting=meeting_in(25))
    real_send = EmailMessage.send

    def refuse_first(message, *args, **kwargs):
        if message.to == [registration.email]:
            raise OSError("mail server down")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", refuse_first)
    assert tasks.enqueue_reminders(now=True) == 1
    registration.refresh_from_db()
    assert registration.reminded_at is None
    assert [m.to for m in mail.outbox] == [[other.email]]

    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert tasks.enqueue_reminders(now=True) == 1
    assert [m.to for m in mail.outbox] == [[other.email], [registration.email]]


def test_the_command_sends_or_enqueues_the_reminders():
    placed(meeting=meeting_in(24))
    placed(meeting=meeting_in(20))
    out = io.StringIO()

    call_command("send_meeting_reminders", "--now", stdout=out)

    assert "2 reminder(s) sent." in out.getvalue()
    assert len(mail.outbox) == 2
    out = io.StringIO()
    call_command("send_meeting_reminders", stdout=out)
    assert "0 reminder(s) enqueued." in out.getvalue()
    assert len(mail.outbox) == 2
