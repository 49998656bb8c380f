"""The meetings part of the Prato demo: the ten stops of Toscana Digitale 2018 with their real dates, the Prato stop
with its registrations, contributions (ideas), minutes and report, the upcoming Smart Living Lab; demo marks and
idempotency."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cittasmart.accounts import demo as accounts_demo
from cittasmart.accounts.models import User
from cittasmart.core.models import AuditEntry
from cittasmart.core.registry import demo_loaders
from cittasmart.meetings import demo, tasks
from cittasmart.meetings.models import (
    AgendaItem,
    Attribution,
    Contribution,
    Meeting,
    QuestionKind,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
    Theme,
    Tour,
    WorkingGroup,
)
from cittasmart.participation.models import Idea, Phase, Process, ProcessTiming
from cittasmart.stakeholders.models import Organisation

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
MODELS = [
    Theme,
    Tour,
    Meeting,
    WorkingGroup,
    AgendaItem,
    RegistrationQuestion,
    Registration,
    Contribution,
    Idea,
    Process,
    Phase,
    Organisation,
    User,
    AuditEntry,
]
# (territory, municipality, day) of the ten stops, as published.
STOPS = [
    ("Lucca", "Lucca", datetime.date(2018, 6, 1)),
    ("Prato", "Prato", datetime.date(2018, 6, 29)),
    ("Grosseto", "Grosseto", datetime.date(2018, 7, 2)),
    ("Livorno", "Livorno", datetime.date(2018, 7, 6)),
    ("Pistoia", "Pistoia", datetime.date(2018, 9, 7)),
    ("Firenze", "Firenze", datetime.date(2018, 9, 14)),
    ("Arezzo", "Arezzo", datetime.date(2018, 9, 21)),
    ("Massa-Carrara", "Massa", datetime.date(2018, 9, 28)),
    ("Siena", "Siena", datetime.date(2018, 10, 5)),
    ("Pisa", "Pisa", datetime.date(2018, 10, 12)),
]
TOUR_THEMES = {
    "Infrastrutture e piattaforme digitali",
    "Servizi online e Open Toscana",
    "Smart cities",
    "Nuova comunicazione pubblica",
}
# Tuscany, roughly: every stop must be on its map.
TUSCANY_LATITUDE = (42.2, 44.5)
TUSCANY_LONGITUDE = (9.6, 12.4)


def _counts() -> dict:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["facilitators"] = WorkingGroup.facilitators.through.objects.count()
    counts["organisers"] = Meeting.organisers.through.objects.count()
    counts["meetings"] = sorted(
        Meeting.objects.values_list(
            "slug",
            "starts_at",
            "ends_at",
            "registration_opens_at",
            "registration_closes_at",
            "process_id",
            "report_published_at",
        )
    )
    counts["registrations"] = sorted(
        Registration.objects.values_list("pk", "status", "checked_in_at", "queued_at", "updated_at")
    )
    counts["minutes"] = sorted(WorkingGroup.objects.values_list("pk", "minutes"))
    return counts


def _load_others() -> None:
    for loader in demo_loaders():
        if loader is not demo.load:
            loader()


@pytest.fixture(scope="module")
def demo_run(django_db_setup, django_db_blocker):
    """Every other demo loader, then this one, once for the module from an empty database (rolled back after it).
    Returns what the first run of the meetings loader changed, and the on-commit callbacks of the load."""
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast_hashing:
        assert not Meeting.objects.exists()
        with TestCase.captureOnCommitCallbacks() as callbacks:
            _load_others()
            changes = demo.load()
        yield changes, callbacks
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo_run):
    return Tour.objects.get(slug=demo.TOUR_SLUG)


@pytest.fixture
def prato(loaded):
    return Meeting.objects.get(slug=demo.PRATO_SLUG)


@pytest.fixture
def lab(loaded):
    return Meeting.objects.get(slug=demo.LIVING_LAB_SLUG)


def _facilitatrice() -> User:
    return User.objects.get(email=accounts_demo.demo_email("facilitatrice"))


# These build the demo themselves: they run before the module's demo is loaded.


def test_without_the_facilitator_and_the_plan_office_the_meetings_are_there_without_contributions():
    """Loaded alone: the organisers it needs are made here (as ``stakeholders.demo`` would), nothing is recorded."""
    assert demo.load() > 0
    assert Organisation.objects.filter(name="Fondazione Sistema Toscana").exists()
    assert Meeting.objects.filter(tour__slug=demo.TOUR_SLUG).count() == 10
    assert not Process.objects.exists()
    assert not Contribution.objects.exists()
    prato = Meeting.objects.get(slug=demo.PRATO_SLUG)
    assert prato.process is None and prato.report_published_at is None
    assert not WorkingGroup.facilitators.through.objects.exists()
    assert demo.load() == 0


def test_a_later_run_completes_what_was_missing():
    """Loaded before the accounts (the order was wrong once): the next run links and records what it can now."""
    demo.load()
    _load_others()
    assert demo.load() > 0
    prato = Meeting.objects.get(slug=demo.PRATO_SLUG)
    assert prato.process.slug == demo.PROCESS_SLUG
    assert prato.report_published_at is not None
    assert Contribution.objects.filter(group__meeting=prato).count() == 8
    assert demo.load() == 0


# The module's demo.


def test_the_loader_runs_after_participation():
    """Registered (by the app config) after the participation demo, which opens the processes it links."""
    from cittasmart.participation import demo as participation_demo

    loaders = demo_loaders()
    if demo.load not in loaders:
        pytest.skip("the meetings demo loader is not registered yet")
    assert loaders.index(demo.load) > loaders.index(participation_demo.load)


def test_a_second_run_changes_nothing(demo_run):
    changes, _callbacks = demo_run
    assert changes > 50
    before = _counts()
    assert demo.load() == 0
    assert _counts() == before


def test_the_ten_stops_have_their_real_dates_and_territories(loaded):
    assert loaded.title == "Toscana Digitale 2018" and loaded.is_published
    assert set(loaded.organisers.values_list("name", flat=True)) == {
        "Regione Toscana",
        "ANCI Toscana",
        "Confservizi CISPEL Toscana",
        "Fondazione Sistema Toscana",
    }
    assert set(loaded.themes.values_list("name", flat=True)) == TOUR_THEMES
    meetings = list(loaded.meetings.order_by("starts_at"))
    assert [(m.territory, m.municipality) for m in meetings] == [(t, m) for t, m, _day in STOPS]
    now = timezone.now()
    for meeting, (territory, _municipality, day) in zip(meetings, STOPS, strict=True):
        start, end = meeting.starts_at.astimezone(ROME), meeting.ends_at.astimezone(ROME)
        assert start.date() == day == end.date(), territory
        assert (start.hour, start.minute, end.hour, end.minute) == (9, 30, 13, 30)
        assert meeting.is_published and meeting.is_past
        assert meeting.registration_opens_at < meeting.registration_closes_at <= meeting.starts_at < now
        assert not meeting.registration_is_open()
        assert TUSCANY_LATITUDE[0] < meeting.latitude < TUSCANY_LATITUDE[1]
        assert TUSCANY_LONGITUDE[0] < meeting.longitude < TUSCANY_LONGITUDE[1]
        assert meeting.process.slug == demo.PROCESS_SLUG
        assert meeting.description_html and "dimostrativo" in meeting.description
        groups = list(meeting.groups.select_related("theme"))
        assert len(groups) == 4
        assert {g.theme.name for g in groups} == TOUR_THEMES
        assert set(meeting.organisers.all()) == set(loaded.organisers.all())
    venues = {m.territory: m.venue_name for m in meetings}
    assert venues["Lucca"] == "Polo Tecnologico Lucchese"
    assert venues["Prato"] == "Museo del Tessuto"
    assert venues["Grosseto"] == "Camera di commercio"
    assert venues["Livorno"] == "Cisternino di Città"
    assert venues["Arezzo"] == "Casa dell'Energia"
    assert venues["Pisa"] == "Internet Festival"


def test_everything_invented_is_marked(loaded):
    assert loaded.is_demo and "dimostrativo" in loaded.description
    assert not Meeting.objects.filter(is_demo=False).exists()
    assert Registration.objects.exists() and not Registration.objects.filter(is_demo=False).exists()
    assert Contribution.objects.exists() and not Contribution.objects.filter(is_demo=False).exists()
    for registration in Registration.objects.select_related("user"):
        assert "(demo)" in registration.name
        assert registration.email.endswith(f"@{accounts_demo.prato.DEMO_DOMAIN}")
    ideas = Idea.objects.filter(meeting_contribution__isnull=False)
    assert ideas.count() == Contribution.objects.count()
    for idea in ideas:
        assert idea.is_demo and demo.DEMO_LINE in idea.body and "dimostrativo" in idea.body_html
    process = Process.objects.get(slug=demo.PROCESS_SLUG)
    assert process.is_demo and process.is_published and process.timing == ProcessTiming.PAST
    for group in WorkingGroup.objects.exclude(minutes=""):
        assert group.minutes.endswith(demo.DEMO_LINE)
    for meeting in Meeting.objects.all():
        assert "dimostrativo" in meeting.description, meeting.slug


def test_the_prato_stop_has_registrations_with_people_checked_in(prato):
    registrations = Registration.objects.filter(meeting=prato)
    assert registrations.count() == len(demo.PRATO_REGISTRATIONS)
    confirmed = registrations.filter(status=RegistrationStatus.CONFIRMED)
    checked_in = confirmed.filter(checked_in_at__isnull=False)
    assert 6 <= checked_in.count() < confirmed.count()
    assert not registrations.exclude(status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.CANCELLED])
    assert registrations.filter(status=RegistrationStatus.CANCELLED).count() == 1
    for registration in registrations:
        assert registration.group is not None and registration.group.meeting_id == prato.pk
        assert registration.queued_at.year == 2018 and registration.created_at == registration.queued_at
        assert registration.queued_at < prato.registration_closes_at
        assert registration.confirmed_at is not None
        if registration.checked_in_at:
            assert registration.checked_in_at.astimezone(ROME).date() == datetime.date(2018, 6, 29)
            assert registration.checked_in_by == _facilitatrice()
            assert registration.status == RegistrationStatus.CONFIRMED
        if registration.status == RegistrationStatus.CANCELLED:
            assert registration.queued_at < registration.cancelled_at < prato.starts_at
    # The demo citizen registered while logged in: the past meeting is among their registrations.
    citizen = User.objects.get(email=accounts_demo.demo_email("cittadino"))
    assert registrations.filter(user=citizen, checked_in_at__isnull=False).exists()


def test_the_prato_report_is_published_with_minutes_and_contributions(prato):
    facilitatrice = _facilitatrice()
    assert prato.report_is_published
    assert prato.report_published_at.astimezone(ROME).date() == datetime.date(2018, 7, 6)
    assert "Museo del Tessuto" in prato.report_html and "dimostrativo" in prato.report_html
    assert AgendaItem.objects.filter(meeting=prato).first().starts_at == datetime.time(9, 30)
    assert AgendaItem.objects.filter(meeting=prato).count() == len(demo.PRATO_AGENDA)
    for group in prato.groups.all():
        assert list(group.facilitators.all()) == [facilitatrice]
        assert group.minutes and "<li>" in group.minutes_html
        contributions = list(group.contributions.select_related("idea", "registration"))
        assert len(contributions) == 2
        for contribution in contributions:
            idea = contribution.idea
            assert contribution.recorded_by == facilitatrice and idea.author == facilitatrice
            assert idea.process == prato.process
            assert idea.source_title.startswith(prato.title) and idea.source_url == prato.get_absolute_url()
            assert idea.created_at.astimezone(ROME).date() == datetime.date(2018, 6, 29)
            assert idea.published_at == idea.created_at == contribution.created_at
            if contribution.attribution == Attribution.PARTICIPANT:
                assert contribution.registration.checked_in_at is not None
                assert idea.said_by == contribution.registration.name
            else:
                assert contribution.attribution == Attribution.UNREGISTERED and idea.said_by == ""
    attributions = set(
        Contribution.objects.filter(group__meeting=prato).values_list("attribution", flat=True)
    )
    assert attributions == {Attribution.PARTICIPANT, Attribution.UNREGISTERED}


def test_the_smart_living_lab_is_upcoming_and_open(lab):
    today = timezone.localdate()
    start, end = lab.starts_at.astimezone(ROME), lab.ends_at.astimezone(ROME)
    assert start.date() == today + datetime.timedelta(days=demo.LIVING_LAB_IN_DAYS) == end.date()
    assert (start.hour, start.minute, end.hour, end.minute) == (17, 30, 19, 30)
    assert lab.tour is None and lab.is_published and lab.is_demo and not lab.is_past
    assert lab.registration_is_open()
    assert User(email="x@example.org").has_perm("meetings.register", lab)
    assert lab.capacity == 40 and lab.accessibility
    assert lab.process.slug == "agenda-digitale" and lab.process.timing == ProcessTiming.OPEN
    assert "PR-TRA8" in lab.description
    groups = list(lab.groups.select_related("theme"))
    assert len(groups) == 2 and all(g.capacity for g in groups)
    assert sum(g.capacity for g in groups) <= lab.capacity
    assert {g.theme.slug for g in groups} == {"smart-living", "servizi-online-open-toscana"}
    assert all(list(g.facilitators.all()) == [_facilitatrice()] for g in groups)
    assert lab.agenda.count() == len(demo.LIVING_LAB_AGENDA)
    question = lab.questions.get()
    assert question.kind == QuestionKind.CHOICE and question.required
    assert question.label == "Settore" and len(question.choice_list) >= 4
    registrations = Registration.objects.filter(meeting=lab)
    assert registrations.count() == len(demo.LIVING_LAB_REGISTRATIONS)
    for registration in registrations:
        assert registration.status == RegistrationStatus.CONFIRMED and registration.user is not None
        assert registration.answers[str(question.pk)] in question.choice_list
        assert registration.confirmed_at is not None and registration.checked_in_at is None


def test_nobody_is_emailed(lab, demo_run):
    """Registering the demo people through the services enqueues e-mails; demo registrations are never sent."""
    _changes, callbacks = demo_run
    assert callbacks  # the services did enqueue their e-mails after the commit
    for registration in Registration.objects.all():
        assert tasks.send_registration_email.call(registration.pk, "confirmed") is False


def test_a_later_run_moves_the_lab_ahead_again(lab):
    """Weeks later the lab would be over: loading the demo again places it three weeks ahead."""
    shift = datetime.timedelta(days=60)
    Meeting.objects.filter(pk=lab.pk).update(
        starts_at=lab.starts_at - shift,
        ends_at=lab.ends_at - shift,
        registration_opens_at=lab.registration_opens_at - shift,
        registration_closes_at=lab.registration_closes_at - shift,
    )
    assert not Meeting.objects.get(pk=lab.pk).registration_is_open()
    assert demo.load() == 1
    moved = Meeting.objects.get(pk=lab.pk)
    assert moved.starts_at == lab.starts_at and moved.registration_is_open()
    assert demo.load() == 0


def test_the_demo_pages_show_the_tour_and_the_report(prato, lab, client):
    tour_page = client.get(reverse("meetings:tour", args=[demo.TOUR_SLUG]))
    assert tour_page.status_code == 200
    assert escape("Toscana Digitale 2018 – Pisa") in tour_page.content.decode()
    page = client.get(prato.get_absolute_url())
    assert page.status_code == 200
    assert "Museo del Tessuto" in page.content.decode()
    assert client.get(lab.get_absolute_url()).status_code == 200
