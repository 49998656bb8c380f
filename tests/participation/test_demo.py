"""The participation part of the Prato demo: the open "Agenda Digitale", the concluded 2021 consultation, demo marks,
counters equal to rows, answers linked to the plan's PR-TRA actions, idempotency."""

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cittasmart.accounts import demo as accounts_demo
from cittasmart.accounts.models import User
from cittasmart.core.models import AuditEntry
from cittasmart.core.registry import demo_loaders
from cittasmart.participation import demo, services
from cittasmart.participation.models import (
    Comment,
    CommentStatus,
    Follow,
    Idea,
    IdeaAnswer,
    IdeaStatus,
    Notification,
    NotificationKind,
    NotificationSettings,
    Outcome,
    Phase,
    PhaseKind,
    Process,
    ProcessTiming,
    Report,
    Support,
)
from cittasmart.plan.models import VersionStatus
from cittasmart.plan.selectors import current_version
from cittasmart.stakeholders import demo as stakeholders_demo

pytestmark = pytest.mark.django_db

MODELS = [
    Process,
    Phase,
    Idea,
    IdeaAnswer,
    Comment,
    Support,
    Follow,
    Notification,
    NotificationSettings,
    Report,
    User,
    AuditEntry,
]
# Prato, roughly: every located demo idea must be on the map of the city.
PRATO_LATITUDE = (43.80, 43.95)
PRATO_LONGITUDE = (11.00, 11.20)


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["answer_actions"] = IdeaAnswer.actions.through.objects.count()
    counts["process_actions"] = Process.actions.through.objects.count()
    counts["phases"] = sorted(Phase.objects.values_list("process__slug", "kind", "starts_on", "ends_on"))
    return counts


def _loader():
    return next(loader for loader in demo_loaders() if loader is demo.load)


@pytest.fixture(scope="module")
def demo_run(django_db_setup, django_db_blocker):
    """``load_demo`` once for the module, from an empty database, rolled back after it. The on-commit callbacks
    of the load (e-mail tasks would be enqueued there) are captured."""
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast_hashing:
        assert not Process.objects.exists()
        with TestCase.captureOnCommitCallbacks() as callbacks:
            call_command("load_demo", quiet_accounts=True)
        yield callbacks
        transaction.set_rollback(True)


@pytest.fixture
def demo_loaded(demo_run):
    return Process.objects.get(slug=demo.SLUG)


# These two build the demo themselves in an empty database: they run before the module's demo is loaded.


def test_without_the_plan_the_ideas_are_there_but_unanswered():
    """Loaded alone (no plan in the database), the loader builds what it can and answers nothing."""
    accounts_demo.load()
    stakeholders_demo.load()  # the organisations and the memberships of the demo accounts
    assert demo.load() > 0
    process = Process.objects.get(slug=demo.SLUG)
    assert process.plan_version is None and not process.actions.exists()
    assert process.ideas.count() == len(demo.IDEAS)
    assert not IdeaAnswer.objects.exists()
    assert not Idea.objects.filter(status=IdeaStatus.ANSWERED).exists()
    assert demo.load() == 0


def test_without_the_plan_office_nothing_is_opened():
    assert demo.load() == len(demo.CITIZENS)
    assert not Process.objects.exists()
    assert demo.load() == 0


def test_the_loader_is_registered_after_the_plan():
    loaders = demo_loaders()
    from cittasmart.plan import demo as plan_demo

    assert loaders.index(demo.load) > loaders.index(plan_demo.load)
    assert loaders.index(demo.load) > loaders.index(accounts_demo.load)


def test_the_open_process_has_its_phases_around_today(demo_loaded):
    process = demo_loaded
    today = timezone.localdate()
    assert process.title == "Agenda Digitale"
    assert process.is_published and process.is_demo
    assert process.organiser.name == "Comune di Prato" and process.organiser.is_host_entity
    assert sorted(process.ambiti_list) == ["governance", "ict", "people"]
    assert process.plan_version == current_version()
    assert process.plan_version.status == VersionStatus.PUBLISHED
    codes = set(process.actions.values_list("code", flat=True))
    assert "PR-TRA2" in codes and all(code.startswith("PR-TRA") for code in codes)
    assert set(process.actions.values_list("version", flat=True)) == {process.plan_version.pk}
    assert "dimostrativo" in process.description and "dimostrativo" in process.summary

    phases = list(process.phases.order_by("starts_on"))
    assert [p.kind for p in phases] == [
        PhaseKind.INFORMATION,
        PhaseKind.COLLECTING,
        PhaseKind.EVALUATION,
        PhaseKind.FEEDBACK,
    ]
    information, collecting, evaluation, feedback = phases
    assert information.ends_on < today
    assert collecting.starts_on == today - datetime.timedelta(days=30)
    assert collecting.ends_on == today + datetime.timedelta(days=60)
    assert evaluation.starts_on > today and feedback.starts_on > evaluation.ends_on
    assert process.current_phase == collecting
    assert process.timing == ProcessTiming.OPEN
    assert process.allows("propose") and process.allows("support")


