"""Every write of meetings: registration and its e-mail confirmation, seats and waitlist, cancellation with promotion,
check-in, contributions that become ideas, minutes and the meeting report.

Seats are exact under concurrency: every function that changes who holds a seat first locks the meeting row
(``select_for_update``; on SQLite the immediate transaction serialises writers), then counts and decides, in the same
transaction. The unique constraints on (meeting, e-mail) and (meeting, user) keep one registration per person even if
two requests slip past the lock. E-mails leave after the commit, through a background task.
"""

import datetime
import re
from collections.abc import Sequence

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from cittasmart.core.audit import log_action
from cittasmart.core.markup import render_markdown
from cittasmart.meetings.models import (
    ACTIVE_STATUSES,
    Attribution,
    CalendarFeed,
    Contribution,
    Meeting,
    MinutesAttachment,
    QuestionKind,
    Registration,
    RegistrationStatus,
    WorkingGroup,
)
from cittasmart.participation import services as participation_services
from cittasmart.participation.attachments import original_name, store_attachments
from cittasmart.stakeholders.models import Organisation, OrganisationCategory

# How long the link that confirms an e-mail address stays valid.
CONFIRMATION_VALID_FOR = datetime.timedelta(hours=48)


def _require(user, perm: str, obj, message: str) -> None:
    if not rules.has_perm(perm, user, obj):
        raise PermissionDenied(message)


def _save(obj) -> None:
    obj.full_clean()
    obj.save()


def _locked(meeting: Meeting) -> Meeting:
    """The meeting row, locked until the end of the transaction: every seat decision is taken behind it."""
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _email_after_commit(registration: Registration, kind: str) -> None:
    from cittasmart.meetings.tasks import send_registration_email

    pk = registration.pk
    transaction.on_commit(lambda: send_registration_email.enqueue(pk, kind))


# --- Seats ----------------------------------------------------------------------------------------------


class Seats:
    """The confirmed registrations of a locked meeting, counted once, updated as seats are given."""

    def __init__(self, meeting: Meeting):
        self.meeting = meeting
        confirmed = Registration.objects.filter(meeting=meeting, status=RegistrationStatus.CONFIRMED)
        self.total = confirmed.count()
        self.by_group = dict(
            confirmed.filter(group__isnull=False)
            .values_list("group")
            .annotate(n=Count("id"))
            .values_list("group", "n")
        )
        self.group_capacity = dict(meeting.groups.values_list("id", "capacity"))

    def meeting_has_room(self) -> bool:
        return self.meeting.capacity is None or self.total < self.meeting.capacity

    def has_room(self, group_id: int | None) -> bool:
        if not self.meeting_has_room():
            return False
        if group_id is None:
            return True
        capacity = self.group_capacity.get(group_id)
        return capacity is None or self.by_group.get(group_id, 0) < capacity

    def take(self, group_id: int | None) -> None:
        self.total += 1
        if group_id is not None:
            self.by_group[group_id] = self.by_group.get(group_id, 0) + 1


def _confirm_seat(registration: Registration, now) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = now


def _place(meeting: Meeting, registration: Registration) -> None:
    """Give a seat or a place at the end of the waitlist to a registration whose person is known (locked meeting)."""
    now = timezone.now()
    registration.queued_at = now
    seats = Seats(meeting)
    if seats.has_room(registration.group_id):
        _confirm_seat(registration, now)
    else:
        registration.status = RegistrationStatus.WAITLISTED


def _promote(meeting: Meeting) -> list[Registration]:
    """Give the free seats to the waitlist in order of arrival (locked meeting). A person waiting for a full group
    is passed over, not skipped for good: they keep their place for the next seat of their group."""
    seats = Seats(meeting)
    promoted = []
    if not seats.meeting_has_room():
        return promoted
    now = timezone.now()
    waiting = Registration.objects.filter(meeting=meeting, status=RegistrationStatus.WAITLISTED).order_by(
        "queued_at", "id"
    )
    for registration in waiting:
        if not seats.meeting_has_room():
            break
        if seats.has_room(registration.group_id):
            _confirm_seat(registration, now)
            registration.save(update_fields=["status", "confirmed_at", "updated_at"])
            seats.take(registration.group_id)
            promoted.append(registration)
            _email_after_commit(registration, "promoted")
    return promoted


# --- Registration ---------------------------------------------------------------------------------------


