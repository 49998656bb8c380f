"""Meetings in a real browser: a visitor registers for the Prato stop of a tour choosing "smart cities", confirms by
e-mail, gets the calendar file, cancels and registers again; a facilitator checks them in and records three
contributions, which appear as ideas of the process with the meeting as source; the report shows the minutes.
Then axe-core on every meetings page type."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from cittasmart.core.roles import Role
from cittasmart.meetings.models import Contribution, Meeting, Registration, RegistrationStatus
from cittasmart.participation.models import Idea
from tests.browser.conftest import submit
from tests.browser.test_accessibility import assert_accessible, visit
from tests.factories import (
    MeetingFactory,
    OrganisationFactory,
    ProcessFactory,
    RegistrationFactory,
    ThemeFactory,
    TourFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.helpers import italian

pytestmark = pytest.mark.browser

VISITOR_EMAIL = "chiara.bianchi@example.org"
VISITOR_NAME = "Chiara Bianchi"
THEMES = [
    "Infrastrutture e piattaforme digitali",
    "Servizi online e Open Toscana",
    "Smart cities",
    "Nuova comunicazione pubblica",
]
CONTRIBUTIONS = [
    "Sensori di qualità dell'aria in ogni quartiere, con i dati aperti e aggiornati ogni ora.",
    "Un unico punto di accesso ai servizi online del Comune, con SPID e CIE.",
    "Wi-Fi pubblico nelle biblioteche e nei centri civici della periferia.",
]
MINUTES = "Il gruppo ha discusso di dati aperti ambientali e di servizi digitali nei quartieri."


@pytest.fixture
def tour(transactional_db, settings):
    """The Toscana Digitale tour with an upcoming Prato stop in four working groups, linked to an open process."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    process = ProcessFactory(title="Agenda Digitale", slug="agenda-digitale")
    tour = TourFactory(title="Toscana Digitale", slug="toscana-digitale")
    themes = [ThemeFactory(name=name, slug=f"tema-{index}") for index, name in enumerate(THEMES)]
    tour.themes.set(themes)
    facilitator = UserFactory(display_name="Giulia Facilitatrice", roles=[Role.FACILITATOR])
    start = (timezone.localtime() + datetime.timedelta(days=20)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    prato = MeetingFactory(
        tour=tour,
        process=process,
        title="Toscana Digitale – Prato",
        slug="toscana-digitale-prato",
        venue_name="Museo del Tessuto",
        municipality="Prato",
        territory="Prato",
        latitude=Decimal("43.877700"),
        longitude=Decimal("11.095500"),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        capacity=80,
    )
    for theme in themes:
        WorkingGroupFactory(meeting=prato, theme=theme, capacity=20, facilitators=[facilitator])
    MeetingFactory(
        tour=tour, title="Toscana Digitale – Lucca", territory="Lucca", latitude=43.84, longitude=10.50
    )
    return {"tour": tour, "meeting": prato, "process": process, "facilitator": facilitator}


def link_in(message, name: str) -> str:
    """The path of the link to ``name`` in an e-mail (the e-mails use SITE_URL, not the test server)."""
    pattern = re.escape(reverse(name, kwargs={"token": "TOKEN"})).replace("TOKEN", r"[\w-]+")
    found = re.search(r"https?://[^/\s]+(" + pattern + ")", message.body)
    assert found, f"no {name} link in:\n{message.body}"
    return found.group(1)


def register_from_the_tour(page, tour, mailoutbox) -> Registration:
    """From the tour page to a confirmed registration in the "smart cities" group."""
    visit(page, tour["tour"].get_absolute_url())
    page.get_by_role("link", name="Toscana Digitale – Prato").first.click()
    page.get_by_role("link", name=re.compile(italian("Register"))).first.click()
    page.get_by_label(italian("Name and surname")).fill(VISITOR_NAME)
    page.get_by_label(italian("E-mail")).fill(VISITOR_EMAIL)
    page.locator("main label", has_text=re.compile("^Smart cities")).click()
    page.locator("label[for=id_privacy]").click()
    sent = len(mailoutbox)
    submit(page, page.locator("main form"))
    expect(page.get_by_role("heading", level=1)).to_have_text(italian("Check your e-mail"))
    message = mailoutbox[sent]
    assert message.to == [VISITOR_EMAIL]
    page.goto(link_in(message, "meetings:registration_confirm"))
    submit(page, page.locator("main form"))
    expect(page.locator("#registration-status")).to_have_text(str(RegistrationStatus.CONFIRMED.label))
    return Registration.objects.get(email=VISITOR_EMAIL, status=RegistrationStatus.CONFIRMED)


def test_from_registration_to_the_report(open_as, tour, mailoutbox):
    meeting = tour["meeting"]
    visitor = open_as()

    registration = register_from_the_tour(visitor, tour, mailoutbox)
    assert registration.group.theme.name == "Smart cities"
    expect(visitor.locator("#registration-code")).to_have_text(registration.code)

    # The calendar file: it parses, in Rome time, and links back to the meeting.
    ics = visitor.request.get(reverse("meetings:registration_ics", kwargs={"token": registration.token}))
    assert ics.ok and ics.headers["content-type"].startswith("text/calendar")
    event = Calendar.from_ical(ics.body()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == meeting.starts_at
    assert str(event["dtstart"].params["TZID"]) == "Europe/Rome"
    assert str(event["url"]).endswith(meeting.get_absolute_url())
    # The confirmation e-mail carries the same event.
    confirmed = next(m for m in mailoutbox if m.to == [VISITOR_EMAIL] and m.attachments)
    attached = next(a for a in confirmed.attachments if a[0].endswith(".ics"))
    assert Calendar.from_ical(attached[1]).walk("VEVENT")[0].decoded("dtstart") == meeting.starts_at

    # Cancel, then register again.
    submit(visitor, visitor.locator("main form").filter(has_text=italian("Cancel my registration")))
    expect(visitor.locator("#registration-status")).to_have_text(str(RegistrationStatus.CANCELLED.label))
    again = register_from_the_tour(visitor, tour, mailoutbox)
    assert again.pk != registration.pk
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CANCELLED

    # The facilitator checks the visitor in by code.
    facilitator = open_as(tour["facilitator"])
    visit(facilitator, reverse("meetings:checkin", kwargs={"slug": meeting.slug}))
    facilitator.get_by_label(re.compile(italian("Registration code"))).fill(again.code.lower())
    submit(facilitator, facilitator.locator("main form").first)
    expect(facilitator.locator(".alert-success").first).to_contain_text(VISITOR_NAME)
    assert Registration.objects.get(pk=again.pk).checked_in_at is not None

    # ... records three contributions of the "smart cities" group ...
    group = meeting.groups.get(theme__name="Smart cities")
    organisation = OrganisationFactory(name="PIN s.c.r.l.")
    visit(facilitator, reverse("meetings:contributions", kwargs={"slug": meeting.slug, "pk": group.pk}))
    fill_contributions(facilitator, again, organisation)
    click_and_wait(facilitator, "button[value=save]")
    assert Contribution.objects.filter(group=group).count() == 3
    ideas = Idea.objects.filter(process=tour["process"], source_url=meeting.get_absolute_url())
    assert ideas.count() == 3

    # ... writes the minutes and publishes the report.
    visit(facilitator, reverse("meetings:minutes", kwargs={"slug": meeting.slug, "pk": group.pk}))
    facilitator.locator("main textarea").first.fill(MINUTES)
    submit(facilitator, facilitator.locator("main form").first)
    visit(facilitator, reverse("meetings:report_edit", kwargs={"slug": meeting.slug}))
    facilitator.locator("main textarea").first.fill("Una mattina di lavoro in quattro tavoli.")
    click_and_wait(facilitator, "button[value=publish]")
    assert Meeting.objects.get(pk=meeting.pk).report_published_at is not None

    # The ideas are in the process, with the meeting as their source.
    visit(visitor, reverse("participation:idea_list", kwargs={"slug": tour["process"].slug}))
    for text in CONTRIBUTIONS:
        expect(visitor.get_by_role("main")).to_contain_text(text.split(",")[0][:40])
    idea = ideas.get(said_by=VISITOR_NAME)
    visit(visitor, idea.get_absolute_url())
    expect(visitor.get_by_role("link", name=f"{meeting.title} – {group}")).to_be_visible()

    # The public report shows the minutes.
    visit(visitor, reverse("meetings:report", kwargs={"slug": meeting.slug}))
    expect(visitor.get_by_role("main")).to_contain_text(MINUTES)
    assert not visitor.console_log.errors and not facilitator.console_log.errors


def fill_contributions(page, registration, organisation) -> None:
    """Three rows: said by the registered visitor, by an organisation, by someone not registered."""
    rows = page.locator("main form fieldset")
    attributions = [
        ("participant", registration.pk),
        ("organisation", organisation.pk),
        ("unregistered", None),
    ]
    for index, (text, (attribution, target)) in enumerate(zip(CONTRIBUTIONS, attributions, strict=True)):
        row = rows.nth(index)
        row.locator("textarea").fill(text)
        row.locator("select[name$='-ambito']").select_option("ict")
        row.locator("select[name$='-attribution']").select_option(attribution)
        if attribution == "participant":
            row.locator("select[name$='-registration']").select_option(str(target))
        elif attribution == "organisation":
            row.locator("select[name$='-organisation']").select_option(str(target))


def click_and_wait(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator("main form").locator(selector).first.click()


# --- axe-core on every page type of meetings ------------------------------------------------------------


@pytest.fixture
def running(tour):
    """The tour's Prato stop with people registered, one checked in, a contribution, minutes and a report."""
    from cittasmart.meetings import services

    meeting, facilitator = tour["meeting"], tour["facilitator"]
    group = meeting.groups.get(theme__name="Smart cities")
    person = UserFactory(display_name="Chiara Bianchi")
    mine = RegistrationFactory(
        meeting=meeting, group=group, user=person, email=person.email, name="Chiara Bianchi"
    )
    RegistrationFactory.create_batch(3, meeting=meeting, group=group, organisation_category="public_body")
    services.check_in(actor=facilitator, meeting=meeting, code=mine.code)
    services.contributions_record(
        actor=facilitator,
        group=group,
        rows=[
            {"text": CONTRIBUTIONS[0], "ambito": "ict", "attribution": "participant", "registration": mine}
        ],
    )
    services.minutes_save(actor=facilitator, group=group, minutes=MINUTES)
    services.report_publish(actor=facilitator, meeting=meeting, report="Una mattina di lavoro.")
    return {**tour, "person": person, "registration": mine, "group": group}


def _page(name: str, data: dict) -> tuple[str, str | None]:
    """The address of a page type and who looks at it (None: a visitor)."""
    meeting, group = data["meeting"], data["group"]
    slug = {"slug": meeting.slug}
    token = {"token": data["registration"].token}
    return {
        "home": (reverse("meetings:home"), None),
        "tour": (data["tour"].get_absolute_url(), None),
        "meeting": (meeting.get_absolute_url(), None),
        "meeting-facilitator": (meeting.get_absolute_url(), "facilitator"),
        "register": (reverse("meetings:register", kwargs=slug), None),
        "registration": (reverse("meetings:registration", kwargs=token), None),
        "my-registrations": (reverse("meetings:my_registrations"), "person"),
        "check-in": (reverse("meetings:checkin", kwargs=slug), "facilitator"),
        "check-in-from-qr": (
            reverse("meetings:checkin", kwargs=slug) + f"?code={data['registration'].code}",
            "facilitator",
        ),
        "attendance": (reverse("meetings:attendance", kwargs=slug), "facilitator"),
        "contributions": (reverse("meetings:contributions", kwargs={**slug, "pk": group.pk}), "facilitator"),
        "minutes": (reverse("meetings:minutes", kwargs={**slug, "pk": group.pk}), "facilitator"),
        "report-edit": (reverse("meetings:report_edit", kwargs=slug), "facilitator"),
        "report": (reverse("meetings:report", kwargs=slug), None),
    }[name]


PAGE_TYPES = [
    "home",
    "tour",
    "meeting",
    "meeting-facilitator",
    "register",
    "registration",
    "my-registrations",
    "check-in",
    "check-in-from-qr",
    "attendance",
    "contributions",
    "minutes",
    "report-edit",
    "report",
]


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_meetings_pages_have_no_violations(open_as, running, name):
    url, who = _page(name, running)
    page = open_as(running[who] if who else None)
    visit(page, url)
    assert_accessible(page)


def forget_the_page_status(page) -> None:
    """A form with errors answers 400, which Chromium also logs in the console: that line is expected."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # the console line may come after the load event
    page.console_log.errors = [e for e in page.console_log.errors if "status of 400" not in e]


def test_forms_with_errors_have_no_violations(open_as, running):
    meeting = running["meeting"]
    visitor = open_as()
    visit(visitor, reverse("meetings:register", kwargs={"slug": meeting.slug}))
    visitor.get_by_label(italian("E-mail")).fill("not-an-address")
    submit(visitor, visitor.locator("main form"))
    assert visitor.locator("[aria-invalid=true]").count() >= 2
    forget_the_page_status(visitor)
    assert_accessible(visitor)

    facilitator = open_as(running["facilitator"])
    visit(facilitator, reverse("meetings:checkin", kwargs={"slug": meeting.slug}))
    facilitator.get_by_label(re.compile(italian("Registration code"))).fill("NOPE1234")
    submit(facilitator, facilitator.locator("main form").first)
    expect(facilitator.get_by_role("main")).to_contain_text(
        italian("No registration of this meeting has this code.")
    )
    forget_the_page_status(facilitator)
    assert_accessible(facilitator)


def test_confirmation_pages_have_no_violations(open_as, tour, mailoutbox):
    visitor = open_as()
    meeting = tour["meeting"]
    visit(visitor, reverse("meetings:register", kwargs={"slug": meeting.slug}))
    visitor.get_by_label(italian("Name and surname")).fill(VISITOR_NAME)
    visitor.get_by_label(italian("E-mail")).fill(VISITOR_EMAIL)
    visitor.locator("main label", has_text=re.compile("^Smart cities")).click()
    visitor.locator("label[for=id_privacy]").click()
    submit(visitor, visitor.locator("main form"))
    assert_accessible(visitor)  # "check your e-mail"
    visitor.goto(link_in(mailoutbox[-1], "meetings:registration_confirm"))
    assert_accessible(visitor)


def test_the_meeting_page_works_on_a_phone(mobile_page, tour):
    visit(mobile_page, tour["meeting"].get_absolute_url())
    register = mobile_page.get_by_role("link", name=re.compile(italian("Register"))).first
    expect(register).to_be_visible()
    assert_accessible(mobile_page)