def test_the_ideas_are_realistic_marked_and_by_demo_people(demo_loaded):
    ideas = list(Idea.objects.filter(process=demo_loaded).select_related("author", "organisation"))
    assert 7 <= len(ideas) <= 10
    assert len({i.title for i in ideas}) == len(ideas)
    for idea in ideas:
        assert idea.is_demo
        assert idea.body.rstrip().endswith(demo.DEMO_LINE), idea.title
        assert "dimostrativo" in idea.body_html
        assert idea.author.email.endswith(f"@{accounts_demo.prato.DEMO_DOMAIN}")
        assert "(demo)" in idea.author.display_name
        assert idea.ambito in demo_loaded.ambiti_list
        assert idea.is_public and idea.published_at is not None
        assert idea.created_at <= timezone.now()
    # Published over the weeks of the collection, not all at once.
    assert len({i.created_at.date() for i in ideas}) >= 5
    assert min(i.created_at for i in ideas).date() >= timezone.localdate() - datetime.timedelta(days=30)
    located = [i for i in ideas if i.has_location]
    assert len(located) >= 3
    for idea in located:
        assert idea.place_name
        assert PRATO_LATITUDE[0] < idea.latitude < PRATO_LATITUDE[1]
        assert PRATO_LONGITUDE[0] < idea.longitude < PRATO_LONGITUDE[1]
    on_behalf = [i for i in ideas if i.organisation_id]
    assert len(on_behalf) == 1
    assert on_behalf[0].author.memberships.filter(organisation=on_behalf[0].organisation).exists()
    # Every author follows their idea, as after ``idea_create``.
    for idea in ideas:
        assert Follow.objects.filter(user=idea.author, idea=idea).exists()


def test_comments_and_replies_are_marked(demo_loaded):
    comments = Comment.objects.filter(idea__process=demo_loaded)
    assert comments.filter(parent__isnull=True).count() >= 5
    assert comments.filter(parent__isnull=False).count() >= 3
    assert not comments.filter(is_demo=False).exists()
    assert all(c.body.endswith(demo.DEMO_COMMENT) for c in comments)
    assert not comments.filter(status=CommentStatus.PENDING).exists()
    for reply in comments.filter(parent__isnull=False):
        assert reply.parent.idea_id == reply.idea_id and reply.parent.parent_id is None
        assert reply.created_at > reply.parent.created_at


def test_counters_equal_rows(demo_loaded):
    live = Q(
        comments__status=CommentStatus.PUBLISHED,
        comments__is_hidden=False,
        comments__deleted_at__isnull=True,
    )
    ideas = Idea.objects.filter(process__is_demo=True).annotate(
        supports_real=Count("supports", distinct=True),
        comments_real=Count("comments", filter=live, distinct=True),
    )
    assert ideas.count() >= 10
    for idea in ideas:
        assert idea.support_count == idea.supports_real, idea.title
        assert idea.comment_count == idea.comments_real, idea.title
    assert sum(i.support_count for i in ideas) >= 15
    assert services.counters_recompute() == 0
    # Nobody supports their own idea.
    assert not Support.objects.filter(idea__author=F("user")).exists()


def test_three_answered_one_under_evaluation_linked_to_pr_tra_actions(demo_loaded):
    current = current_version()
    ideas = Idea.objects.filter(process=demo_loaded)
    answered = ideas.filter(status=IdeaStatus.ANSWERED).select_related("answer")
    assert answered.count() == 3
    assert sorted(i.answer.outcome for i in answered) == sorted(
        [Outcome.ACCEPTED, Outcome.PARTIAL, Outcome.ALREADY_PLANNED]
    )
    accepted = answered.get(answer__outcome=Outcome.ACCEPTED).answer
    assert list(accepted.actions.values_list("code", flat=True)) == ["PR-TRA2"]
    for idea in answered:
        actions = list(idea.answer.actions.all())
        assert actions, idea.title
        assert all(a.code.startswith("PR-TRA") and a.version_id == current.pk for a in actions)
        assert idea.answer.answered_by.email == accounts_demo.demo_email("ufficio.piano")
        assert idea.answer.text.rstrip().endswith(demo.DEMO_ANSWER)
        assert "dimostrativo" in idea.answer.text_html
        assert idea.created_at < idea.answer.updated_at < timezone.now() - datetime.timedelta(hours=12)
    planned = answered.get(answer__outcome=Outcome.ALREADY_PLANNED).answer
    assert not planned.actions.filter(code="PR-TRA2").exists()
    assert ideas.filter(status=IdeaStatus.EVALUATING).count() == 1
    # The plan's action lists the ideas that fed it (the traceability read by the action page).
    assert current.actions.get(code="PR-TRA2").idea_answers.filter(idea__process=demo_loaded).exists()


