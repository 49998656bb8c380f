"""Traceability to the plan: the page of a plan action lists the answered ideas that fed it, in every version of
the plan that kept the action (same key)."""

import pytest
from django.urls import reverse

from cittasmart.participation import services, traceability
from cittasmart.participation.models import Idea, IdeaAnswer, IdeaStatus
from tests.factories import (
    ActionFactory,
    IdeaFactory,
    PlanFactory,
    PlanVersionFactory,
    ProcessFactory,
    UserFactory,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions():
    """PR-TRA2 in version 1 and, with the same key, in version 2; both published. Version 3 dropped it."""
    plan = PlanFactory()
    first = PlanVersionFactory(plan=plan, number=1, slug="2017", title="Plan 2017")
    action = ActionFactory(version=first, code="PR-TRA2", kind="transversal", title="Open data platform")
    publish(first)
    second = PlanVersionFactory(plan=plan, number=2, slug="2020", title="Update 2020")
    kept = ActionFactory(
        version=second, code="PR-TRA2", kind="transversal", title="Open data", key=action.key
    )
    other = ActionFactory(version=second, code="PR-TRA3", kind="transversal", title="Something else")
    publish(second)
    return {"v1": action, "v2": kept, "other": other}


def action_url(action) -> str:
    return reverse("plan:action", kwargs={"version": action.version.slug, "code": action.code})


def answered(plan_office, action, *, outcome="accepted", text="We will build it.", **idea_fields) -> Idea:
    idea = IdeaFactory(**idea_fields)
    services.answer_save(actor=plan_office, idea=idea, outcome=outcome, text=text, actions=[action])
    return idea


def test_an_answered_idea_shows_on_the_action_in_every_version(client, plan_office, versions):
    process = ProcessFactory(title="Agenda Digitale")
    idea = answered(
        plan_office,
        versions["v1"],
        process=process,
        title="Open the bus timetables",
        text="The timetables will be published as open data.",
    )
    for action in (versions["v1"], versions["v2"]):
        response = client.get(action_url(action))
        assert response.status_code == 200
        content = response.content.decode()
        assert "Open the bus timetables" in content
        assert f'href="{idea.get_absolute_url()}"' in content
        assert "Agenda Digitale" in content
        assert "The timetables will be published as open data." in content
    assert "Open the bus timetables" not in client.get(action_url(versions["other"])).content.decode()


def test_answer_linking_the_later_version_shows_on_the_earlier_one(client, plan_office, versions):
    answered(plan_office, versions["v2"], title="More open data", outcome="partial")
    assert "More open data" in client.get(action_url(versions["v1"])).content.decode()


def test_hidden_and_unpublished_ideas_do_not_appear(client, plan_office, moderator, versions):
    hidden = answered(plan_office, versions["v1"], title="Hidden afterwards")
    services.content_hide(actor=moderator, reason="Personal data", idea=hidden)
    in_draft = answered(plan_office, versions["v1"], title="In a process taken offline")
    in_draft.process.is_published = False
    in_draft.process.save()
    visible = answered(plan_office, versions["v1"], title="Still visible")
    content = client.get(action_url(versions["v1"])).content.decode()
    assert "Still visible" in content and visible.get_absolute_url() in content
    assert "Hidden afterwards" not in content
    assert "In a process taken offline" not in content


def test_an_action_without_ideas_says_so(client, versions):
    response = client.get(action_url(versions["other"]))
    assert response.status_code == 200
    assert response.context["panels"]
    assert "participation-ideas-title" in response.content.decode()
    assert not Idea.objects.exists()


def test_idea_titles_and_answers_are_escaped(client, plan_office, versions):
    answered(
        plan_office,
        versions["v1"],
        title='<script>alert("x")</script>',
        text='<img src=x onerror="alert(1)"> fine',
    )
    content = client.get(action_url(versions["v2"])).content.decode()
    assert '<script>alert("x")</script>' not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
    assert "onerror=" not in content.replace("onerror=&quot;", "")


@pytest.mark.parametrize("rows", [10, 1000])
def test_action_page_queries_do_not_grow(client, plan_office, versions, django_assert_max_num_queries, rows):
    process = ProcessFactory()
    author = UserFactory()
    ideas = Idea.objects.bulk_create(
        [
            Idea(process=process, author=author, title=f"Idea {n}", body="x", status=IdeaStatus.ANSWERED)
            for n in range(rows)
        ]
    )
    answers = IdeaAnswer.objects.bulk_create(
        [IdeaAnswer(idea=idea, outcome="accepted", text=f"Answer {idea.pk}") for idea in ideas]
    )
    IdeaAnswer.actions.through.objects.bulk_create(
        [IdeaAnswer.actions.through(ideaanswer_id=a.pk, action_id=versions["v1"].pk) for a in answers]
    )
    with django_assert_max_num_queries(20):
        response = client.get(action_url(versions["v2"]))
    assert response.status_code == 200
    assert f"Idea {rows - 1}" in response.content.decode()


def test_the_panel_needs_an_action(rf):
    request = rf.get("/")
    assert traceability.action_ideas(request) == ""
