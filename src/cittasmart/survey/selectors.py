from django.db.models import Count, Q, QuerySet
from django.http import Http404

from cittasmart.survey.models import Invitation, RecordKind, RecordRevision, SurveyRecord, SurveyRound


def round_list_for_staff() -> QuerySet[SurveyRound]:
    return SurveyRound.objects.annotate(
        invitation_count=Count("invitations", distinct=True),
        submitted_count=Count(
            "invitations", filter=Q(invitations__status__in=["submitted", "validated"]), distinct=True
        ),
        record_count=Count("records", distinct=True),
    ).order_by("-year", "-created_at")


def round_get(*, slug: str, user) -> SurveyRound:
    """A round the user may see; 404 for both missing and not visible (drafts stay unknown to the public)."""
    survey_round = SurveyRound.objects.filter(slug=slug).first()
    if survey_round is None or not user.has_perm("survey.view_round", survey_round):
        raise Http404
    return survey_round


def round_invitations(*, survey_round: SurveyRound) -> QuerySet[Invitation]:
    return (
        survey_round.invitations.select_related("organisation")
        .annotate(
            project_count=Count("records", filter=Q(records__kind=RecordKind.PROJECT)),
            idea_count=Count("records", filter=Q(records__kind=RecordKind.IDEA)),
        )
        .order_by("organisation__name")
    )


def invitation_get(*, pk: int, user) -> Invitation:
    """An invitation the user may see (staff, or a member of the invited organisation); 404 otherwise."""
    invitation = Invitation.objects.select_related("round", "organisation").filter(pk=pk).first()
    if invitation is None or not user.has_perm("survey.view_invitation", invitation):
        raise Http404
    return invitation


def invitations_for_user(*, user) -> QuerySet[Invitation]:
    organisation_ids = user.memberships.values_list("organisation_id", flat=True)
    return (
        Invitation.objects.filter(organisation_id__in=organisation_ids)
        .exclude(round__status="draft")
        .select_related("round", "organisation")
        .order_by("-round__year", "organisation__name")
    )


def invitation_records(*, invitation: Invitation, kind: str) -> QuerySet[SurveyRecord]:
    return invitation.records.filter(kind=kind).prefetch_related("impacts").order_by("title", "id")


def record_for_invitation(*, invitation: Invitation, record_pk: int) -> SurveyRecord:
    record = invitation.records.filter(pk=record_pk).first()
    if record is None:
        raise Http404
    return record


def invitation_revisions(*, invitation: Invitation) -> QuerySet[RecordRevision]:
    """Who changed which record of the questionnaire, when, and which fields, newest first."""
    return (
        RecordRevision.objects.filter(record__invitation=invitation)
        .select_related("record", "actor")
        .order_by("-at", "-id")
    )
