"""Registration: seats and waitlist, e-mail confirmation, cancellation with promotion, and bad input that is refused
with a clear message and writes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cittasmart.meetings import services
from cittasmart.meetings.models import Registration, RegistrationQuestion, RegistrationStatus
from tests.factories import MeetingFactory, UserFactory, WorkingGroupFactory
from tests.helpers import italian

pytestmark = pytest.mark.django_db


def register(meeting, user=None, **kwargs):
    kwargs.setdefault("name", "Anna Rossi")
    kwargs.setdefault("email", "anna@example.org")
    return services.registration_create(meeting=meeting, user=user, **kwargs)


def messages_of(exc_info) -> list[str]:
    return exc_info.value.messages


# --- Seats ----------------------------------------------------------------------------------------------


def test_a_logged_in_person_takes_a_seat_at_once_and_the_next_waits():
    meeting = MeetingFactory(capacity=1)
    first, created = register(meeting, user=UserFactory())
    second, _ = register(meeting, user=UserFactory())

    assert created
    assert first.status == RegistrationStatus.CONFIRMED and first.confirmed_at is not None
    assert second.status == RegistrationStatus.WAITLISTED and second.confirmed_at is None
    assert second.queued_at >= first.queued_at


def test_without_an_account_the_seat_waits_for_the_confirmation_of_the_address():
    meeting = MeetingFactory(capacity=1)
    registration, _ = register(meeting, email="  Anna@Example.org ")

    assert registration.status == RegistrationStatus.PENDING
    assert registration.email == "anna@example.org"
    # A pending registration holds no seat: someone logged in takes it.
    other, _ = register(meeting, user=UserFactory())
    assert other.status == RegistrationStatus.CONFIRMED

    confirmed = services.registration_confirm_address(registration=registration)
    assert confirmed.status == RegistrationStatus.WAITLISTED


def test_confirming_twice_changes_nothing_the_second_time():
    registration, _ = register(MeetingFactory())
    first = services.registration_confirm_address(registration=registration)
    again = services.registration_confirm_address(registration=Registration.objects.get(pk=registration.pk))
    assert first.status == again.status == RegistrationStatus.CONFIRMED
    assert again.confirmed_at == first.confirmed_at


def test_registering_again_with_the_same_address_keeps_one_registration():
    meeting = MeetingFactory()
    first, created = register(meeting, email="anna@example.org")
    again, created_again = register(meeting, email="ANNA@example.org", name="Someone else")
    assert created and not created_again
    assert again.pk == first.pk and again.name == "Anna Rossi"
    assert Registration.objects.filter(meeting=meeting).count() == 1


def test_a_person_logged_in_and_by_address_is_one_person():
    meeting = MeetingFactory()
    user = UserFactory(email="luca@example.org")
    by_address, _ = register(meeting, email="luca@example.org")
    mine, created = register(meeting, user=user)
    assert not created and mine.pk == by_address.pk


def test_group_capacity_is_a_limit_of_its_own():
    meeting = MeetingFactory(capacity=10)
    small = WorkingGroupFactory(meeting=meeting, capacity=1)
    large = WorkingGroupFactory(meeting=meeting)
    first, _ = register(meeting, user=UserFactory(), group=small)
    second, _ = register(meeting, user=UserFactory(), group=small)
    third, _ = register(meeting, user=UserFactory(), group=large)
    assert [first.status, second.status, third.status] == ["confirmed", "waitlisted", "confirmed"]


def test_cancelling_a_seat_promotes_the_first_waiting_in_order():
    meeting = MeetingFactory(capacity=2)
    seats = [register(meeting, user=UserFactory())[0] for _ in range(2)]
    waiting = [register(meeting, user=UserFactory())[0] for _ in range(3)]

    promoted = services.registration_cancel(registration=seats[0])

    assert [r.pk for r in promoted] == [waiting[0].pk]
    statuses = dict(Registration.objects.filter(meeting=meeting).values_list("pk", "status"))
    assert statuses[seats[0].pk] == "cancelled"
    assert statuses[waiting[0].pk] == "confirmed"
    assert statuses[waiting[1].pk] == statuses[waiting[2].pk] == "waitlisted"


def test_cancelling_from_the_waitlist_promotes_nobody():
    meeting = MeetingFactory(capacity=1)
    register(meeting, user=UserFactory())
    waiting = [register(meeting, user=UserFactory())[0] for _ in range(2)]
    assert services.registration_cancel(registration=waiting[0]) == []
    assert Registration.objects.get(pk=waiting[1].pk).status == "waitlisted"


def test_a_person_waiting_for_a_full_group_keeps_their_place_while_others_are_promoted():
    meeting = MeetingFactory(capacity=2)
    small = WorkingGroupFactory(meeting=meeting, capacity=1)
    large = WorkingGroupFactory(meeting=meeting)
    register(meeting, user=UserFactory(), group=small)
    in_large, _ = register(meeting, user=UserFactory(), group=large)
    waits_small, _ = register(meeting, user=UserFactory(), group=small)
    waits_large, _ = register(meeting, user=UserFactory(), group=large)

    promoted = services.registration_cancel(registration=in_large)

    assert [r.pk for r in promoted] == [waits_large.pk]
    assert Registration.objects.get(pk=waits_small.pk).status == "waitlisted"


def test_after_cancelling_one_can_register_again():
    meeting = MeetingFactory()
    user = UserFactory()
    first, _ = register(meeting, user=user)
    services.registration_cancel(registration=first)
    again, created = register(meeting, user=user)
    assert created and again.pk != first.pk and again.status == "confirmed"


def test_raising_the_capacity_gives_the_new_seats_to_the_waitlist(plan_office):
    meeting = MeetingFactory(capacity=1)
    register(meeting, user=UserFactory())
    waiting = [register(meeting, user=UserFactory())[0] for _ in range(3)]

    promoted = services.meeting_capacity_change(actor=plan_office, meeting=meeting, capacity=3)

    assert [r.pk for r in promoted] == [waiting[0].pk, waiting[1].pk]
    with pytest.raises(ValidationError):
        services.meeting_capacity_change(actor=plan_office, meeting=meeting, capacity=2)


# --- Bad input: a clear message, nothing written ----------------------------------------------------------


@pytest.mark.parametrize(
    "window, message",
    [
        ({"registration_closes_at": "past"}, "Registration for this meeting is closed."),
        ({"registration_opens_at": "future"}, "Registration for this meeting is not open yet."),
        ({"is_published": False}, "Registration for this meeting is closed."),
    ],
)
def test_closed_registration_is_refused(window, message):
    now = timezone.now()
    values = {
        key: (now - datetime.timedelta(hours=1) if value == "past" else now + datetime.timedelta(days=1))
        if value in ("past", "future")
        else value
        for key, value in window.items()
    }
    meeting = MeetingFactory(**values)
    with pytest.raises(ValidationError) as exc_info:
        register(meeting, user=UserFactory())
    assert messages_of(exc_info) == [italian(message)]
    assert not Registration.objects.exists()


def test_a_past_meeting_is_closed():
    start = timezone.now() - datetime.timedelta(days=2)
    meeting = MeetingFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    with pytest.raises(ValidationError):
        register(meeting)
    assert not Registration.objects.exists()


@pytest.mark.parametrize("email", ["not-an-address", "", "anna@", "a b@example.org"])
def test_a_bad_address_is_refused(email):
    with pytest.raises(ValidationError) as exc_info:
        register(MeetingFactory(), email=email)
    assert exc_info.value.message_dict["email"] == [italian("Enter a valid e-mail address.")]
    assert not Registration.objects.exists()


def test_the_group_must_be_one_of_the_meeting():
    meeting = MeetingFactory()
    WorkingGroupFactory(meeting=meeting)
    other = WorkingGroupFactory()
    with pytest.raises(ValidationError) as missing:
        register(meeting)
    with pytest.raises(ValidationError) as foreign:
        register(meeting, group=other)
    assert "group" in missing.value.message_dict and "group" in foreign.value.message_dict
    assert not Registration.objects.exists()


def test_the_questions_of_the_meeting_are_checked():
    meeting = MeetingFactory()
    required = RegistrationQuestion.objects.create(meeting=meeting, label="Who are you?", required=True)
    choice = RegistrationQuestion.objects.create(
        meeting=meeting, label="Sector", kind="choice", choices="Public\nPrivate"
    )
    with pytest.raises(ValidationError) as exc_info:
        register(meeting, answers={str(choice.pk): "Neither"})
    assert set(exc_info.value.message_dict) == {f"q{required.pk}", f"q{choice.pk}"}
    assert not Registration.objects.exists()

    registration, _ = register(meeting, answers={str(required.pk): " A teacher ", str(choice.pk): "Public"})
    assert registration.answers == {str(required.pk): "A teacher", str(choice.pk): "Public"}


def test_an_expired_confirmation_link_is_refused_and_changes_nothing():
    registration, _ = register(MeetingFactory())
    Registration.objects.filter(pk=registration.pk).update(
        confirmation_sent_at=timezone.now() - services.CONFIRMATION_VALID_FOR - datetime.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError) as exc_info:
        services.registration_confirm_address(registration=registration)
    assert messages_of(exc_info) == [
        italian("This confirmation link has expired. Register again to receive a new one.")
    ]
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.PENDING


def test_registering_again_renews_an_expired_link():
    meeting = MeetingFactory()
    registration, _ = register(meeting)
    old = timezone.now() - datetime.timedelta(days=3)
    Registration.objects.filter(pk=registration.pk).update(confirmation_sent_at=old)
    register(meeting)
    renewed = Registration.objects.get(pk=registration.pk)
    assert renewed.confirmation_sent_at > old
    assert services.registration_confirm_address(registration=renewed).status == "confirmed"


def test_cancelling_twice_is_refused():
    registration, _ = register(MeetingFactory(), user=UserFactory())
    services.registration_cancel(registration=registration)
    with pytest.raises(ValidationError) as exc_info:
        services.registration_cancel(registration=registration)
    assert messages_of(exc_info) == [italian("This registration has already been cancelled.")]


def test_a_pending_registration_can_be_cancelled():
    registration, _ = register(MeetingFactory())
    services.registration_cancel(registration=registration)
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CANCELLED


def test_the_organisation_must_be_one_the_person_acts_for(member, organisation):
    from tests.factories import OrganisationFactory

    meeting = MeetingFactory()
    with pytest.raises(ValidationError) as exc_info:
        register(meeting, user=member, organisation=OrganisationFactory())
    assert "organisation" in exc_info.value.message_dict
    registration, _ = register(meeting, user=member, organisation=organisation)
    assert registration.organisation_name == organisation.name
    assert registration.organisation_category == organisation.category
