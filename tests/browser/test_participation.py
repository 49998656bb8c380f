"""Participation in a real browser: the journey of an idea from sign-up to the official answer, with supports,
comments, a report, moderation and notifications; then axe-core on every participation page type."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cittasmart.core.roles import Role
from cittasmart.participation import services
from cittasmart.participation.models import (
    Comment,
    Idea,
    IdeaStatus,
    Notification,
    NotificationKind,
    Outcome,
    Process,
    Report,
)
from tests.browser.conftest import submit
from tests.browser.test_accessibility import assert_accessible, visit
from tests.factories import (
    PASSWORD,
    ActionFactory,
    IdeaFactory,
    PlanFactory,
    PlanVersionFactory,
    ProcessFactory,
    UserFactory,
    publish,
)

pytestmark = pytest.mark.browser

CONFIRMATION_LINK = re.compile(r"https?://\S+/account/confirm-email/\S+/")
SIMILAR_TITLE = "Wi-Fi gratuito in piazza del Duomo"
NEW_TITLE = "Wi-Fi gratuito nelle piazze del centro"
NEW_BODY = "Una rete Wi-Fi gratuita nelle piazze del centro storico, per chi lavora e per i turisti."
COMMENT = "Sono d'accordo: in piazza Mercatale il segnale non arriva mai."
HIDE_REASON = "Il commento contiene dati personali di altre persone."
ANSWER = "Accolta: la rete Wi-Fi delle piazze entra nelle piattaforme integrate della PR-TRA2."


@pytest.fixture
def agenda(transactional_db):
    """A published plan with PR-TRA2, an open process about it, and a few ideas already proposed."""
    version = PlanVersionFactory(plan=PlanFactory(title="Prato Smart City"), slug="2021", title="Nota 2021")
    action = ActionFactory(
        version=version,
        code="PR-TRA2",
        kind="transversal",
        title="Piattaforme IT evolute e integrazione dei servizi",
    )
    publish(version)
    process = ProcessFactory(title="Agenda Digitale", slug="agenda-digitale")
    process.plan_version = version
    process.save()
    similar = IdeaFactory(
        process=process,
        title=SIMILAR_TITLE,
        body="Chiediamo una rete Wi-Fi gratuita in piazza del Duomo, aperta a tutti.",
        body_html="<p>Chiediamo una rete Wi-Fi gratuita in piazza del Duomo, aperta a tutti.</p>",
    )
    IdeaFactory(
        process=process,
        title="Corsi di competenze digitali per anziani",
        body="Corsi gratuiti nei centri civici per usare SPID e prenotare le visite.",
        body_html="<p>Corsi gratuiti nei centri civici per usare SPID e prenotare le visite.</p>",
    )
    IdeaFactory(
        process=process,
        title="Open data sulla mobilità",
        body="Pubblicare in tempo reale i posti liberi nei parcheggi di scambio.",
        body_html="<p>Pubblicare in tempo reale i posti liberi nei parcheggi di scambio.</p>",
    )
    return {"process": process, "action": action, "similar": similar}


def sign_up(page, mailoutbox, *, email: str, name: str) -> None:
    """Sign up through allauth's real form, confirm the address from the e-mail and log in."""
    page.goto(reverse("account_signup"))
    page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_display_name", name)
    page.locator("label[for=id_privacy_accepted]").click()
    submit(page, page.locator("main form"))
    assert page.url.endswith(reverse("account_email_verification_sent")), page.url
    message = next(m for m in mailoutbox if m.to == [email])
    link = CONFIRMATION_LINK.search(message.body)
    assert link, f"no confirmation link in:\n{message.body}"
    page.goto(link.group(0))
    submit(page, page.locator("main form"))
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    submit(page, page.locator("main form"))
    assert page.url.endswith(reverse("accounts:profile")), page.url


def unread_badge(page):
    return page.locator(f".cs-user-zone a[href='{reverse('participation:notifications')}'] .badge")


