"""Abuse: a login storm from one address is locked out, other addresses still log in, and every limit
answers 429 with a translated page."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from tests.factories import UserFactory
from tests.helpers import english, is_logged_in, italian, reverse_en

pytestmark = pytest.mark.django_db

ADDRESS_LOCKED = (
    "Too many failed login attempts from your network address. For your security, logging in from this address "
    "is blocked for %(minutes)s minute."
)
ADDRESS_LOCKED_PLURAL = (
    "Too many failed login attempts from your network address. For your security, logging in from this address "
    "is blocked for %(minutes)s minutes."
)

STORM = "203.0.113.7"
NEIGHBOUR = "198.51.100.20"


def log_in(client, email, password, address, path=None):
    return client.post(
        path or reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def storm(client, attempts: int):
    """Wrong passwords for ever new e-mail addresses: the per-account lock never trips."""
    return [log_in(client, f"victim{n}@example.org", "guess-123", STORM) for n in range(attempts)]


def test_a_storm_on_many_accounts_locks_out_the_address(client, password):
    target = UserFactory()
    below = storm(client, settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1)
    assert {r.status_code for r in below} == {200}  # the form again, with its error

    storm(client, 1)
    locked = log_in(client, target.email, password, STORM)

    assert locked.status_code == 429
    assert 'id="lockout-message"' in locked.text
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    with translation.override("it"):
        expected = ngettext(ADDRESS_LOCKED, ADDRESS_LOCKED_PLURAL, minutes) % {"minutes": minutes}
    assert expected != ADDRESS_LOCKED_PLURAL % {"minutes": minutes}  # translated
    assert expected in locked.text
    assert not is_logged_in(client)


def test_a_locked_address_does_not_lock_out_a_normal_login_from_elsewhere(client, password):
    storm(client, settings.LOGIN_ADDRESS_FAILURE_LIMIT)
    citizen = UserFactory()

    response = log_in(client, citizen.email, password, NEIGHBOUR)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_lock_on_an_address_is_not_lifted_by_one_right_password(client, password):
    """An attacker who owns one account cannot use it to reset the count."""
    own = UserFactory()
    storm(client, settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1)
    assert log_in(client, own.email, password, STORM).status_code == 302
    client.logout()

    storm(client, 1)

    assert log_in(client, own.email, password, STORM).status_code == 429


def test_the_address_lockout_page_is_translated(client, password):
    storm(client, settings.LOGIN_ADDRESS_FAILURE_LIMIT)

    page = log_in(client, "anyone@example.org", password, STORM, path=reverse_en("account_login"))

    assert page.status_code == 429
    assert english("Access temporarily blocked") in page.text
    assert "from your network address" in page.text


def test_below_the_limit_people_behind_one_address_still_log_in(client, password):
    """An office shares one address: a few mistakes there lock nobody else out."""
    storm(client, settings.AXES_FAILURE_LIMIT * 2)
    colleague = UserFactory()

    assert log_in(client, colleague.email, password, STORM).status_code == 302


def test_allauths_own_login_limit_answers_with_the_translated_429_page(client, settings, password):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": False, "login": "2/m/ip"}
    citizen = UserFactory()
    for _ in range(2):
        log_in(client, citizen.email, "wrong-password-1", NEIGHBOUR)

    limited = log_in(client, citizen.email, password, NEIGHBOUR)

    assert limited.status_code == 429
    assert "core/too_many_requests.html" in [t.name for t in limited.templates]
    assert italian("Too many requests in a short time. Please wait a minute and try again.") in limited.text