def test_the_demo_citizen_has_unread_notifications_and_nobody_is_emailed(demo_loaded, demo_run):
    citizen = User.objects.get(email=accounts_demo.demo_email("cittadino"))
    notifications = Notification.objects.filter(recipient=citizen, read_at__isnull=True)
    kinds = set(notifications.values_list("kind", flat=True))
    assert {NotificationKind.NEW_COMMENT, NotificationKind.REPLY, NotificationKind.ANSWERED} <= kinds
    assert not Notification.objects.filter(recipient=citizen, actor=citizen).exists()
    # Demo addresses are on a reserved domain: the demo people hear of things only on the platform.
    demo_people = User.objects.filter(notifications__isnull=False).distinct()
    assert demo_people.exists()
    for person in demo_people:
        assert person.notification_settings.email_frequency == "never"
    enqueued = [c for c in demo_run if c.__module__.startswith("cittasmart.participation")]
    assert enqueued == [], "no e-mail task may be enqueued for demo accounts"


def test_the_moderation_queue_has_one_open_report(demo_loaded):
    report = Report.objects.get(resolved_at__isnull=True)
    assert report.comment is not None and report.comment.idea.process == demo_loaded
    assert report.reason == "off_topic"
    assert report.reporter != report.comment.author


def test_the_concluded_consultation_has_two_answered_ideas(demo_loaded):
    process = Process.objects.get(slug=demo.PAST_SLUG)
    assert process.is_demo and process.is_published
    assert process.timing == ProcessTiming.PAST
    assert process.current_phase is None
    assert process.plan_version.slug == "2021"
    assert [p.kind for p in process.phases.all()] == [
        PhaseKind.INFORMATION,
        PhaseKind.COLLECTING,
        PhaseKind.EVALUATION,
        PhaseKind.FEEDBACK,
    ]
    ideas = Idea.objects.filter(process=process).select_related("answer")
    assert ideas.count() == 2
    for idea in ideas:
        assert idea.is_demo and idea.body.rstrip().endswith(demo.DEMO_LINE)
        assert idea.status == IdeaStatus.ANSWERED
        assert idea.created_at.year == 2021 and idea.answer.created_at > idea.created_at
        assert idea.answer.actions.exists()
        assert all(a.code.startswith("PR-TRA") for a in idea.answer.actions.all())
    assert sorted(ideas.values_list("answer__outcome", flat=True)) == sorted(
        [Outcome.ACCEPTED, Outcome.PARTIAL]
    )


def test_a_second_run_changes_nothing(demo_loaded, capsys):
    before = _counts()
    assert _loader()() == 0
    capsys.readouterr()
    call_command("load_demo", quiet_accounts=True)
    assert "(0 change(s))" in capsys.readouterr().out
    assert _counts() == before


def test_a_later_run_opens_the_collection_again(demo_loaded):
    """Weeks later the collection would be over: loading the demo again moves the phases around today."""
    for phase in demo_loaded.phases.all():
        Phase.objects.filter(pk=phase.pk).update(
            starts_on=phase.starts_on - datetime.timedelta(days=200),
            ends_on=phase.ends_on - datetime.timedelta(days=200),
        )
    process = Process.objects.get(pk=demo_loaded.pk)
    assert process.timing == ProcessTiming.PAST

    assert _loader()() == 4
    process = Process.objects.get(pk=demo_loaded.pk)
    assert process.current_phase.kind == PhaseKind.COLLECTING
    assert process.current_phase.starts_on == timezone.localdate() - datetime.timedelta(days=30)
    assert _loader()() == 0


def test_the_demo_pages_show_the_demo(demo_loaded, client):
    process = demo_loaded
    response = client.get(process.get_absolute_url())
    assert response.status_code == 200
    assert "Agenda Digitale" in response.content.decode()
    listing = client.get(reverse("participation:idea_list", args=[process.slug])).content.decode()
    assert all(escape(spec.title) in listing for spec in demo.IDEAS[-5:])  # the newest, on the first page
    accepted = Idea.objects.get(process=process, answer__outcome=Outcome.ACCEPTED)
    action = accepted.answer.actions.get()
    page = client.get(accepted.get_absolute_url()).content.decode()
    assert action.get_absolute_url() in page and "dimostrativo" in page
    # The action's page lists the idea that fed it; the concluded consultation has its feedback report.
    assert accepted.get_absolute_url() in client.get(action.get_absolute_url()).content.decode()
    report = client.get(reverse("participation:feedback_report", args=[demo.PAST_SLUG]))
    assert report.status_code == 200
    for idea in Idea.objects.filter(process__slug=demo.PAST_SLUG):
        assert escape(idea.title) in report.content.decode()


def test_the_demo_accounts_see_their_part(demo_loaded, client):
    citizen = User.objects.get(email=accounts_demo.demo_email("cittadino"))
    client.force_login(citizen)
    page = client.get(reverse("participation:notifications")).content.decode()
    idea = Idea.objects.get(process=demo_loaded, author=citizen)
    assert idea.get_absolute_url() in page
    client.force_login(User.objects.get(email=accounts_demo.demo_email("moderatore")))
    report = Report.objects.get(resolved_at__isnull=True)
    queue = client.get(reverse("participation:moderation"))
    assert queue.status_code == 200
    assert reverse("participation:moderate_comment", args=[report.comment_id]) in queue.content.decode()