def _clean_answers(meeting: Meeting, answers: dict) -> dict:
    cleaned, errors = {}, {}
    for question in meeting.questions.all():
        value = str(answers.get(str(question.pk), "") or "").strip()[:500]
        if question.required and not value:
            errors[f"q{question.pk}"] = _("This question needs an answer.")
        elif value and question.kind == QuestionKind.CHOICE and value not in question.choice_list:
            errors[f"q{question.pk}"] = _("Choose one of the answers offered.")
        if value:
            cleaned[str(question.pk)] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def registration_closed_message(meeting: Meeting) -> str:
    now = timezone.now()
    if meeting.registration_opens_at and now < meeting.registration_opens_at:
        return _("Registration for this meeting is not open yet.")
    return _("Registration for this meeting is closed.")


@transaction.atomic
def registration_create(
    *,
    meeting: Meeting,
    name: str,
    email: str,
    user=None,
    group: WorkingGroup | None = None,
    organisation: Organisation | None = None,
    organisation_name: str = "",
    organisation_category: str = "",
    answers: dict | None = None,
    is_demo: bool = False,
) -> tuple[Registration, bool]:
    """Register a person to ``meeting``; the second value says whether a new registration was made.

    A logged-in person (``user``, whose address the platform verified) takes a seat or joins the waitlist at once.
    With e-mail only, the registration waits for the person to confirm the address from the e-mail we send.
    Registering again while a registration is active changes nothing: the person gets their link again by e-mail.
    """
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    email = (user.email if user is not None else email or "").strip().lower()
    name = (name or (user.public_name if user is not None else "")).strip()
    errors = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid e-mail address.")
    if not name:
        errors["name"] = _("Enter your name.")
    if organisation_category and organisation_category not in OrganisationCategory.values:
        errors["organisation_category"] = _("Choose one of the sectors offered.")
    if errors:
        raise ValidationError(errors)
    meeting = _locked(meeting)
    if not meeting.registration_is_open():
        raise ValidationError(registration_closed_message(meeting))
    groups = list(meeting.groups.all())
    if group is not None and group.meeting_id != meeting.pk:
        raise ValidationError({"group": _("Choose one of the working groups of this meeting.")})
    if group is None and groups:
        raise ValidationError({"group": _("Choose the working group you want to take part in.")})
    if organisation is not None and user is not None:
        if not user.memberships.filter(organisation=organisation).exists():
            raise ValidationError(
                {"organisation": _("You can only register for an organisation you act for.")}
            )
        organisation_name = organisation.name
        organisation_category = organisation_category or organisation.category
    cleaned_answers = _clean_answers(meeting, answers or {})

    same_person = Q(email__iexact=email)
    if user is not None:
        same_person |= Q(user=user)
    existing = Registration.objects.filter(same_person, meeting=meeting, status__in=ACTIVE_STATUSES).first()
    if existing is not None:
        _resend(existing)
        return existing, False

    registration = Registration(
        meeting=meeting,
        group=group,
        user=user,
        name=name,
        email=email,
        organisation=organisation if user is not None else None,
        organisation_name=organisation_name.strip(),
        organisation_category=organisation_category,
        answers=cleaned_answers,
        is_demo=is_demo,
    )
    if user is not None:
        _place(meeting, registration)
    else:
        registration.status = RegistrationStatus.PENDING
        registration.confirmation_sent_at = timezone.now()
    registration.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        # The same person in a parallel request (only possible where the lock is not taken): keep theirs.
        existing = Registration.objects.get(same_person, meeting=meeting, status__in=ACTIVE_STATUSES)
        return existing, False
    _email_after_commit(registration, "confirm_address" if user is None else registration.status)
    return registration, True


def _resend(registration: Registration) -> None:
    """Send the person their link again; a pending registration gets a fresh confirmation link."""
    if registration.status == RegistrationStatus.PENDING:
        registration.confirmation_sent_at = timezone.now()
        registration.save(update_fields=["confirmation_sent_at", "updated_at"])
        _email_after_commit(registration, "confirm_address")
    else:
        _email_after_commit(registration, "already_registered")


def confirmation_expired(registration: Registration) -> bool:
    sent = registration.confirmation_sent_at or registration.created_at
    return timezone.now() - sent > CONFIRMATION_VALID_FOR


@transaction.atomic
def registration_confirm_address(*, registration: Registration) -> Registration:
    """The person confirmed their address from the e-mail: they take a seat or a place on the waitlist."""
    meeting = _locked(registration.meeting)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.PENDING:
        return registration  # confirmed already (a second click changes nothing)
    if confirmation_expired(registration):
        raise ValidationError(_("This confirmation link has expired. Register again to receive a new one."))
    if not meeting.registration_is_open():
        raise ValidationError(registration_closed_message(meeting))
    _place(meeting, registration)
    registration.save(update_fields=["status", "queued_at", "confirmed_at", "updated_at"])
    _email_after_commit(registration, registration.status)
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration) -> list[Registration]:
    """Cancel a registration; a freed seat goes at once to the first people waiting who fit (returned)."""
    meeting = _locked(registration.meeting)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not registration.is_active:
        raise ValidationError(_("This registration has already been cancelled."))
    if meeting.is_past:
        raise ValidationError(_("The meeting is over: its registrations can no longer be cancelled."))
    held_seat = registration.holds_seat
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    _email_after_commit(registration, "cancelled")
    return _promote(meeting) if held_seat else []


