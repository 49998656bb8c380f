"""The main journeys of a visitor, in Chromium, through the pages as people use them."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

CONFIRMATION_LINK = re.compile(r"https?://\S+/account/confirm-email/\S+/")


def submit(page, form_selector: str = "main form") -> None:
    """Click the submit button of the form and wait for the page that answers."""
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").first.click()


def test_sign_up_confirm_log_in_download_data_and_log_out(page, mailoutbox):
    email = "new.citizen@example.org"

    page.goto(reverse("account_signup"))
    page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_display_name", "Nuova Cittadina")
    # Bootstrap Italia draws the checkbox with its label, which takes the click, as it does for people.
    page.locator("label[for=id_privacy_accepted]").click()
    assert page.is_checked("#id_privacy_accepted")
    submit(page)
    assert page.url.endswith(reverse("account_email_verification_sent")), page.url

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [email]
    link = CONFIRMATION_LINK.search(message.body)
    assert link, f"no confirmation link in:\n{message.body}"

    page.goto(link.group(0))
    submit(page)
    assert page.url.endswith(reverse("account_login")), page.url

    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    submit(page)
    assert page.url.endswith(reverse("accounts:profile")), page.url
    assert page.locator("h1").count() == 1
    assert email in page.locator("main").inner_text()
    header = page.locator("header.it-header-wrapper")
    assert header.get_by_role("link", name=re.compile("Nuova Cittadina")).count() == 1

    with page.expect_download() as download_info:
        page.locator(f"a[href='{reverse('accounts:data_export')}']").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".json")
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert email in json.dumps(data, ensure_ascii=False)

    with page.expect_navigation():
        header.locator(f"form[action='{reverse('account_logout')}'] button[type=submit]").click()
    assert header.locator(f"a[href='{reverse('account_login')}']").is_visible()
    assert header.locator(f"form[action='{reverse('account_logout')}']").count() == 0
    page.goto(reverse("accounts:profile"))
    assert reverse("account_login") in page.url, "the profile must ask to log in again after logging out"


def test_five_wrong_passwords_lock_the_account_out(page):
    user = UserFactory()
    page.goto(reverse("account_login"))
    for attempt in range(1, 6):
        page.fill("#id_login", user.email)
        page.fill("#id_password", f"wrong-password-{attempt}")
        submit(page)
        if attempt < 5:
            assert page.locator("#lockout-message").count() == 0, f"locked out after {attempt} attempts"
            assert page.locator("#id_login").is_visible()
    lockout = page.locator("#lockout-message")
    assert lockout.is_visible()
    assert lockout.get_attribute("role") == "alert"

    # Even the right password is refused now.
    page.goto(reverse("account_login"))
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    submit(page)
    assert page.locator("#lockout-message").is_visible()


def test_language_switcher_goes_to_english_and_back(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "it"

    page.locator("#language-menu").click()
    english = page.locator(".it-header-slim-wrapper .dropdown-menu a[hreflang=en]")
    english.wait_for(state="visible")
    with page.expect_navigation():
        english.click()
    assert page.url.endswith("/en/"), page.url
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#language-menu").inner_text().strip().endswith("EN")

    page.locator("#language-menu").click()
    italian = page.locator(".it-header-slim-wrapper .dropdown-menu a[hreflang=it]")
    italian.wait_for(state="visible")
    with page.expect_navigation():
        italian.click()
    assert not page.url.rstrip("/").endswith("/en"), page.url
    assert page.locator("html").get_attribute("lang") == "it"


def test_mobile_home_has_no_horizontal_scroll_and_the_burger_opens_the_menu(mobile_page):
    page = mobile_page
    page.goto("/")
    widths = page.evaluate(
        "() => ({viewport: window.innerWidth, document: document.documentElement.scrollWidth,"
        " body: document.body.scrollWidth})"
    )
    assert widths["document"] <= widths["viewport"], widths
    assert widths["body"] <= widths["viewport"], widths
    sticking_out = page.evaluate(
        """() => [...document.querySelectorAll("main *, footer *")]
            .filter(el => { const r = el.getBoundingClientRect(); return r.width > 1 && (r.left < -1 || r.right > innerWidth + 1); })
            .map(el => el.outerHTML.slice(0, 120))"""
    )
    assert not sticking_out, "elements wider than the screen:\n" + "\n".join(sticking_out)

    menu = page.locator("#main-menu")
    home_link = menu.locator(".navbar-nav .nav-link").first
    assert not home_link.is_visible()
    burger = page.locator("button.custom-navbar-toggler")
    assert burger.is_visible()
    assert burger.get_attribute("aria-expanded") == "false"
    burger.click()
    expect(home_link).to_be_in_viewport(ratio=1)  # after the menu has slid in
    assert burger.get_attribute("aria-expanded") == "true"

    page.locator("#main-menu .close-menu").click()
    home_link.wait_for(state="hidden")


def test_account_pages_show_the_platform_identity(page, site_identity):
    page.goto(reverse("account_login"))
    brand = page.locator(".it-header-center-wrapper .it-brand-title")
    assert brand.inner_text().strip() == site_identity.instance_name
    assert site_identity.email in page.locator("footer").inner_text()
