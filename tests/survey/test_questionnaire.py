"""The questionnaire journey through the test client: invite → fill → draft → submit → return → fix → validate."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from cittasmart.core.models import AuditEntry
from cittasmart.survey import services
from cittasmart.survey.models import (
    Invitation,
    InvitationStatus,
    RecordRevision,
    RoundStatus,
    SurveyRecord,
    SurveyRound,
)
from tests.factories import InvitationFactory, MembershipFactory, OrganisationFactory, SurveyRoundFactory

PROJECT = {
    "title": "Smart parking sensors",
    "description": "Sensors on 300 parking spaces.",
    "reference_ambito": "mobility",
    "impact_ambiti": ["environment", "ict"],
    "audience_citizens": "on",
    "status": "in_progress",
    "planned_start": "2020-01-01",
    "planned_end": "2021-12-31",
    "budget": "150000.00",
    "cup": "h51b17000110007",
    "visibility": "public",
    "partners-TOTAL_FORMS": "2",
    "partners-INITIAL_FORMS": "0",
    "partners-0-name": "A supplier",
    "partners-0-role": "supplier",
    "funding-TOTAL_FORMS": "2",
    "funding-INITIAL_FORMS": "0",
    "funding-0-type": "pnrr",
    "funding-0-programme": "M2C2",
    "funding-0-amount": "100000",
}
GENERAL = {"contact_name": "Anna Bianchi", "contact_email": "anna@example.org", "employees": "120"}


@pytest.fixture
def invitation(db, organisation):
    return InvitationFactory(organisation=organisation, round=SurveyRoundFactory(status=RoundStatus.OPEN))


@pytest.mark.django_db
def test_plan_office_creates_a_round_and_invites_an_organisation(
    client, plan_office, mailoutbox, django_capture_on_commit_callbacks
):
    company = OrganisationFactory(name="ASM Example")
    rep = MembershipFactory(organisation=company, role="representative").user
    client.force_login(plan_office)
    response = client.post(reverse("survey:round_create"), {"title": "Update 2022", "year": "2022"})
    assert response.status_code == 302
    survey_round = SurveyRound.objects.get(title="Update 2022")
    assert survey_round.status == RoundStatus.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("survey:round_invite", args=[survey_round.slug]), {"organisations": [company.pk]}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(round=survey_round, organisation=company)
    assert invitation.status == InvitationStatus.INVITED
    assert [m.to for m in mailoutbox] == [[rep.email]]
    assert invitation.get_absolute_url() in mailoutbox[0].body
    # Inviting again does not duplicate the invitation nor the e-mail.
    client.post(reverse("survey:round_invite", args=[survey_round.slug]), {"organisations": [company.pk]})
    assert Invitation.objects.filter(round=survey_round).count() == 1
    assert len(mailoutbox) == 1
    response = client.post(reverse("survey:round_status", args=[survey_round.slug]), {"status": "open"})
    survey_round.refresh_from_db()
    assert survey_round.status == RoundStatus.OPEN


@pytest.mark.django_db
def test_full_questionnaire_journey(
    client, invitation, representative, plan_office, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(representative)
    questionnaire = reverse("survey:questionnaire", args=[invitation.pk])
    assert client.get(questionnaire).status_code == 200

    # Section 1: general data, saved as a draft.
    response = client.post(reverse("survey:questionnaire_general", args=[invitation.pk]), GENERAL)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.IN_PROGRESS and invitation.contact_name == "Anna Bianchi"

    # Section 2: a project, with impacts, partners and funding.
    response = client.post(reverse("survey:record_create", args=[invitation.pk, "project"]), PROJECT)
    assert response.status_code == 302, response.content.decode()[:3000]
    record = SurveyRecord.objects.get(invitation=invitation)
    assert record.kind == "project" and record.cup == "H51B17000110007" and not record.is_validated
    assert sorted(record.impacts.values_list("ambito", flat=True)) == ["environment", "ict"]
    assert [(p.name, p.role) for p in record.partners.all()] == [("A supplier", "supplier")]
    assert [(f.type, str(f.amount)) for f in record.funding.all()] == [("pnrr", "100000.00")]

    # Section 3: an idea.
    idea = PROJECT | {
        "title": "Open data portal",
        "status": "idea",
        "reference_ambito": "ict",
        "impact_ambiti": [],
    }
    assert client.post(reverse("survey:record_create", args=[invitation.pk, "idea"]), idea).status_code == 302
    assert invitation.records.filter(kind="idea").count() == 1

    # Coming back later: the draft is there.
    page = client.get(questionnaire).text
    assert "Smart parking sensors" in page and "Open data portal" in page

    # Submit: read-only afterwards.
    assert client.post(reverse("survey:questionnaire_submit", args=[invitation.pk])).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SUBMITTED
    edit = reverse("survey:record_update", args=[invitation.pk, record.pk])
    assert client.post(edit, PROJECT | {"title": "Changed after submit"}).status_code == 403
    record.refresh_from_db()
    assert record.title == "Smart parking sensors"

    # The plan office returns it with a comment; the representative gets an e-mail.
    client.force_login(plan_office)
    review = reverse("survey:invitation_review", args=[invitation.pk])
    assert client.post(review, {"action": "return", "comment": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(review, {"action": "return", "comment": "Add the end date."}).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.RETURNED
    assert "Add the end date." in mailoutbox[-1].body

    # The respondent fixes and resubmits.
    client.force_login(representative)
    assert "Add the end date." in client.get(questionnaire).text
    assert client.post(edit, PROJECT | {"actual_start": "2020-02-01"}).status_code == 302
    assert client.post(reverse("survey:questionnaire_submit", args=[invitation.pk])).status_code == 302

    # Validated: the records count from now on.
    client.force_login(plan_office)
    assert client.post(review, {"action": "validate"}).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.VALIDATED
    assert invitation.records.filter(is_validated=True).count() == 2
    assert list(invitation.events.values_list("to_status", flat=True)) == [
        "in_progress",
        "submitted",
        "returned",
        "submitted",
        "validated",
    ]
    assert set(AuditEntry.objects.filter(object_id=str(invitation.pk)).values_list("code", flat=True)) >= {
        "survey.invitation.submitted",
        "survey.invitation.returned",
        "survey.invitation.validated",
    }
    # The edit history says who changed what.
    revision = RecordRevision.objects.filter(record=record).first()
    assert revision.actor == representative and "actual_start" in revision.changes
    # The plan office reads that history on the review page, with the fields' names.
    with translation.override("it"):
        label = str(SurveyRecord._meta.get_field("actual_start").verbose_name)
    review_page = client.get(review).text
    assert "Smart parking sensors" in review_page and label in review_page
    # The history is in the page body only: the title and the breadcrumbs stay plain.
    title = review_page.split("<title>")[1].split("</title>")[0]
    assert "<" not in title and invitation.organisation.name in title
    assert review_page.count('id="changes-title"') == 1


@pytest.mark.django_db
def test_submit_needs_the_general_data(client, invitation, representative):
    client.force_login(representative)
    client.post(reverse("survey:questionnaire_submit", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.INVITED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"reference_ambito": "space"}, "reference_ambito"),
        ({"cup": "12345"}, "cup"),
        ({"planned_start": "2022-01-01", "planned_end": "2021-01-01"}, None),
        ({"budget": "-5"}, "budget"),
        ({"latitude": "43.88"}, None),
    ],
)
def test_bad_record_input_is_explained_and_nothing_is_written(
    client, invitation, representative, change, field
):
    client.force_login(representative)
    response = client.post(reverse("survey:record_create", args=[invitation.pk, "project"]), PROJECT | change)
    assert response.status_code == 400
    assert not SurveyRecord.objects.exists()
    if field:
        assert response.context["form"].errors.get(field)
    else:
        assert response.context["form"].errors


@pytest.mark.django_db
def test_partner_without_role_is_an_error(client, invitation, representative):
    client.force_login(representative)
    data = PROJECT | {"partners-0-role": ""}
    response = client.post(reverse("survey:record_create", args=[invitation.pk, "project"]), data)
    assert response.status_code == 400
    assert not SurveyRecord.objects.exists()


@pytest.mark.django_db
def test_service_refuses_changes_when_the_round_is_closed(invitation, representative):
    services.invitation_save_general(actor=representative, invitation=invitation, **GENERAL)
    services.round_set_status(actor=None, survey_round=invitation.round, status="closed")
    with pytest.raises(PermissionDenied):
        services.invitation_save_general(actor=representative, invitation=invitation, contact_name="X")
    with pytest.raises(PermissionDenied):
        services.record_save(
            actor=representative,
            survey_round=invitation.round,
            owner=invitation.organisation,
            invitation=invitation,
            kind="idea",
            title="Late idea",
            reference_ambito="ict",
            status="idea",
        )
    assert not SurveyRecord.objects.exists()


@pytest.mark.django_db
def test_round_status_transitions_are_checked(plan_office):
    survey_round = SurveyRoundFactory(status=RoundStatus.DRAFT)
    with pytest.raises(ValidationError):
        services.round_set_status(actor=plan_office, survey_round=survey_round, status="published")
    services.round_set_status(actor=plan_office, survey_round=survey_round, status="open")
    services.round_set_status(actor=plan_office, survey_round=survey_round, status="closed")
    services.round_set_status(actor=plan_office, survey_round=survey_round, status="published")
    survey_round.refresh_from_db()
    assert survey_round.status == "published"


@pytest.mark.django_db
def test_update_of_must_point_to_an_earlier_round(invitation, plan_office):
    record = services.record_save(
        actor=plan_office,
        survey_round=invitation.round,
        owner=invitation.organisation,
        kind="project",
        title="First",
        reference_ambito="ict",
        status="planned",
    )
    with pytest.raises(ValidationError):
        services.record_save(
            actor=plan_office,
            survey_round=invitation.round,
            owner=invitation.organisation,
            kind="project",
            title="Same round update",
            reference_ambito="ict",
            status="planned",
            update_of=record,
        )
    assert SurveyRecord.objects.count() == 1