@transaction.atomic
def meeting_capacity_change(*, actor, meeting: Meeting, capacity: int | None) -> list[Registration]:
    """Change the seats of a meeting; new seats go to the waitlist in order. Fewer seats than people already
    confirmed is refused: nobody loses a confirmed seat."""
    _require(actor, "meetings.manage", meeting, _("Only the plan office changes the seats of a meeting."))
    meeting = _locked(meeting)
    confirmed = Registration.objects.filter(meeting=meeting, status=RegistrationStatus.CONFIRMED).count()
    if capacity is not None and capacity < confirmed:
        raise ValidationError(
            {
                "capacity": _("%(count)d people already hold a seat: the seats cannot be fewer.")
                % {"count": confirmed}
            }
        )
    meeting.capacity = capacity
    _save(meeting)
    log_action(actor, "meetings.meeting.capacity", meeting, {"capacity": capacity})
    return _promote(meeting)


@transaction.atomic
def meeting_promote_waitlist(*, actor, meeting: Meeting) -> list[Registration]:
    """Give free seats to the waitlist (after the seats of a meeting or of a group were raised in the admin)."""
    _require(actor, "meetings.manage", meeting, _("Only the plan office manages meetings."))
    promoted = _promote(_locked(meeting))
    log_action(actor, "meetings.meeting.promoted", meeting, {"registrations": [r.pk for r in promoted]})
    return promoted


def calendar_feed_for(user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


# --- Check-in -------------------------------------------------------------------------------------------

CODE_IN_TEXT = re.compile(r"(?:code=)?([A-Za-z0-9]{4,12})\s*$")


def normalise_code(text: str) -> str:
    """The registration code in what was typed or scanned (the code, or the check-in address that carries it)."""
    cleaned = (text or "").strip().replace("-", "").replace(" ", "")
    match = CODE_IN_TEXT.search(cleaned)
    return match.group(1).upper() if match else ""


@transaction.atomic
def check_in(*, actor, meeting: Meeting, code: str) -> tuple[Registration, bool]:
    """Check a person in by their code; the second value is False when they had already been checked in."""
    _require(
        actor,
        "meetings.check_in",
        meeting,
        _("Only the facilitators and staff of this meeting check people in."),
    )
    normalised = normalise_code(code)
    registration = (
        Registration.objects.select_for_update().filter(meeting=meeting, code=normalised).first()
        if normalised
        else None
    )
    if registration is None:
        raise ValidationError({"code": _("No registration of this meeting has this code.")})
    if registration.status == RegistrationStatus.WAITLISTED:
        raise ValidationError({"code": _("This person is on the waitlist: they do not hold a seat yet.")})
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ValidationError(
            {"code": _("This registration is not confirmed (cancelled, or its address was never confirmed).")}
        )
    if registration.checked_in_at is not None:
        return registration, False
    registration.checked_in_at = timezone.now()
    registration.checked_in_by = actor
    registration.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    log_action(actor, "meetings.registration.checked_in", meeting, {"registration": registration.pk})
    return registration, True


@transaction.atomic
def check_in_undo(*, actor, registration: Registration) -> Registration:
    _require(
        actor,
        "meetings.check_in",
        registration.meeting,
        _("Only the facilitators and staff of this meeting check people in."),
    )
    if registration.checked_in_at is None:
        raise ValidationError(_("This person has not been checked in."))
    registration.checked_in_at = None
    registration.checked_in_by = None
    registration.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    log_action(
        actor,
        "meetings.registration.check_in_undone",
        registration.meeting,
        {"registration": registration.pk},
    )
    return registration


# --- Contributions, minutes, report ---------------------------------------------------------------------

TITLE_WORDS = 14


def idea_title(text: str) -> str:
    """A title for the idea made from the first sentence of what was said."""
    first = re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0].rstrip(".")
    return (
        Truncator(first).chars(140)
        if len(first.split()) <= TITLE_WORDS
        else Truncator(first).words(TITLE_WORDS)
    )


def contribution_source(group: WorkingGroup) -> tuple[str, str]:
    """Where an idea was said: the meeting and its group, and the meeting's address."""
    meeting = group.meeting
    return f"{meeting.title} – {group}", meeting.get_absolute_url()


