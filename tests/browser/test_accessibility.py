"""axe-core (WCAG 2.1 A and AA rules) on every page type, in Chromium; no violation is tolerated.

Each scan also fails on errors the page logged in the console (a blocked inline style or script, a missing
asset), because the Content Security Policy must not be silently breaking the page.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = Axe()


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    {node['html']}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    page.wait_for_load_state("load")
    results = AXE.run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    )
    violations = results.response["violations"]
    assert not violations, (
        f"{len(violations)} accessibility violation(s) on {page.url}:\n{describe(violations)}"
    )
    assert not page.console_log.errors, f"errors in the console of {page.url}:\n" + "\n".join(
        page.console_log.errors
    )


def visit(page, url: str):
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response.status if response else None}"
    return response


PUBLIC_PAGES = {
    "home": lambda: "/",
    "home-en": lambda: "/en/",
    "login": lambda: reverse("account_login"),
    "signup": lambda: reverse("account_signup"),
    "password-reset": lambda: reverse("account_reset_password"),
    "accessibility-statement": lambda: reverse("core:accessibility"),
}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_no_violations(page, name):
    visit(page, PUBLIC_PAGES[name]())
    assert_accessible(page)


def test_signup_with_errors_has_no_violations(page):
    visit(page, reverse("account_signup"))
    page.fill("#id_email", "not-an-e-mail")
    page.fill("#id_password1", "short")
    page.fill("#id_password2", "different")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator(".invalid-feedback").count() >= 2
    assert page.locator("[aria-invalid=true]").count() >= 1
    assert_accessible(page)


def test_profile_has_no_violations(page, context, log_in):
    user = UserFactory()
    log_in(context, user)
    visit(page, reverse("accounts:profile"))
    assert page.locator("h1").count() == 1
    assert_accessible(page)


def test_two_factor_page_has_no_violations(page, context, log_in):
    log_in(context, UserFactory())
    visit(page, reverse("mfa_index"))
    assert_accessible(page)


def test_organisation_list_and_detail_have_no_violations(page):
    organisations = OrganisationFactory.create_batch(4)
    visit(page, reverse("stakeholders:list"))
    assert page.locator("#results article").count() == 4
    assert_accessible(page)

    visit(page, organisations[0].get_absolute_url())
    assert page.locator("h1").inner_text() == organisations[0].name
    assert_accessible(page)


def test_search_with_results_has_no_violations(page):
    OrganisationFactory(name="Energia Verde Prova", slug="energia-verde-prova")
    visit(page, reverse("core:search") + "?q=Energia")
    assert page.get_by_role("link", name="Energia Verde Prova").count() == 1
    assert_accessible(page)


@pytest.mark.parametrize("name", ["home", "login"])
def test_mobile_page_has_no_violations(mobile_page, name):
    visit(mobile_page, PUBLIC_PAGES[name]())
    assert_accessible(mobile_page)
