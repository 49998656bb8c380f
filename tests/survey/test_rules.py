"""Who may see and fill what: respondents edit only their own organisation's invitation, while it is open;
others get 404 (not 403) for drafts and reserved records, so their existence does not leak."""

import pytest
from django.urls import reverse

from cittasmart.survey.models import RoundStatus
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    SurveyRecordFactory,
    SurveyRoundFactory,
    UserFactory,
)


@pytest.fixture
def setting(db):
    own = OrganisationFactory()
    other = OrganisationFactory()
    invitation = InvitationFactory(organisation=own, round=SurveyRoundFactory(status=RoundStatus.OPEN))
    return {
        "invitation": invitation,
        "representative": MembershipFactory(organisation=own, role="representative").user,
        "member": MembershipFactory(organisation=own, role="member").user,
        "other_representative": MembershipFactory(organisation=other, role="representative").user,
        "citizen": UserFactory(),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "view", "edit"),
    [
        ("anonymous", 302, 302),
        ("citizen", 404, 404),
        ("other_representative", 404, 404),
        ("member", 200, 403),
        ("representative", 200, 200),
        ("plan_office", 200, 403),
    ],
)
def test_questionnaire_access(client, request, setting, who, view, edit):
    if who == "plan_office":
        client.force_login(request.getfixturevalue("plan_office"))
    elif who != "anonymous":
        client.force_login(setting[who])
    pk = setting["invitation"].pk
    assert client.get(reverse("survey:questionnaire", args=[pk])).status_code == view
    assert client.get(reverse("survey:questionnaire_general", args=[pk])).status_code == edit


@pytest.mark.django_db
@pytest.mark.parametrize("status", [RoundStatus.DRAFT, RoundStatus.CLOSED, RoundStatus.PUBLISHED])
def test_representative_cannot_edit_unless_the_round_is_open(client, setting, status):
    invitation = setting["invitation"]
    invitation.round.status = status
    invitation.round.save()
    client.force_login(setting["representative"])
    response = client.post(
        reverse("survey:questionnaire_general", args=[invitation.pk]), {"contact_name": "X"}
    )
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.contact_name == ""


@pytest.mark.django_db
def test_draft_round_invisible_to_its_invited_members(client, setting):
    invitation = setting["invitation"]
    invitation.round.status = RoundStatus.DRAFT
    invitation.round.save()
    client.force_login(setting["representative"])
    assert invitation.round.title not in client.get(reverse("survey:my_invitations")).text


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "citizen", "other_representative", "representative"])
def test_staff_pages_are_closed_to_others(client, setting, who):
    if who != "anonymous":
        client.force_login(setting[who])
    invitation = setting["invitation"]
    for url in (
        reverse("survey:round_list"),
        reverse("survey:round_create"),
        reverse("survey:round_detail", args=[invitation.round.slug]),
        reverse("survey:invitation_review", args=[invitation.pk]),
    ):
        assert client.get(url).status_code in ((302,) if who == "anonymous" else (403, 404))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "reserved", "unvalidated"),
    [
        ("anonymous", 404, 404),
        ("citizen", 404, 404),
        ("other_representative", 404, 404),
        ("member", 200, 200),
    ],
)
def test_reserved_and_unvalidated_records_are_404_for_outsiders(client, setting, who, reserved, unvalidated):
    own = setting["invitation"].organisation
    reserved_record = SurveyRecordFactory(owner=own, visibility="reserved")
    draft_record = SurveyRecordFactory(owner=own, is_validated=False)
    if who != "anonymous":
        client.force_login(setting[who])
    assert client.get(reverse("survey:record_detail", args=[reserved_record.pk])).status_code == reserved
    assert client.get(reverse("survey:record_detail", args=[draft_record.pk])).status_code == unvalidated
