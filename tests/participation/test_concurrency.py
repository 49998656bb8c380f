"""Supports and comments under real concurrency (PostgreSQL, real threads, each with its own connection).

Every thread opens its connection first and then waits at a ``threading.Barrier``, so the writes really start
together; each closes its connection at the end. Counters must equal the rows they count, whatever the order.
On SQLite (one writer at a time) these tests are skipped.
"""

import random

import pytest
from django.db import connection

from cittasmart.accounts.models import User
from cittasmart.participation import services
from cittasmart.participation.models import Comment, Idea, Support
from tests.factories import IdeaFactory, ProcessFactory, UserFactory
from tests.helpers import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")


def person(pk: int) -> User:
    """The person as a request loads them: a fresh instance in each thread."""
    return User.objects.get(pk=pk)


def counted_comments(idea) -> int:
    return Comment.objects.filter(
        idea=idea, status="published", is_hidden=False, deleted_at__isnull=True
    ).count()


@pytest.fixture
def idea():
    return IdeaFactory(process=ProcessFactory(phase="collecting"))


def test_fifty_people_support_one_idea_at_once(idea):
    people = [u.pk for u in UserFactory.create_batch(50)]

    results = run_together(
        [
            lambda pk=pk: services.support_add(user=person(pk), idea=Idea.objects.get(pk=idea.pk))
            for pk in people
        ]
    )

    assert results == [True] * 50
    assert Support.objects.filter(idea=idea).count() == 50
    assert Idea.objects.get(pk=idea.pk).support_count == 50


def test_one_person_supporting_ten_times_at_once_counts_once(idea, user):
    results = run_together(
        [
            lambda: services.support_add(user=person(user.pk), idea=Idea.objects.get(pk=idea.pk))
            for _ in range(10)
        ]
    )

    assert sorted(results) == [False] * 9 + [True]
    assert Support.objects.filter(idea=idea, user=user).count() == 1
    assert Idea.objects.get(pk=idea.pk).support_count == 1


def test_supports_and_withdrawals_racing_keep_the_counter_equal_to_the_rows(idea):
    people = [u.pk for u in UserFactory.create_batch(20)]
    # Half of them already support the idea.
    for pk in people[::2]:
        services.support_add(user=person(pk), idea=idea)

    def toggler(pk: int, start_with_add: bool):
        def job():
            chooser = random.Random(
                pk * 2 + start_with_add
            )  # the same plan every run; the interleaving varies
            done = []
            add = start_with_add
            for _ in range(6):
                current = Idea.objects.get(pk=idea.pk)
                if add:
                    done.append(services.support_add(user=person(pk), idea=current))
                else:
                    done.append(services.support_remove(user=person(pk), idea=current))
                add = not add if chooser.random() < 0.8 else add
            return done

        return job

    # Two threads per person, toggling in opposite phase: the same person's requests race too.
    jobs = [toggler(pk, start) for pk in people for start in (True, False)]
    run_together(jobs)

    rows = Support.objects.filter(idea=idea).count()
    assert Idea.objects.get(pk=idea.pk).support_count == rows
    assert rows == Support.objects.filter(idea=idea).values("user").distinct().count()
    assert services.counters_recompute() == 0


def test_concurrent_comments_keep_the_counter_equal_to_the_visible_comments(idea):
    writers = [u.pk for u in UserFactory.create_batch(20)]
    deleters = [u.pk for u in UserFactory.create_batch(15)]
    existing = {
        pk: services.comment_create(user=person(pk), idea=idea, body="Before the race.").pk for pk in deleters
    }
    thread_top = services.comment_create(user=UserFactory(), idea=idea, body="Reply to me.")
    assert Idea.objects.get(pk=idea.pk).comment_count == 16

    def write(pk):
        return lambda: services.comment_create(
            user=person(pk), idea=Idea.objects.get(pk=idea.pk), body=f"By {pk}."
        )

    def reply(pk):
        return lambda: services.comment_create(
            user=person(pk),
            idea=Idea.objects.get(pk=idea.pk),
            body="A reply.",
            parent=Comment.objects.get(pk=thread_top.pk),
        )

    def delete(pk):
        return lambda: services.comment_delete(user=person(pk), comment=Comment.objects.get(pk=existing[pk]))

    jobs = (
        [write(pk) for pk in writers] + [reply(pk) for pk in writers[:10]] + [delete(pk) for pk in deleters]
    )
    run_together(jobs)

    visible = counted_comments(idea)
    assert visible == 16 + 20 + 10 - 15
    assert Idea.objects.get(pk=idea.pk).comment_count == visible
    assert services.counters_recompute() == 0
