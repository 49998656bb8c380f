"""Sign-up, e-mail verification, login, logout, password reset, brute-force lockout and TOTP, through the
test client, as a person would go through them."""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from allauth.mfa.utils import decrypt
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from cittasmart.accounts.models import User
from tests.factories import UserFactory
from tests.helpers import is_logged_in, italian, links_in, template_names

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Correct-horse-battery-77"


def sign_up(client, email="new.person@example.org", **extra):
    data = {
        "email": email,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "display_name": "Nuova Persona",
        "privacy_accepted": "on",
    }
    data.update(extra)
    return client.post(reverse("account_signup"), {k: v for k, v in data.items() if v is not None})


def log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def confirmation_path(message) -> str:
    paths = [p for p in links_in(message.body) if "/confirm-email/" in p]
    assert len(paths) == 1, message.body
    return paths[0]


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now, computed with allauth's own helpers.

    Near the end of a window the test waits for the next one, so that the code is still valid when
    the server checks it.
    """
    period = mfa_settings.TOTP_PERIOD
    if time.time() % period > period - 2:
        time.sleep(period - time.time() % period + 0.05)
    counter = int(time.time()) // period
    return totp.format_hotp_value(totp.hotp_value(secret, counter))


# --- Sign-up and verification ---------------------------------------------------------------------------


def test_sign_up_sends_a_verification_email_and_stores_the_extra_fields(client, mailoutbox):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.org")
    assert user.display_name == "Nuova Persona"
    assert user.privacy_accepted_at is not None
    assert user.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert address.email == "new.person@example.org"
    assert not address.verified
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.person@example.org"]
    confirmation_path(mailoutbox[0])  # exactly one confirmation link
    assert not is_logged_in(client)


def test_sign_up_stores_the_email_in_lowercase(client, mailoutbox):
    sign_up(client, email="Mixed.Case@Example.ORG")

    assert User.objects.filter(email="mixed.case@example.org").exists()


def test_login_is_refused_until_the_email_is_verified_then_works(client, mailoutbox):
    sign_up(client)
    confirm = confirmation_path(mailoutbox[0])

    before = log_in(client, "new.person@example.org", NEW_PASSWORD)
    assert before.status_code == 302
    assert before["Location"] == reverse("account_email_verification_sent")
    assert not is_logged_in(client)

    # A GET only shows the confirmation page; the POST verifies.
    page = client.get(confirm)
    assert page.status_code == 200
    assert not EmailAddress.objects.get(email="new.person@example.org").verified
    confirmed = client.post(confirm)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email="new.person@example.org").verified
    assert not is_logged_in(client)  # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION is off

    after = log_in(client, "new.person@example.org", NEW_PASSWORD)
    assert after.status_code == 302
    assert after["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert is_logged_in(client)
    profile = client.get(reverse("accounts:profile"))
    assert profile.status_code == 200
    assert "new.person@example.org" in profile.text

    out = client.post(reverse("account_logout"))
    assert out.status_code == 302
    assert not is_logged_in(client)
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_a_wrong_confirmation_key_verifies_nothing(client, mailoutbox):
    sign_up(client)
    confirm = confirmation_path(mailoutbox[0])
    broken = confirm.rstrip("/")[:-3] + "xyz/"

    client.post(broken)

    assert not EmailAddress.objects.get(email="new.person@example.org").verified


def test_sign_up_without_accepting_the_privacy_notice_fails_with_the_translated_message(client, mailoutbox):
    response = sign_up(client, privacy_accepted=None)

    assert response.status_code == 200  # allauth shows the form again
    assert italian("You must read and accept the privacy notice to create an account.") in response.text
    assert response.context["form"].errors["privacy_accepted"]
    assert not User.objects.filter(email="new.person@example.org").exists()
    assert not EmailAddress.objects.exists()
    assert mailoutbox == []


def test_sign_up_with_a_taken_email_does_not_create_a_second_account(client, user, mailoutbox):
    sign_up(client, email=user.email.upper())

    assert User.objects.filter(email__iexact=user.email).count() == 1


def test_wrong_password_is_refused(client, user):
    response = log_in(client, user.email, "not-the-password-123")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not is_logged_in(client)


# --- Password reset -------------------------------------------------------------------------------------


def test_password_reset_sends_an_email_whose_link_sets_a_new_password(client, user, password, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": user.email})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    paths = [p for p in links_in(mailoutbox[0].body) if "/password/reset/key/" in p]
    assert len(paths) == 1

    form_page = client.get(paths[0], follow=True)
    assert form_page.status_code == 200
    set_password_path = form_page.redirect_chain[-1][0] if form_page.redirect_chain else paths[0]
    done = client.post(set_password_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(password)
    assert log_in(client, user.email, NEW_PASSWORD)["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_password_reset_for_an_unknown_address_does_not_reveal_it(client, user, mailoutbox):
    known = client.post(reverse("account_reset_password"), {"email": user.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # No reset link ever goes to an address without an account.
    for message in mailoutbox:
        if message.to == ["nobody@example.org"]:
            assert not [p for p in links_in(message.body) if "/password/reset/key/" in p]


# --- Brute-force lockout (django-axes) ------------------------------------------------------------------


def test_settings_of_the_lockout():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_USERNAME_FORM_FIELD == "email"
    assert settings.ACCOUNT_RATE_LIMITS == {"login_failed": False}


def test_four_wrong_passwords_do_not_lock_the_account(client, user, password):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, user.email, "wrong-password-123").status_code == 200

    response = log_in(client, user.email, password)

    assert response.status_code == 302
    assert is_logged_in(client)
    # A successful login resets the counter.
    assert not AccessAttempt.objects.filter(username=user.email, failures_since_start__gt=0).exists()


def test_five_wrong_passwords_lock_out_even_the_right_one(client, user, password):
    responses = [
        log_in(client, user.email, f"wrong-password-{n}") for n in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    locked = responses[-1]
    assert locked.status_code == 429
    assert "accounts/lockout.html" in template_names(locked)
    assert 'id="lockout-message"' in locked.text
    attempt = AccessAttempt.objects.get(username=user.email)
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    assert attempt.ip_address == "127.0.0.1"

    correct = log_in(client, user.email, password)
    assert correct.status_code == 429
    assert 'id="lockout-message"' in correct.text
    assert not is_logged_in(client)


def test_changing_the_case_of_the_email_does_not_get_round_the_lockout(client, user, password):
    variants = [
        user.email.upper(),
        user.email.title(),
        f" {user.email} ",
        user.email.capitalize(),
        user.email,
    ]
    for variant in variants:
        log_in(client, variant, "wrong-password-123")

    response = log_in(client, user.email.swapcase(), password)

    assert response.status_code == 429
    assert not is_logged_in(client)
    assert AccessAttempt.objects.get().failures_since_start >= settings.AXES_FAILURE_LIMIT


def test_a_lockout_is_for_one_account_only(client, user, password):
    other = UserFactory()
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, user.email, f"wrong-password-{n}")

    response = log_in(client, other.email, password)

    assert response.status_code == 302
    assert is_logged_in(client)


# --- Two-factor authentication (TOTP) -------------------------------------------------------------------


def test_totp_can_be_activated_and_is_then_asked_at_login(client, user, password):
    assert log_in(client, user.email, password).status_code == 302
    # Changing the security of the account asks for the password again.
    asked_again = client.get(reverse("mfa_activate_totp"))
    assert asked_again.status_code == 302
    assert asked_again["Location"].startswith(reverse("account_reauthenticate"))
    assert client.post(reverse("account_reauthenticate"), {"password": password}).status_code == 302

    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[totp.SECRET_SESSION_KEY]
    assert secret in page.text  # shown for people who cannot scan the QR code

    wrong_code = "000000" if totp_code(secret) != "000000" else "111111"
    wrong = client.post(reverse("mfa_activate_totp"), {"code": wrong_code})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=user).exists()

    activated = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert activated.status_code == 302
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert decrypt(authenticator.data["secret"]) == secret

    client.post(reverse("account_logout"))
    assert not is_logged_in(client)

    asked = log_in(client, user.email, password)
    assert asked.status_code == 302
    assert asked["Location"] == reverse("mfa_authenticate")
    assert not is_logged_in(client)  # the password alone is not enough any more

    refused = client.post(reverse("mfa_authenticate"), {"code": "12345"})
    assert refused.status_code == 200
    assert not is_logged_in(client)

    accepted = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert accepted.status_code == 302
    assert is_logged_in(client)
    assert int(client.session["_auth_user_id"]) == user.pk
