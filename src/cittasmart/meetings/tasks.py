"""Background tasks of meetings (django-tasks; the worker is ``manage.py db_worker``): the e-mails of a registration.

``services`` enqueues ``send_registration_email`` after the commit of each change (address to confirm, seat
confirmed, waitlist, promotion from the waitlist, cancellation, a second registration with the same address);
``manage.py send_meeting_reminders`` (cron, hourly or daily) enqueues the reminder of the day before.

A task finds the registration as it is when it runs: an e-mail that no longer fits its state (a "confirmed" for a
registration cancelled in the meantime) is not sent, and demo registrations get no e-mail. E-mails are written in
the site's language, with absolute links built on ``SITE_URL``.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django_tasks import task

from cittasmart.meetings import calendar, qr, selectors
from cittasmart.meetings.models import Meeting, Registration, RegistrationStatus
from cittasmart.meetings.services import CONFIRMATION_VALID_FOR

logger = logging.getLogger(__name__)

# The states a registration must be in for each kind of e-mail to still be true when the task runs.
KINDS = {
    "confirm_address": {RegistrationStatus.PENDING},
    "confirmed": {RegistrationStatus.CONFIRMED},
    "waitlisted": {RegistrationStatus.WAITLISTED},
    "promoted": {RegistrationStatus.CONFIRMED},
    "cancelled": {RegistrationStatus.CANCELLED},
    "already_registered": {RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED},
    "reminder": {RegistrationStatus.CONFIRMED},
}
# Erased people's addresses end so (accounts.gdpr, meetings.privacy).
ERASED_DOMAIN = "@erased.invalid"
# These e-mails carry the meeting's .ics and the QR code of the check-in.
WITH_TICKET = {"confirmed", "promoted", "reminder"}

# The reminder goes to meetings that start between 12 and 36 hours from the run: "the day before", whether cron
# runs the command every hour or once a day.
REMINDER_FROM = datetime.timedelta(hours=12)
REMINDER_UNTIL = datetime.timedelta(hours=36)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def meeting_when(meeting: Meeting) -> str:
    """ "sabato 14 giugno 2025, 09:30–13:30" in the active language and time zone."""
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    if start.date() == end.date():
        return (
            f"{formats.date_format(start, 'l j F Y')}, "
            f"{formats.time_format(start, 'H:i')}–{formats.time_format(end, 'H:i')}"
        )
    return f"{formats.date_format(start, 'l j F Y, H:i')} – {formats.date_format(end, 'l j F Y, H:i')}"


def _context(registration: Registration, kind: str) -> dict:
    from cittasmart.core.services import site_settings_get

    meeting = registration.meeting
    sent = registration.confirmation_sent_at or registration.created_at
    return {
        "site_name": site_settings_get().instance_name,
        "kind": kind,
        "registration": registration,
        "meeting": meeting,
        "group": registration.group,
        "when": meeting_when(meeting),
        "where": calendar.meeting_place(meeting),
        "meeting_url": _absolute(meeting.get_absolute_url()),
        "registration_url": _absolute(registration.get_absolute_url()),
        "confirm_url": _absolute(
            reverse("meetings:registration_confirm", kwargs={"token": registration.token})
        ),
        "confirm_until": timezone.localtime(sent + CONFIRMATION_VALID_FOR),
        "valid_hours": int(CONFIRMATION_VALID_FOR.total_seconds() // 3600),
        "waitlist_position": selectors.waitlist_position(registration),
        "with_ticket": kind in WITH_TICKET,
    }


def _message(registration: Registration, kind: str) -> EmailMessage:
    context = _context(registration, kind)
    subject = " ".join(render_to_string(f"meetings/email/{kind}_subject.txt", context).split())
    body = render_to_string(f"meetings/email/{kind}_body.txt", context)
    message = EmailMessage(
        subject=subject, body=body, to=[registration.email], headers={"Auto-Submitted": "auto-generated"}
    )
    if kind in WITH_TICKET:
        message.attach("meeting.ics", calendar.registration_calendar_bytes(registration), "text/calendar")
        message.attach(f"qr-{registration.code}.png", qr.registration_qr_png(registration), "image/png")
    return message


@task()
def send_registration_email(registration_id: int, kind: str) -> bool:
    """Send the e-mail ``kind`` about a registration; returns whether one was sent."""
    if kind not in KINDS:
        logger.warning("Unknown kind of registration e-mail: %s", kind)
        return False
    registration = (
        Registration.objects.filter(pk=registration_id)
        .select_related("meeting", "meeting__tour", "group", "group__theme")
        .first()
    )
    if registration is None or registration.is_demo or registration.status not in KINDS[kind]:
        return False
    if registration.email.endswith(ERASED_DOMAIN):
        return False  # the person asked to be forgotten (GDPR): nobody to write to
    if kind == "reminder" and (not registration.meeting.is_published or registration.meeting.is_past):
        return False
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        _message(registration, kind).send()
    return True


def reminder_candidates(at: datetime.datetime | None = None) -> list[int]:
    """Confirmed registrations not reminded yet of published meetings that start in 12 to 36 hours."""
    at = at or timezone.now()
    return list(
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            reminded_at__isnull=True,
            is_demo=False,
            meeting__is_published=True,
            meeting__starts_at__gte=at + REMINDER_FROM,
            meeting__starts_at__lt=at + REMINDER_UNTIL,
        )
        .order_by("meeting__starts_at", "id")
        .values_list("pk", flat=True)
    )


def enqueue_reminders(*, now: bool = False) -> int:
    """Enqueue the reminder of each registration that needs one (or, with ``now``, send it here).

    Each registration is claimed first (``reminded_at`` set where it is still empty, in one UPDATE), in the same
    transaction as the enqueued task or the sending: two runs at once never remind anyone twice, and a reminder
    that could not be sent leaves the registration unclaimed for the next run. Returns how many were enqueued,
    or sent."""
    started = timezone.now()
    count = 0
    for pk in reminder_candidates(started):
        try:
            with transaction.atomic():
                claimed = Registration.objects.filter(
                    pk=pk, reminded_at__isnull=True, status=RegistrationStatus.CONFIRMED
                ).update(reminded_at=started)
                if not claimed:
                    continue
                if now:
                    count += 1 if send_registration_email.call(pk, "reminder") else 0
                else:
                    send_registration_email.enqueue(pk, "reminder")
                    count += 1
        except Exception:
            # One address the mail server refuses must not hold back everybody else's reminder.
            logger.exception(
                "The reminder of registration %s could not be sent; the next run tries again.", pk
            )
    return count
