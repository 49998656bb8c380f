"""Background tasks of participation (django-tasks; the worker is ``manage.py db_worker``): notification e-mails.

- People who want e-mails at once get one per notification (``send_notification_emails``, enqueued by
  ``notify`` after the commit).
- People who want a daily digest get one e-mail a day with what they have not read yet (``send_digest``, enqueued
  for each of them by ``manage.py send_digests``, run by cron). An empty digest is never sent.

Each notification is e-mailed at most once (``emailed_at``), and only while it is unread, to an active account
with a verified address. Every e-mail carries the one-click unsubscribe link (RFC 8058) in the body and in the
``List-Unsubscribe`` headers. People have no language of their own yet: e-mails are written in the site's language.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from cittasmart.participation.models import EmailFrequency, Notification, NotificationSettings
from cittasmart.participation.notification_texts import describe

logger = logging.getLogger(__name__)

# Notifications are looked for from a little before the previous digest: one written in a transaction that
# committed while the previous digest was being made is not lost (``emailed_at`` prevents sending it twice).
DIGEST_OVERLAP = datetime.timedelta(hours=1)
# A digest lists at most this many notifications; the others are counted and wait in the list on the platform.
DIGEST_MAX_ITEMS = 50


def _verified_email(user_path: str):
    from allauth.account.models import EmailAddress

    return Exists(
        EmailAddress.objects.filter(
            user_id=OuterRef(f"{user_path}_id"), email__iexact=OuterRef(f"{user_path}__email"), verified=True
        )
    )


def _reachable(user_path: str) -> Q:
    """People we may write to: active, not erased, with an address (``_verified_email`` checks it is verified)."""
    return Q(
        **{
            f"{user_path}__is_active": True,
            f"{user_path}__erased_at__isnull": True,
        }
    ) & ~Q(**{f"{user_path}__email": ""})


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path else ""


def _links(settings_row: NotificationSettings) -> dict[str, str]:
    return {
        "list_url": _absolute(reverse("participation:notifications")),
        "preferences_url": _absolute(reverse("participation:notification_settings")),
        "unsubscribe_url": _absolute(
            reverse("participation:unsubscribe", kwargs={"token": settings_row.unsubscribe_token})
        ),
    }


def _send(*, to: str, subject_template: str, body_template: str, context: dict, unsubscribe_url: str) -> None:
    from cittasmart.core.services import site_settings_get

    context = {"site_name": site_settings_get().instance_name, **context}
    subject = " ".join(render_to_string(subject_template, context).split())
    body = render_to_string(body_template, context)
    EmailMessage(
        subject=subject,
        body=body,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    ).send()


def _pending(queryset):
    return queryset.filter(read_at__isnull=True, emailed_at__isnull=True)


@task()
def send_notification_emails(ids: list[int]) -> int:
    """One e-mail per notification of ``ids`` that is still unread and not e-mailed, to people who want them at
    once. Returns how many e-mails were sent."""
    rows = (
        _pending(Notification.objects.filter(pk__in=ids))
        .filter(
            _reachable("recipient"),
            recipient__notification_settings__email_frequency=EmailFrequency.IMMEDIATE,
        )
        .filter(_verified_email("recipient"))
        .select_related("recipient__notification_settings", "actor", "idea__process", "process")
        .order_by("created_at", "id")
    )
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for notification in rows:
            with transaction.atomic():
                # Claim the row first: a second worker with the same ids finds it e-mailed and skips it. If sending
                # fails, the claim is rolled back with the transaction and the task can be retried.
                claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
                    emailed_at=timezone.now()
                )
                if not claimed:
                    continue
                links = _links(notification.recipient.notification_settings)
                message = describe(notification)
                _send(
                    to=notification.recipient.email,
                    subject_template="participation/email/notification_subject.txt",
                    body_template="participation/email/notification_body.txt",
                    context={
                        "notification": notification,
                        "kind": notification.get_kind_display(),
                        "message": message,
                        "url": _absolute(message.path),
                        **links,
                    },
                    unsubscribe_url=links["unsubscribe_url"],
                )
            sent += 1
    return sent


def _digest_since(settings_row: NotificationSettings) -> datetime.datetime | None:
    return settings_row.last_digest_at - DIGEST_OVERLAP if settings_row.last_digest_at else None


@task()
def send_digest(user_id: int) -> int:
    """The daily digest of one person: their unread notifications not e-mailed yet, since the last digest.

    Sends nothing at all when there is nothing new. Returns how many notifications the digest covered."""
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        settings_row = (
            NotificationSettings.objects.select_for_update()
            .filter(_reachable("user"), user_id=user_id, email_frequency=EmailFrequency.DAILY)
            .filter(_verified_email("user"))
            .select_related("user")
            .first()
        )
        if settings_row is None:
            return 0
        started = timezone.now()
        rows = _pending(Notification.objects.filter(recipient_id=user_id, created_at__lte=started))
        since = _digest_since(settings_row)
        if since is not None:
            rows = rows.filter(created_at__gt=since)
        ids = list(rows.values_list("pk", flat=True))
        if not ids:
            return 0
        shown = list(
            Notification.objects.filter(pk__in=ids)
            .select_related("actor", "idea__process", "process")
            .order_by("created_at", "id")[:DIGEST_MAX_ITEMS]
        )
        items = []
        for notification in shown:
            message = describe(notification)
            items.append({"message": message, "url": _absolute(message.path), "at": notification.created_at})
        Notification.objects.filter(pk__in=ids).update(emailed_at=started)
        settings_row.last_digest_at = started
        settings_row.save(update_fields=["last_digest_at"])
        links = _links(settings_row)
        # Sent inside the transaction: if sending fails, nothing is marked e-mailed and the next run tries again.
        _send(
            to=settings_row.user.email,
            subject_template="participation/email/digest_subject.txt",
            body_template="participation/email/digest_body.txt",
            context={"items": items, "count": len(ids), "more": len(ids) - len(items), **links},
            unsubscribe_url=links["unsubscribe_url"],
        )
    return len(ids)


def daily_digest_recipients() -> list[int]:
    """The people who want a daily digest and have something to put in it (as ``send_digest`` chooses)."""
    pending = _pending(Notification.objects.filter(recipient_id=OuterRef("user_id")))
    since = ExpressionWrapper(F("last_digest_at") - DIGEST_OVERLAP, output_field=DateTimeField())
    first_digest = Q(last_digest_at__isnull=True) & Exists(pending)
    later_digest = Exists(pending.filter(created_at__gt=OuterRef("since")))
    return list(
        NotificationSettings.objects.filter(_reachable("user"), email_frequency=EmailFrequency.DAILY)
        .filter(_verified_email("user"))
        .annotate(since=since)
        .filter(first_digest | later_digest)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def enqueue_daily_digests(*, now: bool = False) -> int:
    """Enqueue one digest task per person with something to send (or, with ``now``, send them here).

    Returns how many digests were enqueued, or sent."""
    count = 0
    for user_id in daily_digest_recipients():
        if now:
            count += 1 if send_digest.call(user_id) else 0
        else:
            send_digest.enqueue(user_id)
            count += 1
    return count