def test_an_idea_from_sign_up_to_the_official_answer(page, mailoutbox, open_as, agenda):
    process, action, similar = agenda["process"], agenda["action"], agenda["similar"]

    # A citizen signs up, opens the process and proposes an idea; the similar one shows while they write.
    sign_up(page, mailoutbox, email="giulia@example.org", name="Giulia Rossi")
    visit(page, process.get_absolute_url())
    assert page.locator("h1").inner_text() == "Agenda Digitale"
    with page.expect_navigation():
        page.locator(
            f"main a[href='{reverse('participation:idea_create', args=[process.slug])}']"
        ).first.click()
    page.fill("#id_body", NEW_BODY)
    page.locator("#id_title").press_sequentially(NEW_TITLE)  # keystrokes: the panel follows the typing
    panel = page.locator("#similar-panel")
    expect(panel.locator(f"a[href='{similar.get_absolute_url()}']")).to_be_visible()
    expect(panel.get_by_role("link", name=SIMILAR_TITLE)).to_have_count(1)
    form = page.locator("main form[enctype='multipart/form-data']")
    with page.expect_navigation():
        form.locator("button[type=submit]:not([name=check])").click()
    idea = Idea.objects.get(title=NEW_TITLE)
    assert idea.author.email == "giulia@example.org" and idea.status == IdeaStatus.PUBLISHED
    assert page.url.endswith(idea.get_absolute_url()), page.url
    assert page.locator("h1").inner_text() == NEW_TITLE
    expect(unread_badge(page)).to_have_count(0)

    # Another citizen supports it and comments.
    supporter = UserFactory(display_name="Marco Bianchi")
    second = open_as(supporter)
    visit(second, idea.get_absolute_url())
    second.locator(f"#support-button-{idea.pk}").click()  # htmx swaps the support box
    expect(second.locator(f"#support-box-{idea.pk} strong")).to_have_text("1")
    expect(second.locator(f"#support-button-{idea.pk}.btn-outline-primary")).to_be_visible()
    second.fill("#id_body", COMMENT)
    submit(second, second.locator("form[aria-labelledby=comment-form-title]"))
    comment = Comment.objects.get(idea=idea)
    assert comment.body == COMMENT and comment.author == supporter
    expect(second.locator(f"#comment-{comment.pk}")).to_contain_text(COMMENT)
    idea.refresh_from_db()
    assert idea.support_count == 1 and idea.comment_count == 1

    # A third citizen reports the comment.
    reporter = UserFactory()
    third = open_as(reporter)
    visit(third, idea.get_absolute_url())
    with third.expect_navigation():
        third.locator(f"a[href='{reverse('participation:comment_report', args=[comment.pk])}']").click()
    third.locator(
        "label[for=id_reason_2]"
    ).click()  # personal data of others (Bootstrap Italia: click the label)
    assert third.is_checked("#id_reason_2")
    submit(third, third.locator("main form"))
    report = Report.objects.get(comment=comment)
    assert report.reporter == reporter and report.reason == "personal_data" and report.resolved_at is None

    # A moderator finds it in the queue and hides it, with a reason.
    moderator = open_as(UserFactory(roles=[Role.MODERATOR]))
    visit(moderator, reverse("participation:moderation"))
    moderate_url = reverse("participation:moderate_comment", args=[comment.pk])
    with moderator.expect_navigation():
        moderator.locator(f"#queue a[href='{moderate_url}']").click()
    moderator.fill("#id_hide-reason", HIDE_REASON)
    submit(moderator, moderator.locator("form:has(input[name=op][value=hide])"))
    comment.refresh_from_db()
    report.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == HIDE_REASON
    assert report.resolved_at is not None
    idea.refresh_from_db()
    assert idea.comment_count == 0
    visit(third, idea.get_absolute_url())
    assert COMMENT not in third.locator("main").inner_text()

    # The author of the comment is told why, in their notifications.
    hidden = Notification.objects.get(recipient=supporter, kind=NotificationKind.HIDDEN)
    assert hidden.reason == HIDE_REASON and hidden.comment == comment
    visit(second, reverse("participation:notifications"))
    assert HIDE_REASON in second.locator("main").inner_text()

    # The plan office answers "accepted", linking PR-TRA2.
    office = open_as(UserFactory(roles=[Role.PLAN_OFFICE]))
    visit(office, idea.get_absolute_url())
    with office.expect_navigation():
        office.locator(
            f"a[href='{reverse('participation:idea_answer', args=[process.slug, idea.pk])}']"
        ).click()
    office.locator(f"label[for=id_outcome_{list(Outcome.values).index(Outcome.ACCEPTED)}]").click()
    office.fill("#id_text", ANSWER)
    office.select_option("#id_actions", [str(action.pk)])
    submit(office, office.locator("main form[method=post]"))
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.ANSWERED
    assert idea.answer.outcome == Outcome.ACCEPTED
    assert list(idea.answer.actions.values_list("code", flat=True)) == ["PR-TRA2"]
    assert office.url.split("#")[0].endswith(idea.get_absolute_url()), office.url
    answer = office.locator("section[aria-labelledby=answer-title]")
    expect(answer).to_contain_text(ANSWER)
    expect(answer.locator(f"a[href='{action.get_absolute_url()}']")).to_have_count(1)

    # The page of PR-TRA2 lists the idea that fed it.
    visitor = open_as()
    visit(visitor, action.get_absolute_url())
    panel = visitor.locator("section[aria-labelledby=participation-ideas-title]")
    expect(panel.locator(f"a[href='{idea.get_absolute_url()}']")).to_have_text(NEW_TITLE)

    # The author follows their idea: the comment and the answer wait for them, with the unread badge.
    author_notifications = Notification.objects.filter(recipient=idea.author, read_at__isnull=True)
    assert set(author_notifications.values_list("kind", flat=True)) == {
        NotificationKind.NEW_COMMENT,
        NotificationKind.ANSWERED,
    }
    visit(page, process.get_absolute_url())
    expect(unread_badge(page)).to_have_text("2")
    with page.expect_navigation():
        page.locator(f".cs-user-zone a[href='{reverse('participation:notifications')}']").click()
    items = page.locator("main ul.list-unstyled > li")
    expect(items).to_have_count(2)
    expect(items.locator(f"a[href='{idea.get_absolute_url()}']")).to_have_count(1)  # the answer
    expect(items.locator(f"a[href='{idea.get_absolute_url()}#comment-{comment.pk}']")).to_have_count(1)
    assert NEW_TITLE in items.first.inner_text()
    submit(page, page.locator(f"main form[action='{reverse('participation:notifications_read')}']").first)
    expect(unread_badge(page)).to_have_count(0)
    assert not Notification.objects.filter(recipient=idea.author, read_at__isnull=True).exists()
    for each in (page, second, third, moderator, office, visitor):
        assert not each.console_log.errors, each.console_log.errors


