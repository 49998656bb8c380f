"""The survey in a real browser: the whole questionnaire journey, and axe-core on every survey page type."""

import pytest
from django.urls import reverse

from cittasmart.survey.models import Invitation, InvitationStatus, SurveyRecord, SurveyRound
from tests.browser.test_accessibility import assert_accessible, visit
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SurveyRecordFactory,
    SurveyRoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


def tick(page, id_prefix: str, text: str) -> None:
    """Bootstrap Italia draws the checkbox on its label: click the label, as a person does."""
    label = page.locator(f"label[for^={id_prefix}]", has_text=text).first
    label.click()
    assert page.locator(f"#{label.get_attribute('for')}").is_checked()


def as_user(context, log_in, user):
    context.clear_cookies()
    if user is not None:
        log_in(context, user)


def test_questionnaire_journey_from_invitation_to_catalogue_and_report(
    context, page, log_in, transactional_db
):
    from cittasmart.core.roles import Role

    plan_office = UserFactory(roles=[Role.PLAN_OFFICE])
    company = OrganisationFactory(name="Acqua Esempio S.p.A.", category="participated_company")
    representative = MembershipFactory(organisation=company, role="representative").user

    # The plan office opens a round and invites the company.
    as_user(context, log_in, plan_office)
    visit(page, reverse("survey:round_create"))
    page.fill("#id_title", "Aggiornamento di prova")
    page.fill("#id_year", "2024")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/aggiornamento-di-prova/")
    tick(page, "id_organisations", "Acqua Esempio S.p.A.")
    page.locator(
        "form[action$='/invita/'] button[type=submit], form[action*='invit'] button[type=submit]"
    ).first.click()
    page.wait_for_load_state("load")
    page.locator("button[name=status][value=open]").click()
    page.wait_for_load_state("load")
    survey_round = SurveyRound.objects.get(title="Aggiornamento di prova")
    assert survey_round.status == "open"
    invitation = Invitation.objects.get(round=survey_round, organisation=company)

    # The representative fills both sections, saving drafts.
    as_user(context, log_in, representative)
    visit(page, reverse("survey:my_invitations"))
    page.get_by_role("link", name="Aggiornamento di prova").click()
    page.locator(f"a[href='{reverse('survey:questionnaire_general', args=[invitation.pk])}']").click()
    page.fill("#id_contact_name", "Giulia Verdi")
    page.fill("#id_contact_email", "giulia@example.org")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**{reverse('survey:questionnaire', args=[invitation.pk])}")

    page.locator(f"a[href='{reverse('survey:record_create', args=[invitation.pk, 'project'])}']").click()
    page.fill("#id_title", "Telelettura dei contatori")
    page.fill("#id_description", "Contatori dell'acqua letti a distanza.")
    page.select_option("#id_reference_ambito", "environment")
    page.locator(
        "label[for=" + page.locator("input[name=impact_ambiti][value=ict]").get_attribute("id") + "]"
    ).click()
    page.select_option("#id_status", "in_progress")
    page.fill("#id_budget", "250000")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**{reverse('survey:questionnaire', args=[invitation.pk])}")

    page.locator(f"a[href='{reverse('survey:record_create', args=[invitation.pk, 'idea'])}']").click()
    page.fill("#id_title", "Sensori di perdita in rete")
    page.select_option("#id_reference_ambito", "environment")
    page.select_option("#id_status", "idea")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**{reverse('survey:questionnaire', args=[invitation.pk])}")

    # Comes back later: the draft is still there.
    visit(page, "/")
    visit(page, reverse("survey:questionnaire", args=[invitation.pk]))
    assert page.get_by_role("rowheader", name="Telelettura dei contatori").is_visible()
    assert page.get_by_role("rowheader", name="Sensori di perdita in rete").is_visible()
    page.locator(
        f"form[action='{reverse('survey:questionnaire_submit', args=[invitation.pk])}'] button"
    ).click()
    page.wait_for_load_state("load")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SUBMITTED

    # The plan office returns it with a comment.
    as_user(context, log_in, plan_office)
    visit(page, reverse("survey:invitation_review", args=[invitation.pk]))
    page.fill("#id_comment", "Indicate la data di avvio del progetto.")
    page.locator("button[name=action][value=return]").click()
    page.wait_for_load_state("load")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.RETURNED

    # The respondent reads the comment, fixes and resubmits.
    as_user(context, log_in, representative)
    visit(page, reverse("survey:questionnaire", args=[invitation.pk]))
    assert page.get_by_text("Indicate la data di avvio del progetto.").is_visible()
    project = SurveyRecord.objects.get(invitation=invitation, kind="project")
    visit(page, reverse("survey:record_update", args=[invitation.pk, project.pk]))
    page.fill("#id_actual_start", "2023-03-01")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**{reverse('survey:questionnaire', args=[invitation.pk])}")
    page.locator(
        f"form[action='{reverse('survey:questionnaire_submit', args=[invitation.pk])}'] button"
    ).click()
    page.wait_for_load_state("load")

    # Validated, then the round is closed and published.
    as_user(context, log_in, plan_office)
    visit(page, reverse("survey:invitation_review", args=[invitation.pk]))
    page.locator("button[name=action][value=validate]").click()
    page.wait_for_load_state("load")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.VALIDATED
    for status in ("closed", "published"):
        visit(page, reverse("survey:round_detail", args=[survey_round.slug]))
        page.locator(f"button[name=status][value={status}]").click()
        page.wait_for_load_state("load")

    # Anyone finds the project in the catalogue and in the report.
    as_user(context, log_in, None)
    visit(page, reverse("survey:catalogue") + "?q=Telelettura")
    page.get_by_role("link", name="Telelettura dei contatori").first.click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Acqua Esempio S.p.A.").first.is_visible()
    visit(page, reverse("survey:report", args=[survey_round.slug]))
    body = page.locator("main").inner_text()
    assert "Acqua Esempio S.p.A." in body
    assert "2" in body


