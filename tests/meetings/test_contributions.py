"""Recording the contributions of a working group: each row becomes an idea of the meeting's process, signed by who
said it; a wrong row writes nothing; only the group's facilitators (and the plan office) record."""

from html import unescape

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from cittasmart.core.roles import Role
from cittasmart.meetings.models import Attribution, Contribution, RegistrationStatus
from cittasmart.participation.models import Idea, IdeaStatus, ProcessAmbito
from tests.factories import (
    OrganisationFactory,
    ProcessFactory,
    RegistrationFactory,
    UserFactory,
    WorkingGroupFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def process():
    return ProcessFactory(title="Prato Smart")


@pytest.fixture
def group(facilitator, process):
    group = WorkingGroupFactory(facilitators=[facilitator], title="Mobilità")
    group.meeting.process = process
    group.meeting.save()
    return group


@pytest.fixture
def meeting(group):
    return group.meeting


@pytest.fixture
def participant(meeting, group, organisation):
    return RegistrationFactory(
        meeting=meeting, group=group, name="Giulia Bianchi", organisation=organisation, organisation_name=""
    )


def url(group) -> str:
    return reverse("meetings:contributions", kwargs={"slug": group.meeting.slug, "pk": group.pk})


def formset_data(rows, *, total=5, op="save") -> dict:
    data = {
        "op": op,
        "form-TOTAL_FORMS": str(max(total, len(rows))),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "60",
    }
    for index in range(max(total, len(rows))):
        row = rows[index] if index < len(rows) else {}
        data[f"form-{index}-text"] = row.get("text", "")
        data[f"form-{index}-ambito"] = row.get("ambito", "")
        data[f"form-{index}-attribution"] = row.get("attribution", Attribution.PARTICIPANT)
        data[f"form-{index}-registration"] = str(row.get("registration", ""))
        data[f"form-{index}-organisation"] = str(row.get("organisation", ""))
    return data


def test_three_rows_become_three_ideas(
    client, facilitator, group, meeting, process, participant, organisation
):
    other_organisation = OrganisationFactory(name="Legambiente Prato")
    rows = [
        {
            "text": "More buses on Sundays. People wait too long.",
            "ambito": "mobility",
            "registration": participant.pk,
        },
        {
            "text": "Solar panels on the schools.",
            "ambito": "environment",
            "attribution": Attribution.ORGANISATION,
            "organisation": other_organisation.pk,
        },
        {"text": "Free Wi-Fi in the parks.", "attribution": Attribution.UNREGISTERED},
    ]
    client.force_login(facilitator)
    response = client.post(url(group), formset_data(rows))
    assert response.status_code == 302
    assert response["Location"] == url(group)

    contributions = list(Contribution.objects.filter(group=group).order_by("id"))
    assert len(contributions) == 3
    ideas = [c.idea for c in contributions]
    assert all(idea.process == process for idea in ideas)
    assert all(idea.status == IdeaStatus.PUBLISHED for idea in ideas)
    assert all(idea.author == facilitator for idea in ideas)
    assert {idea.source_title for idea in ideas} == {f"{meeting.title} – Mobilità"}
    assert {idea.source_url for idea in ideas} == {meeting.get_absolute_url()}
    assert ideas[0].title == "More buses on Sundays"
    assert ideas[0].said_by == "Giulia Bianchi"
    assert ideas[0].author_label == "Giulia Bianchi"
    assert ideas[0].organisation == organisation  # the participant's own organisation
    assert ideas[0].ambito == "mobility"
    assert contributions[0].registration == participant
    assert ideas[1].said_by == "Legambiente Prato"
    assert ideas[1].organisation == other_organisation
    assert contributions[1].registration is None
    assert ideas[2].said_by == ""
    assert ideas[2].author_label == _("An unregistered participant")
    assert ideas[2].organisation is None

    page = client.get(url(group)).content.decode()
    for idea in ideas:
        assert idea.get_absolute_url() in page


def test_a_wrong_row_writes_nothing_and_the_rows_stay(client, facilitator, group, participant):
    rows = [
        {"text": "First good idea.", "registration": participant.pk},
        {"text": "Second good idea.", "attribution": Attribution.UNREGISTERED},
        {"text": "Said by someone, but nobody chosen.", "attribution": Attribution.PARTICIPANT},
    ]
    client.force_login(facilitator)
    response = client.post(url(group), formset_data(rows))
    assert response.status_code == 400
    assert not Idea.objects.exists()
    assert not Contribution.objects.exists()
    page = unescape(response.content.decode())
    assert "First good idea." in page
    assert "Said by someone, but nobody chosen." in page
    assert _("Choose the participant who said it.") in page
    assert 'aria-invalid="true"' in page


def test_an_organisation_row_needs_the_organisation(client, facilitator, group):
    rows = [{"text": "On behalf of someone.", "attribution": Attribution.ORGANISATION}]
    client.force_login(facilitator)
    response = client.post(url(group), formset_data(rows))
    assert response.status_code == 400
    assert _("Choose the organisation on whose behalf it was said.") in unescape(response.content.decode())
    assert not Idea.objects.exists()


def test_a_waitlisted_person_cannot_be_chosen(client, facilitator, group, meeting):
    waiting = RegistrationFactory(meeting=meeting, status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    client.force_login(facilitator)
    response = client.post(url(group), formset_data([{"text": "Something.", "registration": waiting.pk}]))
    assert response.status_code == 400
    assert not Idea.objects.exists()
    assert not Contribution.objects.exists()


def test_empty_rows_are_ignored_and_nothing_at_all_is_refused(client, facilitator, group):
    client.force_login(facilitator)
    response = client.post(url(group), formset_data([]))
    assert response.status_code == 400
    assert _("Write at least one contribution.") in response.content.decode()
    response = client.post(
        url(group),
        formset_data([{}, {"text": "Only this one.", "attribution": Attribution.UNREGISTERED}, {}]),
    )
    assert response.status_code == 302
    assert Contribution.objects.count() == 1


def test_more_rows_keeps_what_was_typed_and_saves_nothing(client, facilitator, group):
    client.force_login(facilitator)
    rows = [{"text": f"Idea number {n}.", "attribution": Attribution.UNREGISTERED} for n in range(5)]
    response = client.post(url(group), formset_data(rows, op="more"))
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 10
    page = response.content.decode()
    assert "Idea number 4." in page
    assert not Contribution.objects.exists()
    # The rows shown again and the new ones are sent together.
    response = client.post(url(group), formset_data(rows, total=10))
    assert response.status_code == 302
    assert Contribution.objects.count() == 5


def test_domains_are_those_of_the_process(client, facilitator, group, process):
    ProcessAmbito.objects.create(process=process, ambito="mobility")
    client.force_login(facilitator)
    response = client.get(url(group))
    choices = [value for value, _label in response.context["formset"].forms[0].fields["ambito"].choices]
    assert choices == ["", "mobility"]
    response = client.post(url(group), formset_data([{"text": "x y z", "ambito": "ict"}]))
    assert response.status_code == 400
    assert not Idea.objects.exists()


def test_participants_are_offered_by_name_with_the_group_first(client, facilitator, group, meeting):
    other_group = WorkingGroupFactory(meeting=meeting)
    RegistrationFactory(meeting=meeting, group=other_group, name="Anna Other")
    RegistrationFactory(meeting=meeting, group=group, name="Zeno Mine")
    RegistrationFactory(meeting=meeting, group=group, name="Bruno Mine")
    RegistrationFactory(meeting=meeting, group=group, name="Cancelled", status=RegistrationStatus.CANCELLED)
    client.force_login(facilitator)
    choices = client.get(url(group)).context["formset"].forms[0].fields["registration"].choices
    assert [[label for _pk, label in options] for _group, options in choices[1:]] == [
        ["Bruno Mine", "Zeno Mine"],
        ["Anna Other"],
    ]


def test_queries_do_not_grow_with_the_participants(
    client, facilitator, group, meeting, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    RegistrationFactory.create_batch(3, meeting=meeting, group=group)
    OrganisationFactory.create_batch(3)
    client.force_login(facilitator)
    with CaptureQueriesContext(connection) as few:
        client.get(url(group))
    RegistrationFactory.create_batch(40, meeting=meeting, group=group)
    OrganisationFactory.create_batch(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url(group)).status_code == 200


def test_facilitator_of_another_group_gets_403(client, group, meeting, participant):
    stranger = UserFactory(roles=[Role.FACILITATOR])
    WorkingGroupFactory(meeting=meeting, facilitators=[stranger])  # same meeting, other group
    client.force_login(stranger)
    assert client.get(url(group)).status_code == 403
    response = client.post(
        url(group), formset_data([{"text": "Sneaky.", "attribution": Attribution.UNREGISTERED}])
    )
    assert response.status_code == 403
    assert not Idea.objects.exists()


def test_citizen_gets_403(client, user, group):
    client.force_login(user)
    assert client.get(url(group)).status_code == 403


def test_plan_office_records(client, plan_office, group):
    client.force_login(plan_office)
    response = client.post(
        url(group), formset_data([{"text": "Office.", "attribution": Attribution.UNREGISTERED}])
    )
    assert response.status_code == 302
    assert Contribution.objects.get().recorded_by == plan_office


def test_group_of_another_meeting_is_404(client, facilitator, group):
    elsewhere = WorkingGroupFactory(facilitators=[facilitator])
    client.force_login(facilitator)
    address = reverse("meetings:contributions", kwargs={"slug": group.meeting.slug, "pk": elsewhere.pk})
    assert client.get(address).status_code == 404


def test_meeting_without_process_shows_a_message(client, facilitator, group, meeting):
    meeting.process = None
    meeting.save()
    client.force_login(facilitator)
    response = client.get(url(group))
    assert response.status_code == 200
    assert response.context["formset"] is None
    page = unescape(response.content.decode())
    assert (
        _(
            "This meeting is not linked to a participatory process, so its contributions cannot become ideas yet. "
            "Ask the plan office to link the meeting to a process."
        )
        in page
    )
    assert "form-TOTAL_FORMS" not in page
    response = client.post(url(group), formset_data([{"text": "x", "attribution": Attribution.UNREGISTERED}]))
    assert not Idea.objects.exists()


def test_unpublished_process_shows_a_message(client, facilitator, group, process):
    process.is_published = False
    process.save()
    client.force_login(facilitator)
    response = client.get(url(group))
    assert response.context["can_record"] is False
    assert "form-TOTAL_FORMS" not in response.content.decode()


def test_form_fields_have_labels(client, facilitator, group):
    client.force_login(facilitator)
    page = client.get(url(group)).content.decode()
    for name in ("text", "ambito", "attribution", "registration", "organisation"):
        assert f'<label for="id_form-0-{name}"' in page
        assert f'<label for="id_form-4-{name}"' in page