# --- axe-core on every page type of participation --------------------------------------------------------


@pytest.fixture
def taking_part(agenda):
    """An idea with an answer, a support, comments and a reply; a reported comment; notifications."""
    process, action = agenda["process"], agenda["action"]
    author = UserFactory(display_name="Giulia Rossi")
    citizen = UserFactory(display_name="Marco Bianchi")
    reporter = UserFactory()
    office = UserFactory(roles=[Role.PLAN_OFFICE])
    idea = services.idea_create(
        user=author,
        process=process,
        title=NEW_TITLE,
        body=NEW_BODY + "\n\n- piazza Mercatale\n- piazza San Marco",
        place_name="Piazza Mercatale, Prato",
        latitude=Decimal("43.883000"),
        longitude=Decimal("11.100500"),
    )
    services.support_add(user=citizen, idea=idea)
    comment = services.comment_create(user=citizen, idea=idea, body=COMMENT)
    services.comment_create(user=author, idea=idea, body="Grazie, la aggiungo alla proposta.", parent=comment)
    services.report_create(user=reporter, comment=comment, reason="off_topic")
    answered = agenda["similar"]
    services.answer_save(actor=office, idea=answered, outcome=Outcome.ACCEPTED, text=ANSWER, actions=[action])
    return {
        **agenda,
        "idea": idea,
        "comment": comment,
        "answered": answered,
        "author": author,
        "citizen": citizen,
        "office": office,
    }


def _process(data):
    return data["process"].get_absolute_url()


