"""Ideas said at a meeting and recorded by a facilitator (``services.idea_record``)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cittasmart.participation import services
from cittasmart.participation.models import Follow, Idea, IdeaStatus, Notification
from tests.factories import ProcessFactory, UserFactory
from tests.helpers import italian

pytestmark = pytest.mark.django_db


def record(recorder, process, **kwargs):
    kwargs.setdefault("title", "Wi-Fi nelle biblioteche")
    kwargs.setdefault("body", "Wi-Fi pubblico nelle biblioteche di quartiere.")
    kwargs.setdefault("source_title", "Toscana Digitale – Prato – Smart cities")
    return services.idea_record(recorder=recorder, process=process, **kwargs)


@pytest.mark.parametrize("phase", ["collecting", "evaluation", "information", ""])
def test_a_facilitator_records_an_idea_whatever_the_phase(facilitator, phase):
    process = ProcessFactory(phase=phase)
    idea = record(facilitator, process, said_by="Anna Rossi", source_url="/incontri/prato/")
    assert idea.status == IdeaStatus.PUBLISHED and idea.published_at is not None
    assert idea.author == facilitator and idea.is_recorded
    assert idea.author_label == "Anna Rossi"
    assert idea.body_html.startswith("<p>")


def test_who_said_it_defaults_to_an_unregistered_participant(plan_office):
    idea = record(plan_office, ProcessFactory())
    assert idea.author_label == italian("An unregistered participant")


def test_followers_of_the_process_are_told(facilitator):
    process = ProcessFactory()
    follower = UserFactory()
    Follow.objects.create(user=follower, process=process)
    idea = record(facilitator, process)
    assert Notification.objects.filter(recipient=follower, idea=idea, kind="new_idea").exists()


@pytest.mark.parametrize("role", ["citizen", "moderator"])
def test_only_facilitators_and_staff_record(role, moderator, user):
    person = {"citizen": user, "moderator": moderator}[role]
    with pytest.raises(PermissionDenied):
        record(person, ProcessFactory())
    assert not Idea.objects.exists()


def test_an_unpublished_process_takes_no_recorded_idea(facilitator):
    with pytest.raises(PermissionDenied):
        record(facilitator, ProcessFactory(is_published=False))


def test_the_source_and_the_domain_are_checked(facilitator):
    process = ProcessFactory()
    process.ambiti.create(ambito="mobility")
    with pytest.raises(ValidationError) as no_source:
        record(facilitator, process, source_title="  ")
    with pytest.raises(ValidationError) as wrong_domain:
        record(facilitator, process, ambito="ict")
    assert "source_title" in no_source.value.message_dict
    assert "ambito" in wrong_domain.value.message_dict
    assert not Idea.objects.exists()


def test_forgetting_who_said_it_touches_only_recorded_ideas(facilitator):
    process = ProcessFactory()
    recorded = record(facilitator, process, said_by="Anna Rossi")
    written = services.idea_create(user=facilitator, process=process, title="Mine", body="Written by me.")
    Idea.objects.filter(pk=written.pk).update(said_by="should stay")

    changed = services.ideas_forget_said_by(idea_ids=[recorded.pk, written.pk])

    assert changed == 1
    assert Idea.objects.get(pk=recorded.pk).author_label == italian("An unregistered participant")
    assert Idea.objects.get(pk=written.pk).said_by == "should stay"
