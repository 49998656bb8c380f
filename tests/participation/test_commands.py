"""The management commands of participation: ``send_digests`` (daily, from cron) and ``participation_recount``."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from cittasmart.participation import services
from cittasmart.participation.models import EmailFrequency, Idea, Notification, Support
from tests.factories import IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def people(settings):
    """Three people following one idea, one per e-mail frequency, and one daily person with nothing new."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    idea = IdeaFactory(title="Bike lane")
    people = {}
    for frequency in EmailFrequency.values:
        person = UserFactory()
        services.notification_settings_update(user=person, email_frequency=frequency)
        services.follow_set(user=person, target=idea, following=True)
        people[frequency] = person
    people["quiet"] = UserFactory()
    services.notification_settings_update(user=people["quiet"], email_frequency=EmailFrequency.DAILY)
    services.comment_create(user=UserFactory(), idea=idea, body="A comment for everyone.")
    return people


def test_send_digests_enqueues_one_task_per_daily_person_with_something_new(people):
    output = run("send_digests")

    tasks = list(DBTaskResult.objects.filter(task_path__endswith="send_digest"))
    assert [t.args_kwargs["args"] for t in tasks] == [[people[EmailFrequency.DAILY].pk]]
    assert output.startswith("1 ")
    assert mail.outbox == []  # the worker sends them


def test_send_digests_now_sends_them_here_and_only_once(people):
    first = run("send_digests", "--now")
    second = run("send_digests", "--now")

    assert [m.to for m in mail.outbox] == [[people[EmailFrequency.DAILY].email]]
    assert first.startswith("1 ") and second.startswith("0 ")
    assert Notification.objects.get(recipient=people[EmailFrequency.DAILY]).emailed_at is not None
    assert not DBTaskResult.objects.filter(task_path__endswith="send_digest").exists()


def test_participation_recount_fixes_a_broken_counter():
    idea, healthy = IdeaFactory(), IdeaFactory()
    for person in (UserFactory(), UserFactory()):
        services.support_add(user=person, idea=idea)
    services.comment_create(user=UserFactory(), idea=idea, body="One.")
    Idea.objects.filter(pk=idea.pk).update(support_count=7, comment_count=0)

    output = run("participation_recount")

    idea.refresh_from_db()
    assert (idea.support_count, idea.comment_count) == (Support.objects.filter(idea=idea).count(), 1)
    assert idea.support_count == 2
    assert output.startswith("1 ")
    assert run("participation_recount").startswith("0 ")
    healthy.refresh_from_db()
    assert (healthy.support_count, healthy.comment_count) == (0, 0)


def test_participation_recount_of_one_process(settings):
    idea, other = IdeaFactory(), IdeaFactory()
    Idea.objects.filter(pk__in=[idea.pk, other.pk]).update(support_count=3)

    output = run("participation_recount", "--process", idea.process.slug)

    assert output.startswith("1 ")
    assert Idea.objects.get(pk=idea.pk).support_count == 0
    assert Idea.objects.get(pk=other.pk).support_count == 3
    with pytest.raises(CommandError):
        run("participation_recount", "--process", "no-such-process")


def test_counting_wrong_counters_without_fixing_them():
    """The load benchmark checks its invariants this way: the count of wrong ideas, nothing changed."""
    idea, _healthy = IdeaFactory(), IdeaFactory()
    services.support_add(user=UserFactory(), idea=idea)
    Idea.objects.filter(pk=idea.pk).update(support_count=5)

    assert services.counters_recompute(dry_run=True) == 1
    assert Idea.objects.get(pk=idea.pk).support_count == 5
    assert services.counters_recompute() == 1
    assert services.counters_recompute(dry_run=True) == 0
