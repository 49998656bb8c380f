"""Every write of the survey: rounds, invitations, the questionnaire, records and their review."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cittasmart.core.ambiti import Ambito
from cittasmart.core.audit import log_action
from cittasmart.stakeholders.models import Membership, MembershipRole, Organisation
from cittasmart.survey.models import (
    FundingSource,
    Invitation,
    InvitationEvent,
    InvitationStatus,
    RecordImpact,
    RecordPartner,
    RecordRevision,
    RoundStatus,
    SurveyRecord,
    SurveyRound,
)
from cittasmart.survey.validators import normalise_cup

ROUND_FIELDS = (
    "title",
    "year",
    "description",
    "opens_on",
    "closes_on",
    "questionnaire_version",
    "previous_round",
)
GENERAL_FIELDS = (
    "contact_name",
    "contact_role",
    "contact_email",
    "contact_phone",
    "employees",
    "smart_city_unit",
    "general_notes",
)
RECORD_FIELDS = (
    "kind",
    "title",
    "description",
    "reference_ambito",
    "audience_citizens",
    "audience_businesses",
    "audience_schools",
    "audience_internal",
    "status",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "budget",
    "cup",
    "latitude",
    "longitude",
    "links",
    "visibility",
    "update_of",
)

ROUND_TRANSITIONS = {
    RoundStatus.DRAFT: {RoundStatus.OPEN},
    RoundStatus.OPEN: {RoundStatus.CLOSED},
    RoundStatus.CLOSED: {RoundStatus.OPEN, RoundStatus.PUBLISHED},
    RoundStatus.PUBLISHED: {RoundStatus.CLOSED},
}


# --- Rounds ---------------------------------------------------------------------------------------------


def _unique_round_slug(title: str, year: int, exclude_pk=None) -> str:
    base = slugify(title.replace("/", " "))[:70] or f"indagine-{year}"
    slug, n = base, 2
    while SurveyRound.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def round_create(
    *, actor, conducted_by: list[Organisation] | None = None, is_demo: bool = False, **fields
) -> SurveyRound:
    survey_round = SurveyRound(is_demo=is_demo, **{k: v for k, v in fields.items() if k in ROUND_FIELDS})
    survey_round.slug = _unique_round_slug(survey_round.title, survey_round.year)
    survey_round.full_clean()
    survey_round.save()
    if conducted_by:
        survey_round.conducted_by.set(conducted_by)
    log_action(actor, "survey.round.created", survey_round)
    return survey_round


@transaction.atomic
def round_update(
    *, actor, survey_round: SurveyRound, conducted_by: list[Organisation] | None = None, **fields
) -> SurveyRound:
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    changed = {}
    for name, value in fields.items():
        if name not in ROUND_FIELDS:
            raise TypeError(f"Unknown round field: {name}")
        if getattr(survey_round, name) != value:
            changed[name] = str(value)
        setattr(survey_round, name, value)
    survey_round.full_clean()
    survey_round.save()
    if conducted_by is not None:
        survey_round.conducted_by.set(conducted_by)
    log_action(actor, "survey.round.updated", survey_round, {"changed": changed})
    return survey_round


@transaction.atomic
def round_set_status(*, actor, survey_round: SurveyRound, status: str) -> SurveyRound:
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    current = RoundStatus(survey_round.status)
    if status not in ROUND_TRANSITIONS[current]:
        raise ValidationError(
            _("A round in the state “%(current)s” cannot move to “%(new)s”.")
            % {
                "current": current.label,
                "new": RoundStatus(status).label if status in RoundStatus.values else status,
            }
        )
    survey_round.status = status
    survey_round.save(update_fields=["status", "updated_at"])
    log_action(actor, f"survey.round.{status}", survey_round, {"from": current.value})
    return survey_round


# --- Invitations ----------------------------------------------------------------------------------------


def _representative_emails(organisation: Organisation) -> list[str]:
    return list(
        Membership.objects.filter(
            organisation=organisation, role=MembershipRole.REPRESENTATIVE, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def _record_event(invitation: Invitation, actor, from_status: str, comment: str = "") -> None:
    InvitationEvent.objects.create(
        invitation=invitation,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=invitation.status,
        comment=comment,
    )


@transaction.atomic
def invitation_create(
    *, actor, survey_round: SurveyRound, organisations: list[Organisation], base_url: str = ""
) -> list[Invitation]:
    """Invite organisations to a round; each is invited once. Representatives get an e-mail with the link."""
    if survey_round.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
        raise ValidationError(_("Organisations can be invited only while the round is a draft or open."))
    created = []
    for organisation in organisations:
        invitation, is_new = Invitation.objects.get_or_create(
            round=survey_round, organisation=organisation, defaults={"invited_at": timezone.now()}
        )
        if not is_new:
            continue
        _record_event(invitation, actor, "")
        log_action(actor, "survey.invitation.created", invitation)
        created.append(invitation)
        recipients = _representative_emails(organisation)
        if recipients:
            link = f"{base_url}{invitation.get_absolute_url()}"
            subject = _("Survey on the state of development of the Smart City: %(round)s") % {
                "round": survey_round.title
            }
            body = _(
                "Your organisation, %(organisation)s, is invited to answer the survey “%(round)s”.\n\n"
                "Open the questionnaire here (log in with your account):\n%(link)s\n"
            ) % {"organisation": organisation.name, "round": survey_round.title, "link": link}
            transaction.on_commit(lambda s=subject, b=body, r=recipients: send_mail(s, b, None, r))
    return created


def _require_editable(invitation: Invitation) -> None:
    if not invitation.is_editable:
        raise PermissionDenied(_("This questionnaire can no longer be changed."))


def _mark_in_progress(invitation: Invitation, actor) -> None:
    if invitation.status == InvitationStatus.INVITED:
        invitation.status = InvitationStatus.IN_PROGRESS
        invitation.save(update_fields=["status", "updated_at"])
        _record_event(invitation, actor, InvitationStatus.INVITED)


@transaction.atomic
def invitation_save_general(*, actor, invitation: Invitation, **fields) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("round").get(pk=invitation.pk)
    _require_editable(invitation)
    for name, value in fields.items():
        if name not in GENERAL_FIELDS:
            raise TypeError(f"Unknown field: {name}")
        setattr(invitation, name, value)
    invitation.full_clean()
    invitation.save()
    _mark_in_progress(invitation, actor)
    return invitation


def invitation_missing(invitation: Invitation) -> list[str]:
    """What still prevents submitting: the general data needs a contact person and an e-mail."""
    missing = []
    if not invitation.contact_name:
        missing.append(_("the contact person in the general data"))
    if not invitation.contact_email:
        missing.append(_("the contact e-mail in the general data"))
    return missing


@transaction.atomic
def invitation_submit(*, actor, invitation: Invitation) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().select_related("round", "organisation").get(pk=invitation.pk)
    )
    _require_editable(invitation)
    missing = invitation_missing(invitation)
    if missing:
        raise ValidationError(_("Before submitting, fill in: %(missing)s.") % {"missing": "; ".join(missing)})
    previous = invitation.status
    invitation.status = InvitationStatus.SUBMITTED
    invitation.submitted_at = timezone.now()
    invitation.save(update_fields=["status", "submitted_at", "updated_at"])
    _record_event(invitation, actor, previous)
    log_action(actor, "survey.invitation.submitted", invitation)
    return invitation


def _require_submitted(invitation: Invitation) -> None:
    if invitation.status != InvitationStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted questionnaire can be reviewed."))


@transaction.atomic
def invitation_return(*, actor, invitation: Invitation, comment: str) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().select_related("round", "organisation").get(pk=invitation.pk)
    )
    _require_submitted(invitation)
    comment = comment.strip()
    if not comment:
        raise ValidationError(_("Say what must be fixed: the comment is required."))
    invitation.status = InvitationStatus.RETURNED
    invitation.review_comment = comment
    invitation.save(update_fields=["status", "review_comment", "updated_at"])
    _record_event(invitation, actor, InvitationStatus.SUBMITTED, comment)
    log_action(actor, "survey.invitation.returned", invitation, {"comment": comment})
    recipients = _representative_emails(invitation.organisation)
    if recipients:
        subject = _("Your questionnaire has been returned with comments")
        body = _("The plan office asks you to review the questionnaire “%(round)s”:\n\n%(comment)s\n") % {
            "round": invitation.round.title,
            "comment": comment,
        }
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients))
    return invitation


@transaction.atomic
def invitation_validate(*, actor, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _require_submitted(invitation)
    invitation.status = InvitationStatus.VALIDATED
    invitation.validated_at = timezone.now()
    invitation.save(update_fields=["status", "validated_at", "updated_at"])
    invitation.records.update(is_validated=True)
    _record_event(invitation, actor, InvitationStatus.SUBMITTED)
    log_action(actor, "survey.invitation.validated", invitation, {"records": invitation.records.count()})
    return invitation


# --- Records --------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _snapshot(record: SurveyRecord) -> dict[str, Any]:
    data = {name: _plain(getattr(record, name)) for name in RECORD_FIELDS}
    data["impact_ambiti"] = sorted(record.impacts.values_list("ambito", flat=True)) if record.pk else []
    data["partners"] = (
        [[p.organisation_id, p.name, p.role] for p in record.partners.all()] if record.pk else []
    )
    data["funding"] = (
        [[f.type, f.programme, _plain(f.amount)] for f in record.funding.all()] if record.pk else []
    )
    return data


def record_save(
    *,
    actor,
    survey_round: SurveyRound,
    owner: Organisation,
    record: SurveyRecord | None = None,
    invitation: Invitation | None = None,
    impact_ambiti: list[str] | None = None,
    partners: list[dict] | None = None,
    funding: list[dict] | None = None,
    is_validated: bool | None = None,
    is_demo: bool = False,
    **fields,
) -> SurveyRecord:
    """Create or change a record, with its impact ambiti, partners and funding; the change is kept in history.

    All or nothing: a ValidationError leaves the database as it was."""
    with transaction.atomic():
        if record is None:
            record = SurveyRecord(round=survey_round, owner=owner, invitation=invitation, is_demo=is_demo)
            before: dict[str, Any] = {}
        else:
            record = SurveyRecord.objects.select_for_update().get(pk=record.pk)
            before = _snapshot(record)
        if invitation is not None:
            _require_editable(Invitation.objects.select_related("round").get(pk=invitation.pk))
        for name, value in fields.items():
            if name not in RECORD_FIELDS:
                raise TypeError(f"Unknown record field: {name}")
            if name == "cup":
                value = normalise_cup(value)
            setattr(record, name, value)
        if is_validated is not None:
            record.is_validated = is_validated
        record.full_clean()
        errors = {}
        if record.update_of_id and record.update_of.round_id == record.round_id:
            errors["update_of"] = _("A record can update only a record of an earlier round.")
        impact = [a for a in (impact_ambiti or []) if a != record.reference_ambito]
        bad = [a for a in impact if a not in Ambito.values]
        if bad:
            errors["impact_ambiti"] = _("Unknown domain: %(value)s.") % {"value": ", ".join(bad)}
        if errors:
            raise ValidationError(errors)
        record.save()
        if impact_ambiti is not None or before == {}:
            record.impacts.all().delete()
            RecordImpact.objects.bulk_create(
                [RecordImpact(record=record, ambito=a) for a in sorted(set(impact))]
            )
        if partners is not None:
            record.partners.all().delete()
            for partner in partners:
                item = RecordPartner(record=record, **partner)
                item.full_clean(exclude=["record"])
                item.save()
        if funding is not None:
            record.funding.all().delete()
            for source in funding:
                item = FundingSource(record=record, **source)
                item.full_clean(exclude=["record"])
                item.save()
        after = _snapshot(record)
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        if changes:
            RecordRevision.objects.create(
                record=record,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                changes=changes,
            )
        if invitation is not None:
            _mark_in_progress(Invitation.objects.select_for_update().get(pk=invitation.pk), actor)
        elif getattr(actor, "is_authenticated", False):
            log_action(actor, "survey.record.saved", record, {"fields": sorted(changes)})
        return record


@transaction.atomic
def record_delete(*, actor, record: SurveyRecord) -> None:
    if record.invitation_id:
        _require_editable(Invitation.objects.select_related("round").get(pk=record.invitation_id))
    else:
        log_action(actor, "survey.record.deleted", record)
    record.delete()