@transaction.atomic
def contributions_record(*, actor, group: WorkingGroup, rows: Sequence[dict]) -> list[Contribution]:
    """Record what was said in a working group; each contribution becomes an idea of the meeting's process.

    ``rows`` are dicts with ``text``, ``ambito``, ``attribution`` and, as the attribution asks, ``registration``
    or ``organisation``. Every row is checked before anything is written; nothing is written if one is wrong."""
    _require(
        actor,
        "meetings.record_contributions",
        group,
        _("Only the facilitators of this group record its contributions."),
    )
    meeting = group.meeting
    if meeting.process is None:
        raise ValidationError(
            _("This meeting is not linked to a participatory process: ask the plan office to link one.")
        )
    if not rows:
        raise ValidationError(_("Write at least one contribution."))
    checked = []
    for index, row in enumerate(rows, start=1):
        text = (row.get("text") or "").strip()
        attribution = row.get("attribution") or ""
        registration = row.get("registration")
        organisation = row.get("organisation")
        problem = None
        if not text:
            problem = _("the text is empty")
        elif attribution not in Attribution.values:
            problem = _("say who said it")
        elif attribution == Attribution.PARTICIPANT and (
            registration is None
            or registration.meeting_id != meeting.pk
            or registration.status != RegistrationStatus.CONFIRMED
        ):
            problem = _("choose a participant of this meeting")
        elif attribution == Attribution.ORGANISATION and organisation is None:
            problem = _("choose the organisation")
        if problem:
            raise ValidationError(
                _("Contribution %(row)d: %(problem)s.") % {"row": index, "problem": problem}
            )
        if attribution == Attribution.PARTICIPANT:
            organisation = registration.organisation
            said_by = registration.name
        elif attribution == Attribution.ORGANISATION:
            registration, said_by = None, organisation.name
        else:
            registration, organisation, said_by = None, None, ""
        checked.append((text, row.get("ambito") or "", attribution, registration, organisation, said_by))

    source_title, source_url = contribution_source(group)
    contributions = []
    for text, ambito, attribution, registration, organisation, said_by in checked:
        idea = participation_services.idea_record(
            recorder=actor,
            process=meeting.process,
            title=idea_title(text),
            body=text,
            ambito=ambito,
            organisation=organisation,
            said_by=said_by,
            source_title=source_title,
            source_url=source_url,
        )
        contribution = Contribution(
            group=group,
            text=text,
            ambito=ambito,
            attribution=attribution,
            registration=registration,
            organisation=organisation,
            idea=idea,
            recorded_by=actor,
        )
        _save(contribution)
        contributions.append(contribution)
    log_action(
        actor, "meetings.contributions.recorded", meeting, {"group": group.pk, "count": len(contributions)}
    )
    return contributions


@transaction.atomic
def minutes_save(*, actor, group: WorkingGroup, minutes: str, files: Sequence = ()) -> WorkingGroup:
    _require(
        actor,
        "meetings.record_contributions",
        group,
        _("Only the facilitators of this group write its minutes."),
    )
    group.minutes = minutes.strip()
    group.minutes_html = render_markdown(group.minutes)
    _save(group)
    if group.attachments.count() + len(files) > settings.ATTACHMENTS_PER_IDEA:
        raise ValidationError(
            {
                "attachments": _("At most %(count)d attachments per group.")
                % {"count": settings.ATTACHMENTS_PER_IDEA}
            }
        )
    store_attachments(
        files,
        lambda upload, kind, content_type: MinutesAttachment(
            group=group,
            kind=kind,
            content_type=content_type,
            original_name=original_name(upload),
            size=upload.size,
        ),
    )
    log_action(actor, "meetings.minutes.saved", group.meeting, {"group": group.pk, "files": len(files)})
    return group


@transaction.atomic
def minutes_attachment_remove(*, actor, attachment: MinutesAttachment) -> None:
    """Remove a file of the minutes (a wrong upload), with its stored file once the transaction commits."""
    group = attachment.group
    _require(
        actor,
        "meetings.record_contributions",
        group,
        _("Only the facilitators of this group write its minutes."),
    )
    name, file = attachment.original_name, attachment.file
    attachment.delete()
    transaction.on_commit(lambda: file.delete(save=False))
    log_action(actor, "meetings.minutes.attachment_removed", group.meeting, {"group": group.pk, "file": name})


@transaction.atomic
def report_publish(*, actor, meeting: Meeting, report: str, publish: bool = True) -> Meeting:
    _require(
        actor,
        "meetings.publish_report",
        meeting,
        _("Only the facilitators and staff of this meeting publish its report."),
    )
    meeting.report = report.strip()
    meeting.report_html = render_markdown(meeting.report)
    if publish and meeting.report_published_at is None:
        meeting.report_published_at = timezone.now()
    if not publish:
        meeting.report_published_at = None
    _save(meeting)
    log_action(actor, "meetings.report.published" if publish else "meetings.report.saved", meeting)
    return meeting
