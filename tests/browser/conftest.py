"""Real-browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Without ``/usr/bin/chromium`` every browser test is skipped with a loud message, unless
``REQUIRE_BROWSER=1`` is set (as in CI): then they fail.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API keeps an asyncio event loop running in the main thread; Django would otherwise
# refuse database access from the test body ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 800}
MISSING_BROWSER_MESSAGE = (
    f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing. Install Debian's chromium package "
    "(`make browser-deps`) to run them; set REQUIRE_BROWSER=1 to make this an error."
)


def _browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say it at the end of the run, in red, so that nobody mistakes skipped browser tests for passed ones."""
    if CHROMIUM.exists():
        return
    terminalreporter.write_sep("!", "BROWSER TESTS DID NOT RUN", red=True, bold=True)
    terminalreporter.write_line(MISSING_BROWSER_MESSAGE, red=True, bold=True)
    terminalreporter.write_sep("!", red=True, bold=True)


@pytest.fixture(scope="session", autouse=True)
def _require_chromium():
    """Session-scoped so that it runs before the session-scoped browser is launched."""
    if CHROMIUM.exists():
        return
    if _browser_required():
        pytest.fail(f"REQUIRE_BROWSER is set but {CHROMIUM} is missing.", pytrace=False)
    pytest.skip(MISSING_BROWSER_MESSAGE)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def site_identity(transactional_db):
    """A realistic instance identity, so that header, footer and hero render everything they can."""
    from django.core.cache import cache

    from cittasmart.core.models import SiteSettings

    site, _created = SiteSettings.objects.update_or_create(
        pk=1,
        defaults={
            "instance_name": "Smart City Test",
            "tagline": "The Smart City plan of the Comune di Prova, in public",
            "entity_name": "Comune di Prova",
            "entity_url": "https://comune.example.org/",
            "address": "Piazza del Comune 1, 00000 Prova",
            "email": "smartcity@comune.example.org",
            "pec": "protocollo@pec.comune.example.org",
            "phone": "+39 000 000000",
        },
    )
    cache.clear()
    return site


@pytest.fixture
def context(browser, live_server, site_identity):
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="it-IT")
    yield context
    context.close()


@pytest.fixture
def mobile_context(browser, live_server, site_identity):
    context = browser.new_context(
        base_url=live_server.url, viewport=MOBILE, locale="it-IT", is_mobile=True, has_touch=True
    )
    yield context
    context.close()


class ConsoleLog:
    """Errors the page reported (CSP violations, failed scripts, missing assets)."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and response.request.resource_type != "document"
                and self.errors.append(f"{response.status} {response.url}")
            ),
        )

    def _on_console(self, message):
        if message.type == "error":
            self.errors.append(message.text)


@pytest.fixture
def page(context):
    page = context.new_page()
    page.console_log = ConsoleLog(page)
    return page


@pytest.fixture
def mobile_page(mobile_context):
    page = mobile_context.new_page()
    page.console_log = ConsoleLog(page)
    return page


@pytest.fixture
def log_in(live_server):
    """Shortcut for speed: a server-side session for ``user`` whose cookie is handed to the browser."""

    def log_in(context, user) -> None:
        client = Client()
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )

    return log_in


@pytest.fixture
def open_as(browser, live_server, site_identity, log_in):
    """A page in a browser context of its own, logged in as ``user`` (anonymous with None): one person each."""
    contexts = []

    def open_as(user=None):
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="it-IT")
        contexts.append(context)
        if user is not None:
            log_in(context, user)
        page = context.new_page()
        page.console_log = ConsoleLog(page)
        return page

    yield open_as
    for context in contexts:
        context.close()


def submit(page, form) -> None:
    """Click the submit button of ``form`` (a locator) and wait for the page that answers."""
    with page.expect_navigation():
        form.locator("button[type=submit]").last.click()