PAGES = {
    # name: (who, url)
    "home": (None, lambda d: reverse("participation:home")),
    "process": (None, _process),
    "process-logged-in": ("citizen", _process),
    "idea-list": (None, lambda d: reverse("participation:idea_list", args=[d["process"].slug])),
    "idea-list-filtered": (
        None,
        lambda d: reverse("participation:idea_list", args=[d["process"].slug]) + "?sort=supports&q=wi-fi",
    ),
    "idea-map": (None, lambda d: reverse("participation:idea_map", args=[d["process"].slug])),
    "idea-detail": ("citizen", lambda d: d["idea"].get_absolute_url()),
    "idea-detail-author": ("author", lambda d: d["idea"].get_absolute_url()),
    "idea-detail-answered": (None, lambda d: d["answered"].get_absolute_url()),
    "idea-form": ("citizen", lambda d: reverse("participation:idea_create", args=[d["process"].slug])),
    "report-form": ("author", lambda d: reverse("participation:comment_report", args=[d["comment"].pk])),
    "answer-form": (
        "office",
        lambda d: reverse("participation:idea_answer", args=[d["process"].slug, d["idea"].pk]),
    ),
    "feedback-report": (None, lambda d: reverse("participation:feedback_report", args=[d["process"].slug])),
    "notifications": ("citizen", lambda d: reverse("participation:notifications")),
    "notification-settings": ("citizen", lambda d: reverse("participation:notification_settings")),
    "moderation-queue": ("moderator", lambda d: reverse("participation:moderation")),
    "moderate-comment": (
        "moderator",
        lambda d: reverse("participation:moderate_comment", args=[d["comment"].pk]),
    ),
    "manage": ("office", lambda d: reverse("participation:manage")),
}


@pytest.mark.parametrize("name", PAGES)
def test_participation_pages_have_no_violations(page, context, log_in, taking_part, name):
    who, url = PAGES[name]
    if who == "moderator":
        log_in(context, UserFactory(roles=[Role.MODERATOR]))
    elif who is not None:
        log_in(context, taking_part[who])
    visit(page, url(taking_part))
    assert page.locator("h1").count() == 1
    assert_accessible(page)


def test_idea_form_with_similar_ideas_and_errors_has_no_violations(page, context, log_in, taking_part):
    log_in(context, taking_part["citizen"])
    visit(page, reverse("participation:idea_create", args=[taking_part["process"].slug]))
    page.locator("#id_title").press_sequentially("Wi-Fi gratuito in piazza")
    expect(
        page.locator(f"#similar-panel a[href='{taking_part['similar'].get_absolute_url()}']")
    ).to_be_visible()
    assert_accessible(page)

    page.fill("#id_title", "")
    page.fill("#id_latitude", "95")  # out of range, and no longitude
    with page.expect_navigation():
        page.locator("main form button[type=submit]:not([name=check])").click()
    assert page.locator(".invalid-feedback").count() >= 2
    # A form with errors answers 400 (house rule), which Chromium logs; that one line is expected.
    page.console_log.errors = [e for e in page.console_log.errors if "status of 400" not in e]
    assert_accessible(page)


def test_the_demo_pages_have_no_violations(page, context, log_in, transactional_db):
    """The Prato demo's own content (Markdown lists, places, answers, replies) on the pages people open first."""
    from django.core.management import call_command

    from cittasmart.accounts.models import User
    from cittasmart.participation import demo

    call_command("load_demo", quiet_accounts=True)
    process = Process.objects.get(slug=demo.SLUG)
    accepted = Idea.objects.get(process=process, answer__outcome=Outcome.ACCEPTED)
    log_in(context, User.objects.get(email=demo.demo_email(demo.CITIZEN)))
    for url in (
        process.get_absolute_url(),
        reverse("participation:idea_list", args=[process.slug]),
        accepted.get_absolute_url(),
        accepted.answer.actions.get().get_absolute_url(),
        reverse("participation:feedback_report", args=[demo.PAST_SLUG]),
        reverse("participation:notifications"),
    ):
        visit(page, url)
        assert_accessible(page)
    expect(unread_badge(page)).not_to_have_count(0)