@pytest.fixture
def survey_setting(transactional_db):
    from cittasmart.core.roles import Role

    company = OrganisationFactory(name="Energia Esempio", category="participated_company")
    survey_round = SurveyRoundFactory(
        status="published", title="Rilevazione di prova", slug="rilevazione-di-prova"
    )
    record = SurveyRecordFactory(
        round=survey_round, owner=company, title="Illuminazione intelligente", latitude=43.88, longitude=11.1
    )
    SurveyRecordFactory(
        round=survey_round, owner=company, kind="idea", title="Colonnine di ricarica", status="idea"
    )
    open_round = SurveyRoundFactory(status="open", title="Aperta", slug="aperta")
    representative = MembershipFactory(organisation=company, role="representative").user
    invitation = Invitation.objects.create(round=open_round, organisation=company)
    return {
        "round": survey_round,
        "record": record,
        "invitation": invitation,
        "representative": representative,
        "plan_office": UserFactory(roles=[Role.PLAN_OFFICE]),
    }


PUBLIC_SURVEY_PAGES = {
    "survey-home": lambda s: reverse("survey:home"),
    "catalogue": lambda s: reverse("survey:catalogue"),
    "record": lambda s: reverse("survey:record_detail", args=[s["record"].pk]),
    "report": lambda s: reverse("survey:report", args=[s["round"].slug]),
}
RESPONDENT_PAGES = {
    "questionnaire": lambda s: reverse("survey:questionnaire", args=[s["invitation"].pk]),
    "general-data": lambda s: reverse("survey:questionnaire_general", args=[s["invitation"].pk]),
    "record-form": lambda s: reverse("survey:record_create", args=[s["invitation"].pk, "project"]),
}
STAFF_PAGES = {
    "rounds": lambda s: reverse("survey:round_list"),
    "round": lambda s: reverse("survey:round_detail", args=[s["round"].slug]),
    "new-round": lambda s: reverse("survey:round_create"),
    "import": lambda s: reverse("survey:import", args=[s["round"].slug]),
    "review": lambda s: reverse("survey:invitation_review", args=[s["invitation"].pk]),
}


@pytest.mark.parametrize("name", PUBLIC_SURVEY_PAGES)
def test_public_survey_pages_have_no_violations(page, survey_setting, name):
    visit(page, PUBLIC_SURVEY_PAGES[name](survey_setting))
    assert_accessible(page)


@pytest.mark.parametrize("name", RESPONDENT_PAGES)
def test_questionnaire_pages_have_no_violations(context, page, log_in, survey_setting, name):
    log_in(context, survey_setting["representative"])
    visit(page, RESPONDENT_PAGES[name](survey_setting))
    assert_accessible(page)


def test_record_form_with_errors_has_no_violations(context, page, log_in, survey_setting):
    log_in(context, survey_setting["representative"])
    visit(page, RESPONDENT_PAGES["record-form"](survey_setting))
    page.fill("#id_cup", "123")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("main form button[type=submit]").first.click()
    assert answer.value.status == 400
    page.wait_for_load_state("load")
    assert page.locator(".invalid-feedback").count() >= 1
    # Chromium logs the page's own 400 status as a console error: that one is expected.
    page.console_log.errors[:] = [e for e in page.console_log.errors if "status of 400" not in e]
    assert_accessible(page)


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_survey_pages_have_no_violations(context, page, log_in, survey_setting, name):
    log_in(context, survey_setting["plan_office"])
    visit(page, STAFF_PAGES[name](survey_setting))
    assert_accessible(page)
