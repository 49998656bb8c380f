"""Seats under real concurrency (PostgreSQL, real threads, each with its own connection, released together).

PostgreSQL allows 100 connections here, so 200 registrations come from 50 threads registering four people each,
all started at once: the seat decisions interleave as they would under a rush of requests. Seats must never be
overbooked, the waitlist must be served in the order people entered the queue, and one person must never hold two
registrations. On SQLite (one writer at a time) these tests are skipped.
"""

import pytest
from django.db import connection

from cittasmart.accounts.models import User
from cittasmart.meetings import services
from cittasmart.meetings.models import Meeting, Registration, RegistrationStatus, WorkingGroup
from tests.factories import MeetingFactory, UserFactory, WorkingGroupFactory
from tests.helpers import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 50


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")


def register_with_user(meeting_pk: int, user_pk: int, group_pk: int | None = None):
    registration, _created = services.registration_create(
        meeting=Meeting.objects.get(pk=meeting_pk),
        user=User.objects.get(pk=user_pk),
        name="",
        email="",
        group=WorkingGroup.objects.get(pk=group_pk) if group_pk else None,
    )
    return registration.pk


def rush(meeting, people: list[int], group_pk: int | None = None) -> list[int]:
    """Register ``people`` from THREADS threads at once; the registrations' ids."""
    batches = [people[i::THREADS] for i in range(THREADS)]

    def job(batch):
        return [register_with_user(meeting.pk, pk, group_pk) for pk in batch]

    results = run_together([lambda batch=batch: job(batch) for batch in batches if batch])
    return [pk for batch in results for pk in batch]


def by_status(meeting, status) -> list[Registration]:
    return list(Registration.objects.filter(meeting=meeting, status=status).order_by("queued_at", "id"))


def queue(meeting) -> list[Registration]:
    """Everyone placed, in the order they entered the queue."""
    return list(
        Registration.objects.filter(meeting=meeting)
        .exclude(status=RegistrationStatus.PENDING)
        .order_by("queued_at", "id")
    )


def test_two_hundred_registrations_for_fifty_seats(db):
    meeting = MeetingFactory(capacity=50)
    people = [user.pk for user in UserFactory.create_batch(200)]

    ids = rush(meeting, people)

    assert len(set(ids)) == 200
    confirmed = by_status(meeting, RegistrationStatus.CONFIRMED)
    waitlisted = by_status(meeting, RegistrationStatus.WAITLISTED)
    assert len(confirmed) == 50
    assert len(waitlisted) == 150
    # In arrival order: the first fifty to enter the queue hold the seats, all the others wait behind them.
    assert queue(meeting)[:50] == confirmed
    assert max(r.queued_at for r in confirmed) <= min(r.queued_at for r in waitlisted)


def test_cancelling_five_confirmed_at_once_promotes_the_first_five_waiting(db):
    meeting = MeetingFactory(capacity=50)
    rush(meeting, [user.pk for user in UserFactory.create_batch(80)])
    confirmed = by_status(meeting, RegistrationStatus.CONFIRMED)
    first_waiting = [r.pk for r in by_status(meeting, RegistrationStatus.WAITLISTED)[:5]]
    leaving = [r.pk for r in confirmed[10:15]]

    promoted = run_together(
        [
            lambda pk=pk: [
                r.pk for r in services.registration_cancel(registration=Registration.objects.get(pk=pk))
            ]
            for pk in leaving
        ]
    )

    assert sorted(pk for batch in promoted for pk in batch) == sorted(first_waiting)
    assert Registration.objects.filter(pk__in=first_waiting, status=RegistrationStatus.CONFIRMED).count() == 5
    assert Registration.objects.filter(pk__in=leaving, status=RegistrationStatus.CANCELLED).count() == 5
    assert len(by_status(meeting, RegistrationStatus.CONFIRMED)) == 50
    assert len(by_status(meeting, RegistrationStatus.WAITLISTED)) == 25


def test_the_same_person_registering_ten_times_at_once_is_registered_once(db):
    meeting = MeetingFactory(capacity=5)
    user = UserFactory()

    ids = run_together([lambda: register_with_user(meeting.pk, user.pk) for _ in range(10)])

    assert len(set(ids)) == 1
    assert Registration.objects.filter(meeting=meeting).count() == 1
    assert Registration.objects.get(meeting=meeting).status == RegistrationStatus.CONFIRMED


def test_the_same_address_registering_at_once_without_an_account_is_registered_once(db):
    meeting = MeetingFactory(capacity=5)

    def job():
        registration, _created = services.registration_create(
            meeting=Meeting.objects.get(pk=meeting.pk), name="Anna Rossi", email="Anna.Rossi@example.org"
        )
        return registration.pk

    ids = run_together([job for _ in range(10)])

    assert len(set(ids)) == 1
    assert Registration.objects.filter(meeting=meeting, email="anna.rossi@example.org").count() == 1


def test_group_capacity_holds_under_a_rush(db):
    meeting = MeetingFactory(capacity=100)
    small = WorkingGroupFactory(meeting=meeting, capacity=10)
    WorkingGroupFactory(meeting=meeting, capacity=None)

    rush(meeting, [user.pk for user in UserFactory.create_batch(60)], group_pk=small.pk)

    confirmed = Registration.objects.filter(group=small, status=RegistrationStatus.CONFIRMED)
    assert confirmed.count() == 10
    assert Registration.objects.filter(group=small, status=RegistrationStatus.WAITLISTED).count() == 50
    assert list(confirmed.order_by("queued_at", "id")) == queue(meeting)[:10]


def test_a_freed_group_seat_goes_to_the_first_person_waiting_for_that_group(db):
    """The meeting has room; the group does not. A cancellation in the group promotes the first waiting for it."""
    meeting = MeetingFactory(capacity=100)
    small = WorkingGroupFactory(meeting=meeting, capacity=3)
    rush(meeting, [user.pk for user in UserFactory.create_batch(12)], group_pk=small.pk)
    first_waiting = by_status(meeting, RegistrationStatus.WAITLISTED)[0]

    promoted = services.registration_cancel(registration=by_status(meeting, RegistrationStatus.CONFIRMED)[0])

    assert [r.pk for r in promoted] == [first_waiting.pk]
    assert Registration.objects.filter(group=small, status=RegistrationStatus.CONFIRMED).count() == 3
