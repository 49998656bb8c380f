"""GDPR for meetings: the export lists a person's registrations (logged in or with their address), the erasure
anonymises them keeping the counts of past meetings, cancels what is still ahead (promoting the waitlist) and
stops naming the person on the ideas recorded from what they said."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cittasmart.accounts import gdpr
from cittasmart.accounts.services import user_erase, user_export_data
from cittasmart.meetings import privacy, services
from cittasmart.meetings.models import (
    Attribution,
    CalendarFeed,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
)
from cittasmart.participation.models import Idea
from tests.factories import (
    MeetingFactory,
    OrganisationFactory,
    ProcessFactory,
    RegistrationFactory,
    UserFactory,
    WorkingGroupFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    return UserFactory(email="ada@example.org", display_name="Ada Lovelace")


@pytest.fixture
def past_meeting(db):
    start = timezone.now() - datetime.timedelta(days=30)
    return MeetingFactory(title="Prato stop", starts_at=start, ends_at=start + datetime.timedelta(hours=4))


@pytest.fixture
def registered(person, past_meeting):
    """Ada at a past meeting (logged in, checked in) and at another one with e-mail only, same address."""
    question = RegistrationQuestion.objects.create(meeting=past_meeting, label="Sector")
    group = WorkingGroupFactory(meeting=past_meeting)
    logged_in = RegistrationFactory(
        meeting=past_meeting,
        group=group,
        user=person,
        name="Ada Lovelace",
        email=person.email,
        organisation_name="Lovelace Analytical Engines",
        organisation_category="enterprise",
        answers={str(question.pk): "Enterprise"},
        checked_in_at=past_meeting.starts_at,
    )
    by_email = RegistrationFactory(name="Ada L.", email="ADA@Example.org")
    return logged_in, by_email


def test_the_export_lists_the_registrations_by_account_and_by_address(person, registered, past_meeting):
    logged_in, by_email = registered
    RegistrationFactory(meeting=past_meeting, name="Someone else")
    CalendarFeed.objects.create(user=person)
    data = privacy.export(person)
    rows = data["registrations"]
    assert [r["code"] for r in rows] == [logged_in.code, by_email.code]  # by meeting date
    first = rows[0]
    assert first["meeting"] == "Prato stop" and first["name"] == "Ada Lovelace"
    assert first["email"] == person.email and first["state"] == RegistrationStatus.CONFIRMED
    assert first["answers"] == {"Sector": "Enterprise"}
    assert first["organisation"] == "Lovelace Analytical Engines" and first["sector"] == "enterprise"
    assert first["working_group"] == str(logged_in.group)
    assert first["checked_in_at"] == logged_in.checked_in_at.isoformat()
    assert first["seat_confirmed_at"] and first["registered_at"]
    assert rows[1]["email"] == "ADA@Example.org" and rows[1]["working_group"] is None
    assert data["calendar_feed"]["created_at"]
    assert CalendarFeed.objects.get().token not in str(data)  # a secret, not personal data
    assert data["contributions"] == [] and data["facilitated_groups"] == []


def test_the_export_lists_what_the_person_said_and_the_groups_they_run(person, facilitator):
    meeting = MeetingFactory(process=ProcessFactory())
    group = WorkingGroupFactory(meeting=meeting, facilitators=[facilitator])
    registration = RegistrationFactory(meeting=meeting, group=group, user=person, email=person.email)
    services.contributions_record(
        actor=facilitator,
        group=group,
        rows=[{"text": "More trees.", "attribution": Attribution.PARTICIPANT, "registration": registration}],
    )
    said = privacy.export(person)["contributions"]
    assert len(said) == 1 and said[0]["text"] == "More trees." and said[0]["idea_id"]
    groups = privacy.export(facilitator)["facilitated_groups"]
    assert groups == [
        {
            "meeting": meeting.title,
            "meeting_starts_at": meeting.starts_at.isoformat(),
            "working_group": str(group),
        }
    ]


def test_erasure_anonymises_the_registrations_and_keeps_the_counts(person, registered, past_meeting, client):
    logged_in, by_email = registered
    other = RegistrationFactory(meeting=past_meeting, name="Someone else", email="else@example.org")
    old_token = logged_in.token
    CalendarFeed.objects.create(user=person)
    counts_before = list(
        Registration.objects.filter(meeting=past_meeting)
        .order_by("pk")
        .values_list("status", "checked_in_at", "group_id")
    )

    privacy.erase(person)

    logged_in.refresh_from_db()
    by_email.refresh_from_db()
    for registration in (logged_in, by_email):
        assert registration.name == "Ex partecipante"
        assert registration.email == f"erased-{registration.pk}@erased.invalid"
        assert registration.answers == {} and registration.organisation_name == ""
    assert logged_in.token != old_token
    assert logged_in.code and logged_in.organisation_category == "enterprise"
    assert logged_in.status == RegistrationStatus.CONFIRMED and logged_in.checked_in_at is not None
    assert logged_in.user == person  # the account row stays; ``accounts`` anonymises it
    counts_after = list(
        Registration.objects.filter(meeting=past_meeting)
        .order_by("pk")
        .values_list("status", "checked_in_at", "group_id")
    )
    assert counts_after == counts_before
    other.refresh_from_db()
    assert other.name == "Someone else" and other.email == "else@example.org"
    assert not CalendarFeed.objects.filter(user=person).exists()
    # The links of the old e-mails no longer open the registration.
    assert client.get(reverse("meetings:registration", kwargs={"token": old_token})).status_code == 404
    assert privacy.export(person)["registrations"][0]["name"] == "Ex partecipante"


def test_erasure_keeps_the_organisation_the_person_acted_for(person, past_meeting):
    organisation = OrganisationFactory(name="Estra S.p.A.")
    registration = RegistrationFactory(
        meeting=past_meeting,
        user=person,
        email=person.email,
        organisation=organisation,
        organisation_name=organisation.name,
        organisation_category="participated_company",
    )
    privacy.erase(person)
    registration.refresh_from_db()
    assert registration.organisation == organisation and registration.organisation_name == "Estra S.p.A."
    assert registration.name == "Ex partecipante"


def test_erasure_cancels_what_is_ahead_and_the_waitlist_gets_the_seat(person):
    meeting = MeetingFactory(capacity=1)
    seat = RegistrationFactory(meeting=meeting, user=person, email=person.email)
    waiting = RegistrationFactory(
        meeting=meeting, status=RegistrationStatus.WAITLISTED, confirmed_at=None, email="next@example.org"
    )
    pending = RegistrationFactory(
        email=person.email.upper(), status=RegistrationStatus.PENDING, queued_at=None, confirmed_at=None
    )
    privacy.erase(person)
    seat.refresh_from_db()
    waiting.refresh_from_db()
    pending.refresh_from_db()
    assert seat.status == RegistrationStatus.CANCELLED and seat.cancelled_at is not None
    assert seat.name == "Ex partecipante"
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert pending.status == RegistrationStatus.CANCELLED and pending.email.startswith("erased-")
    confirmed = Registration.objects.filter(meeting=meeting, status=RegistrationStatus.CONFIRMED).count()
    assert confirmed == meeting.capacity


def test_erasure_stops_naming_the_person_on_the_ideas_they_said(person, facilitator):
    meeting = MeetingFactory(process=ProcessFactory())
    group = WorkingGroupFactory(meeting=meeting, facilitators=[facilitator])
    mine = RegistrationFactory(
        meeting=meeting, group=group, user=person, email=person.email, name="Ada Lovelace"
    )
    theirs = RegistrationFactory(meeting=meeting, group=group, name="Grace Hopper")
    organisation = OrganisationFactory(name="PIN")
    contributions = services.contributions_record(
        actor=facilitator,
        group=group,
        rows=[
            {"text": "More trees.", "attribution": Attribution.PARTICIPANT, "registration": mine},
            {"text": "More benches.", "attribution": Attribution.PARTICIPANT, "registration": theirs},
            {"text": "Open data.", "attribution": Attribution.ORGANISATION, "organisation": organisation},
        ],
    )
    assert [c.idea.said_by for c in contributions] == ["Ada Lovelace", "Grace Hopper", "PIN"]

    privacy.erase(person)

    said_by = dict(Idea.objects.values_list("body", "said_by"))
    assert said_by == {"More trees.": "", "More benches.": "Grace Hopper", "Open data.": "PIN"}
    first = contributions[0]
    first.refresh_from_db()
    assert first.registration_id == mine.pk and first.idea_id is not None  # the record stays


def test_the_whole_erasure_and_export_of_an_account(person, registered, monkeypatch):
    """Through the accounts services, with meetings registered as a contributor (as its app config does)."""
    monkeypatch.setitem(
        gdpr._contributors,
        "meetings",
        gdpr.Contributor(name="meetings", export=privacy.export, erase=privacy.erase),
    )
    logged_in, by_email = registered
    exported = user_export_data(user=person)
    assert {r["code"] for r in exported["meetings"]["registrations"]} == {logged_in.code, by_email.code}
    user_erase(user=person)
    # The account's own e-mail is erased after the contributors: the registrations by address were found first.
    by_email.refresh_from_db()
    assert by_email.email == f"erased-{by_email.pk}@erased.invalid"
    person.refresh_from_db()
    assert person.erased_at is not None
    assert privacy.export(person)["registrations"][0]["code"] == logged_in.code  # still theirs, anonymised
