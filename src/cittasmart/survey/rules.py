import rules

from cittasmart.core.roles import is_staff_member
from cittasmart.survey.models import InvitationStatus, RoundStatus, Visibility


def _memberships(user) -> dict[int, str]:
    """organisation id → role, cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_cittasmart_memberships", None)
    if cached is None:
        cached = dict(user.memberships.values_list("organisation_id", "role"))
        user._cittasmart_memberships = cached
    return cached


@rules.predicate
def is_member_of_invited_organisation(user, invitation) -> bool:
    return invitation is not None and invitation.organisation_id in _memberships(user)


@rules.predicate
def is_representative_of_invited_organisation(user, invitation) -> bool:
    return invitation is not None and _memberships(user).get(invitation.organisation_id) == "representative"


@rules.predicate
def invitation_is_editable(user, invitation) -> bool:
    return invitation is not None and invitation.is_editable


@rules.predicate
def round_is_published(user, survey_round) -> bool:
    return survey_round is not None and survey_round.status == RoundStatus.PUBLISHED


@rules.predicate
def record_is_public(user, record) -> bool:
    return record is not None and record.is_validated and record.visibility == Visibility.PUBLIC


@rules.predicate
def is_member_of_record_owner(user, record) -> bool:
    return record is not None and record.owner_id in _memberships(user)


@rules.predicate
def invitation_is_submitted(user, invitation) -> bool:
    return invitation is not None and invitation.status == InvitationStatus.SUBMITTED


rules.add_perm("survey.manage_rounds", is_staff_member)
rules.add_perm("survey.view_round", is_staff_member | round_is_published)
rules.add_perm("survey.view_report", is_staff_member | round_is_published)
rules.add_perm("survey.view_invitation", is_staff_member | is_member_of_invited_organisation)
rules.add_perm("survey.fill_invitation", is_representative_of_invited_organisation & invitation_is_editable)
rules.add_perm("survey.review_invitation", is_staff_member & invitation_is_submitted)
rules.add_perm("survey.view_record", record_is_public | is_staff_member | is_member_of_record_owner)
rules.add_perm("survey.import_records", is_staff_member)
