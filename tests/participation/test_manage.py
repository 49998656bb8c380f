"""The plan office's pages: processes, phases, official answers, taking ideas into evaluation."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cittasmart.core.models import AuditEntry
from cittasmart.participation import services
from cittasmart.participation.models import (
    Follow,
    Idea,
    IdeaAnswer,
    IdeaStatus,
    Notification,
    NotificationKind,
    Phase,
    Process,
)
from tests.factories import (
    ActionFactory,
    IdeaFactory,
    PhaseFactory,
    PlanVersionFactory,
    ProcessFactory,
    UserFactory,
    publish,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, format="PNG")
    return SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def published_action():
    version = PlanVersionFactory(title="Plan 2017")
    action = ActionFactory(version=version, code="PR-TRA2", title="Open data")
    publish(version)
    return action


def process_data(**overrides) -> dict:
    data = {
        "title": "Agenda Digitale",
        "slug": "agenda-digitale",
        "summary": "Ideas for the digital agenda.",
        "description": "We *collect* ideas.",
        "organiser": "",
        "plan_version": "",
        "image_alt": "",
        "is_published": "on",
        "ambiti": ["mobility", "ict"],
        "actions": [],
    }
    data.update(overrides)
    return data


# --- Access ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["user", "moderator"])
def test_citizens_and_moderators_cannot_manage(client, request, role):
    process = ProcessFactory()
    idea = IdeaFactory(process=process)
    phase = process.phases.get()
    client.force_login(request.getfixturevalue(role))
    urls = [
        reverse("participation:manage"),
        reverse("participation:process_create"),
        reverse("participation:process_edit", kwargs={"slug": process.slug}),
        reverse("participation:phase_create", kwargs={"slug": process.slug}),
        reverse("participation:phase_edit", kwargs={"slug": process.slug, "pk": phase.pk}),
        reverse("participation:idea_answer", kwargs={"slug": process.slug, "pk": idea.pk}),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("participation:process_create"), process_data()).status_code == 403
    assert (
        client.post(
            reverse("participation:idea_answer", kwargs={"slug": process.slug, "pk": idea.pk}),
            {"outcome": "rejected", "text": "No."},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("participation:idea_evaluate", kwargs={"slug": process.slug, "pk": idea.pk})
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("participation:phase_edit", kwargs={"slug": process.slug, "pk": phase.pk}),
            {"op": "delete"},
        ).status_code
        == 403
    )
    assert not Process.objects.filter(slug="agenda-digitale").exists()
    assert not IdeaAnswer.objects.exists()
    assert Phase.objects.filter(pk=phase.pk).exists()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PUBLISHED


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("participation:manage"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- Overview -------------------------------------------------------------------------------------------


def test_manage_lists_unpublished_processes_with_ideas_to_answer(client, plan_office):
    hidden_process = ProcessFactory(title="Draft process", is_published=False)
    process = ProcessFactory(title="Open process")
    IdeaFactory.create_batch(2, process=process)
    IdeaFactory(process=process, status=IdeaStatus.ANSWERED, title="Already answered")
    IdeaFactory(process=process, is_hidden=True, title="Hidden one")
    IdeaFactory(
        process=process, title="Oldest waiting", published_at=timezone.now() - datetime.timedelta(days=90)
    )
    client.force_login(plan_office)
    response = client.get(reverse("participation:manage"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Draft process" in content
    assert reverse("participation:process_edit", kwargs={"slug": hidden_process.slug}) in content
    assert reverse("participation:process_create") in content
    row = next(p for p in response.context["processes"] if p.pk == process.pk)
    assert row.awaiting_answer == 3
    assert row.idea_total == 5
    awaiting = list(response.context["awaiting"])
    assert awaiting[0].title == "Oldest waiting"
    assert "Already answered" not in content and "Hidden one" not in content


@pytest.mark.parametrize("rows", [10, 1000])
def test_manage_queries_do_not_grow(client, plan_office, django_assert_max_num_queries, rows):
    process = ProcessFactory()
    author = UserFactory()
    Idea.objects.bulk_create(
        [
            Idea(process=process, author=author, title=f"Idea {n}", body="x", status="published")
            for n in range(rows)
        ]
    )
    for n in range(5):
        ProcessFactory(is_published=n % 2 == 0)
    client.force_login(plan_office)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("participation:manage"))
    assert response.status_code == 200


# --- Processes ------------------------------------------------------------------------------------------


def test_create_a_process_with_domains_and_actions(client, plan_office, published_action):
    client.force_login(plan_office)
    response = client.post(
        reverse("participation:process_create"), process_data(actions=[published_action.pk])
    )
    process = Process.objects.get(slug="agenda-digitale")
    assert response.status_code == 302
    assert response["Location"] == reverse("participation:process_edit", kwargs={"slug": process.slug})
    assert process.is_published
    assert sorted(process.ambiti_list) == ["ict", "mobility"]
    assert list(process.actions.all()) == [published_action]
    assert "<em>collect</em>" in process.description_html
    assert AuditEntry.objects.filter(
        code="participation.process.created", object_id=str(process.pk), actor=plan_office
    ).exists()


def test_the_action_choices_are_labelled_and_of_published_versions(client, plan_office, published_action):
    draft_action = ActionFactory(code="PR-V99", title="Draft only")
    client.force_login(plan_office)
    content = client.get(reverse("participation:process_create")).content.decode()
    assert "PR-TRA2 – Open data (Plan 2017)" in content
    assert "Draft only" not in content
    response = client.post(reverse("participation:process_create"), process_data(actions=[draft_action.pk]))
    assert response.status_code == 400
    assert not Process.objects.filter(slug="agenda-digitale").exists()


def test_an_image_needs_its_description(client, plan_office):
    client.force_login(plan_office)
    response = client.post(reverse("participation:process_create"), {**process_data(), "image": png()})
    assert response.status_code == 400
    assert response.context["form"].errors["image_alt"]
    assert not Process.objects.exists()
    response = client.post(
        reverse("participation:process_create"),
        {**process_data(image_alt="A blue square"), "image": png()},
    )
    assert response.status_code == 302
    process = Process.objects.get()
    assert process.image.name.startswith("participation/processes/")
    assert process.image_alt == "A blue square"


def test_a_fake_image_is_refused(client, plan_office):
    client.force_login(plan_office)
    fake = SimpleUploadedFile("cover.png", b"<svg onload=alert(1)></svg>", content_type="image/png")
    response = client.post(
        reverse("participation:process_create"), {**process_data(image_alt="x"), "image": fake}
    )
    assert response.status_code == 400
    assert not Process.objects.exists()


def test_duplicate_slug_is_a_form_error(client, plan_office):
    ProcessFactory(slug="agenda-digitale")
    client.force_login(plan_office)
    response = client.post(reverse("participation:process_create"), process_data())
    assert response.status_code == 400
    assert response.context["form"].errors["slug"]
    assert Process.objects.count() == 1


def test_edit_a_process_lists_its_phases(client, plan_office, published_action):
    process = ProcessFactory(is_published=False)
    phase = process.phases.get()
    client.force_login(plan_office)
    url = reverse("participation:process_edit", kwargs={"slug": process.slug})
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("participation:phase_edit", kwargs={"slug": process.slug, "pk": phase.pk}) in content
    assert reverse("participation:phase_create", kwargs={"slug": process.slug}) in content
    response = client.post(
        url,
        process_data(title="Renamed", slug="renamed", actions=[published_action.pk], ambiti=["people"]),
    )
    assert response.status_code == 302
    process.refresh_from_db()
    assert (process.title, process.slug, process.ambiti_list) == ("Renamed", "renamed", ["people"])
    assert AuditEntry.objects.filter(code="participation.process.changed", object_id=str(process.pk)).exists()


def test_editing_keeps_the_image_unless_cleared(client, plan_office):
    client.force_login(plan_office)
    client.post(
        reverse("participation:process_create"), {**process_data(image_alt="A blue square"), "image": png()}
    )
    process = Process.objects.get()
    stored = process.image.name
    url = reverse("participation:process_edit", kwargs={"slug": process.slug})
    assert client.post(url, process_data(title="Again", image_alt="A blue square")).status_code == 302
    process.refresh_from_db()
    assert process.image.name == stored and process.title == "Again"
    assert client.post(url, {**process_data(), "image-clear": "on"}).status_code == 302
    process.refresh_from_db()
    assert not process.image


def test_unknown_process_is_404(client, plan_office):
    client.force_login(plan_office)
    assert client.get(reverse("participation:process_edit", kwargs={"slug": "nope"})).status_code == 404


# --- Phases ---------------------------------------------------------------------------------------------


def phase_data(kind="collecting", start=TODAY, end=TODAY + datetime.timedelta(days=30), **extra):
    return {"kind": kind, "title": "", "description": "", "starts_on": start, "ends_on": end, **extra}


def test_add_edit_and_delete_a_phase(client, plan_office):
    process = ProcessFactory(phase="")
    client.force_login(plan_office)
    response = client.post(reverse("participation:phase_create", kwargs={"slug": process.slug}), phase_data())
    assert response.status_code == 302
    phase = process.phases.get()
    assert phase.kind == "collecting"
    url = reverse("participation:phase_edit", kwargs={"slug": process.slug, "pk": phase.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, phase_data(kind="evaluation", title="Evaluation of the ideas"))
    assert response.status_code == 302
    phase.refresh_from_db()
    assert (phase.kind, phase.title) == ("evaluation", "Evaluation of the ideas")
    assert client.post(url, {"op": "delete"}).status_code == 302
    assert not process.phases.exists()
    codes = set(AuditEntry.objects.values_list("code", flat=True))
    assert {"participation.phase.saved", "participation.phase.deleted"} <= codes


def test_overlapping_phases_are_refused_on_the_form(client, plan_office):
    process = ProcessFactory(phase="")
    PhaseFactory(process=process, starts_on=TODAY, ends_on=TODAY + datetime.timedelta(days=10))
    client.force_login(plan_office)
    response = client.post(
        reverse("participation:phase_create", kwargs={"slug": process.slug}),
        phase_data(kind="evaluation", start=TODAY + datetime.timedelta(days=5)),
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert process.phases.count() == 1


def test_a_phase_cannot_end_before_it_starts(client, plan_office):
    process = ProcessFactory(phase="")
    client.force_login(plan_office)
    response = client.post(
        reverse("participation:phase_create", kwargs={"slug": process.slug}),
        phase_data(start=TODAY, end=TODAY - datetime.timedelta(days=1)),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["ends_on"]
    assert not process.phases.exists()


def test_a_phase_of_another_process_is_404(client, plan_office):
    process = ProcessFactory()
    other = ProcessFactory()
    client.force_login(plan_office)
    url = reverse("participation:phase_edit", kwargs={"slug": process.slug, "pk": other.phases.get().pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"op": "delete"}).status_code == 404
    assert other.phases.exists()


# --- Answers --------------------------------------------------------------------------------------------


def answer_url(idea):
    return reverse("participation:idea_answer", kwargs={"slug": idea.process.slug, "pk": idea.pk})


def test_answer_an_idea(client, plan_office, published_action, django_capture_on_commit_callbacks):
    idea = IdeaFactory(title="Bike sharing at the station")
    follower = UserFactory()
    Follow.objects.create(user=follower, idea=idea)
    client.force_login(plan_office)
    assert client.get(answer_url(idea)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            answer_url(idea),
            {"outcome": "accepted", "text": "We **will** do it.", "actions": [published_action.pk]},
        )
    assert response.status_code == 302
    assert response["Location"] == idea.get_absolute_url()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.ANSWERED
    answer = idea.answer
    assert answer.outcome == "accepted" and list(answer.actions.all()) == [published_action]
    assert answer.answered_by == plan_office
    assert Notification.objects.filter(recipient=follower, idea=idea, kind=NotificationKind.ANSWERED).exists()
    assert AuditEntry.objects.filter(
        code="participation.idea.answered", object_id=str(idea.pk), actor=plan_office
    ).exists()
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "<strong>will</strong>" in page
    assert published_action.code in page


def test_accepted_without_actions_is_refused(client, plan_office):
    idea = IdeaFactory()
    client.force_login(plan_office)
    response = client.post(answer_url(idea), {"outcome": "accepted", "text": "Yes."})
    assert response.status_code == 400
    assert response.context["form"].errors["actions"]
    assert not IdeaAnswer.objects.exists()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PUBLISHED


def test_rejected_needs_no_actions(client, plan_office):
    idea = IdeaFactory()
    client.force_login(plan_office)
    response = client.post(answer_url(idea), {"outcome": "rejected", "text": "Not in our remit."})
    assert response.status_code == 302
    assert IdeaAnswer.objects.get(idea=idea).outcome == "rejected"


def test_actions_of_draft_versions_are_refused(client, plan_office, published_action):
    draft_action = ActionFactory(code="PR-V7", title="Not published yet")
    idea = IdeaFactory()
    client.force_login(plan_office)
    content = client.get(answer_url(idea)).content.decode()
    assert "Not published yet" not in content
    assert "PR-TRA2 – Open data (Plan 2017)" in content
    response = client.post(
        answer_url(idea),
        {"outcome": "partial", "text": "In part.", "actions": [published_action.pk, draft_action.pk]},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["actions"]
    assert not IdeaAnswer.objects.exists()


def test_revising_an_answer_is_prefilled(client, plan_office, published_action):
    idea = IdeaFactory()
    services.answer_save(
        actor=plan_office, idea=idea, outcome="planned", text="Already planned.", actions=[published_action]
    )
    client.force_login(plan_office)
    response = client.get(answer_url(idea))
    form = response.context["form"]
    assert form.initial["outcome"] == "planned"
    assert form.initial["text"] == "Already planned."
    assert form.initial["actions"] == [published_action.pk]
    response = client.post(answer_url(idea), {"outcome": "rejected", "text": "Changed our mind."})
    assert response.status_code == 302
    answer = IdeaAnswer.objects.get(idea=idea)
    assert answer.outcome == "rejected" and not answer.actions.exists()
    assert AuditEntry.objects.filter(
        code="participation.idea.answer_changed", object_id=str(idea.pk)
    ).exists()


def test_answer_text_is_required(client, plan_office):
    idea = IdeaFactory()
    client.force_login(plan_office)
    response = client.post(answer_url(idea), {"outcome": "rejected", "text": "   "})
    assert response.status_code == 400
    assert not IdeaAnswer.objects.exists()


def test_no_answer_in_a_phase_that_does_not_allow_it(client, plan_office):
    idea = IdeaFactory(process=ProcessFactory(phase="information"))
    client.force_login(plan_office)
    assert client.get(answer_url(idea)).status_code == 403


def test_hidden_or_withdrawn_ideas_cannot_be_answered(client, plan_office):
    client.force_login(plan_office)
    for idea in [IdeaFactory(is_hidden=True), IdeaFactory(status=IdeaStatus.WITHDRAWN)]:
        assert client.get(answer_url(idea)).status_code == 403
        assert client.post(answer_url(idea), {"outcome": "rejected", "text": "No."}).status_code == 403
    assert not IdeaAnswer.objects.exists()


def test_take_an_idea_into_evaluation(client, plan_office, django_capture_on_commit_callbacks):
    idea = IdeaFactory()
    follower = UserFactory()
    Follow.objects.create(user=follower, idea=idea)
    client.force_login(plan_office)
    url = reverse("participation:idea_evaluate", kwargs={"slug": idea.process.slug, "pk": idea.pk})
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.EVALUATING
    assert Notification.objects.filter(recipient=follower, kind=NotificationKind.STATUS).exists()
    assert AuditEntry.objects.filter(code="participation.idea.evaluating", object_id=str(idea.pk)).exists()
    # A second time: a message, no change, no error page.
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert AuditEntry.objects.filter(code="participation.idea.evaluating").count() == 1


def test_the_management_page_shows_the_participation_card(client, plan_office):
    IdeaFactory()
    client.force_login(plan_office)
    content = client.get(reverse("core:manage")).content.decode()
    assert reverse("participation:manage") in content
    assert response_count(content, reverse("participation:manage") + "#awaiting") == 1


def response_count(content: str, needle: str) -> int:
    return content.count(needle)
