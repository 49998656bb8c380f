"""GDPR: what meetings stores about a person, to export it and to erase it (see ``accounts/gdpr.py``).

A person's registrations are those made while logged in and those made with e-mail only from the same address
(compared without case), as in "my registrations".

What erasure keeps and what it removes, and why:

- Registrations stay as rows, so that the attendance of past meetings (seats taken, people checked in, the counts
  of a group) stays what it was. What identifies the person goes: the name becomes "Former participant" (written
  in the site's language, as the audit log does), the e-mail becomes an undeliverable ``erased-<id>@erased.invalid``,
  the answers to the registration questions are emptied, and the token that signed the links of the e-mails is
  replaced, so that those links no longer open the registration. A typed organisation name goes too (for a private
  person it can identify them); the organisation chosen from the stakeholders (a public fact: the person acted for
  it) and the sector stay, so the counts by sector stay coherent. The registration code stays: it is random.
- Registrations still active for meetings that are not over are cancelled first, through the service: the person
  can no longer be reached (no confirmation, reminder or promotion could get to them), and a seat they held goes at
  once to the first person waiting, as for any cancellation.
- What the person said at a meeting stays in the public record (the contribution and the idea it became, which
  others may have supported or the plan office answered), but no longer names them: the idea's "said by" is
  blanked. The link between the contribution and the anonymised registration stays.
- The secret address of the person's calendar feed is deleted.
- Rows the person wrote as a facilitator (check-ins, contributions they recorded) keep pointing to the anonymised
  account, as audit entries do.
"""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from cittasmart.meetings import services
from cittasmart.meetings.models import (
    ACTIVE_STATUSES,
    Attribution,
    CalendarFeed,
    Contribution,
    Registration,
    WorkingGroup,
    secret_token,
)
from cittasmart.participation import services as participation_services


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _registrations(user):
    """Made while logged in, or with the person's address (before the account's own e-mail is erased)."""
    return Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email))


def _answers(registration: Registration) -> dict[str, str]:
    labels = {str(q.pk): q.label for q in registration.meeting.questions.all()}
    return {labels.get(key, key): value for key, value in (registration.answers or {}).items()}


def _export_registrations(user) -> list[dict[str, Any]]:
    registrations = (
        _registrations(user)
        .select_related("meeting", "group__theme", "organisation")
        .prefetch_related("meeting__questions")
        .order_by("meeting__starts_at", "id")
    )
    return [
        {
            "meeting": r.meeting.title,
            "meeting_starts_at": _iso(r.meeting.starts_at),
            "working_group": str(r.group) if r.group_id else None,
            "name": r.name,
            "email": r.email,
            "organisation": r.organisation.name if r.organisation_id else (r.organisation_name or None),
            "sector": r.organisation_category or None,
            "answers": _answers(r),
            "state": r.status,
            "code": r.code,
            "registered_at": _iso(r.created_at),
            "in_the_queue_since": _iso(r.queued_at),
            "seat_confirmed_at": _iso(r.confirmed_at),
            "cancelled_at": _iso(r.cancelled_at),
            "checked_in_at": _iso(r.checked_in_at),
            "reminder_sent_at": _iso(r.reminded_at),
        }
        for r in registrations
    ]


def _export_contributions(user) -> list[dict[str, Any]]:
    """What the person said at a meeting, as a facilitator recorded it and attributed it to them."""
    contributions = (
        Contribution.objects.filter(
            attribution=Attribution.PARTICIPANT, registration__in=_registrations(user).values("pk")
        )
        .select_related("group__meeting", "group__theme")
        .order_by("created_at", "id")
    )
    return [
        {
            "meeting": c.group.meeting.title,
            "working_group": str(c.group),
            "text": c.text,
            "domain": c.ambito or None,
            "idea_id": c.idea_id,
            "recorded_at": _iso(c.created_at),
        }
        for c in contributions
    ]


def _export_facilitated_groups(user) -> list[dict[str, Any]]:
    groups = (
        WorkingGroup.objects.filter(facilitators=user)
        .select_related("meeting", "theme")
        .order_by("meeting__starts_at", "order", "id")
    )
    return [
        {"meeting": g.meeting.title, "meeting_starts_at": _iso(g.meeting.starts_at), "working_group": str(g)}
        for g in groups
    ]


def export(user) -> dict[str, Any]:
    feed = CalendarFeed.objects.filter(user=user).first()
    return {
        "registrations": _export_registrations(user),
        "contributions": _export_contributions(user),
        "facilitated_groups": _export_facilitated_groups(user),
        "calendar_feed": {"created_at": _iso(feed.created_at)} if feed is not None else None,
    }


def _forget_said_by(registration_ids: list[int]) -> None:
    """The ideas recorded from what the person said no longer name them."""
    ideas = Contribution.objects.filter(
        attribution=Attribution.PARTICIPANT, registration_id__in=registration_ids, idea__isnull=False
    ).values_list("idea_id", flat=True)
    participation_services.ideas_forget_said_by(idea_ids=list(ideas))


@transaction.atomic
def erase(user) -> None:
    """Anonymise the person's registrations (the module docstring says what stays and what goes)."""
    ids = list(_registrations(user).values_list("pk", flat=True))
    ongoing = Registration.objects.filter(
        pk__in=ids, status__in=ACTIVE_STATUSES, meeting__ends_at__gte=timezone.now()
    ).select_related("meeting")
    for registration in ongoing:
        services.registration_cancel(registration=registration)
    _forget_said_by(ids)
    with translation.override(settings.LANGUAGE_CODE):
        former = gettext("Former participant")
    now = timezone.now()
    for registration in Registration.objects.filter(pk__in=ids).only("pk", "organisation_id"):
        Registration.objects.filter(pk=registration.pk).update(
            name=former,
            email=f"erased-{registration.pk}@erased.invalid",
            answers={},
            organisation_name="" if registration.organisation_id is None else F("organisation_name"),
            token=secret_token(),
            updated_at=now,
        )
    CalendarFeed.objects.filter(user=user).delete()
