"""GDPR: "download my data" (art. 15 and 20) and "delete my account" (art. 17)."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse
from django.utils import translation

from cittasmart.accounts import services
from cittasmart.accounts.models import User
from cittasmart.core.audit import log_action
from cittasmart.core.models import AccessibilityFeedback, AuditEntry
from cittasmart.core.roles import Role
from cittasmart.core.services import accessibility_feedback_create
from cittasmart.stakeholders.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.helpers import is_logged_in, italian

pytestmark = pytest.mark.django_db

SECTIONS = {
    "account",
    "email_addresses",
    "memberships",
    "accessibility_feedback",
    "audit_entries",
    "login_attempts",
    "two_factor",
}


@pytest.fixture
def person(client, password, settings):
    """A person who has used every part of the platform that stores personal data."""
    settings.AXES_FAILURE_LIMIT = 50  # the failed logins below must not lock the account
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True  # off by default; the export must cover it when on
    person = UserFactory(email="maria.rossi@example.org", display_name="Maria Rossi")
    organisation = OrganisationFactory(name="Estra S.p.A.")
    MembershipFactory(user=person, organisation=organisation, role="representative")
    accessibility_feedback_create(
        user=person,
        name="Maria R.",
        email="maria.private@example.org",
        page_url="/organisations/",
        message="The filter cannot be used with the keyboard.",
    )
    log_action(person, "stakeholders.organisation.updated", organisation, {"changed": {"name": "x"}})
    TOTP.activate(person, generate_totp_secret())
    for _ in range(2):
        client.post(reverse("account_login"), {"login": person.email, "password": "wrong-password-1"})
    return person


@pytest.fixture
def someone_else(password):
    other = UserFactory(email="luigi.bianchi@example.org", display_name="Luigi Bianchi")
    MembershipFactory(user=other, organisation=OrganisationFactory(name="Publiacqua S.p.A."))
    accessibility_feedback_create(
        user=other, name="Luigi", email="luigi@example.org", page_url="", message="Contrast too low here."
    )
    log_action(other, "core.sitesettings.changed", None, {})
    return other


# --- Export ---------------------------------------------------------------------------------------------


def test_export_holds_every_section_with_the_persons_values(person, someone_else):
    data = services.user_export_data(user=person)

    assert set(data) >= SECTIONS
    assert data["account"]["email"] == "maria.rossi@example.org"
    assert data["account"]["display_name"] == "Maria Rossi"
    assert data["account"]["is_active"] is True
    assert data["email_addresses"] == [
        {"email": "maria.rossi@example.org", "verified": True, "primary": True}
    ]
    assert [(m["organisation"], m["role"]) for m in data["memberships"]] == [
        ("Estra S.p.A.", "representative")
    ]
    [feedback] = data["accessibility_feedback"]
    assert feedback["name"] == "Maria R."
    assert feedback["email"] == "maria.private@example.org"
    assert feedback["page"] == "/organisations/"
    assert feedback["message"] == "The filter cannot be used with the keyboard."
    assert [(e["action"], e["object"]) for e in data["audit_entries"]] == [
        ("stakeholders.organisation.updated", "Estra S.p.A.")
    ]
    failed = [a for a in data["login_attempts"] if a["kind"] == "failed_login"]
    assert len(failed) == 2
    assert {a["ip_address"] for a in failed} == {"127.0.0.1"}
    [counter] = [a for a in data["login_attempts"] if a["kind"] == "lockout_counter"]
    assert counter["failures"] == 2
    assert [a["type"] for a in data["two_factor"]] == [Authenticator.Type.TOTP]


def test_export_is_json_serialisable_and_about_nobody_else(person, someone_else):
    text = json.dumps(services.user_export_data(user=person), default=str)

    for other_value in ("luigi", "Luigi", "Publiacqua", "Contrast too low", "core.sitesettings.changed"):
        assert other_value not in text


def test_download_view_returns_a_json_attachment_of_the_logged_in_person(client, person, someone_else):
    client.force_login(person)

    response = client.get(reverse("accounts:data_export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".json" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["account"]["email"] == person.email
    assert data["memberships"][0]["organisation"] == "Estra S.p.A."
    assert "luigi" not in response.content.decode().lower()
    assert "Publiacqua" not in response.content.decode()


def test_download_view_for_the_other_person_shows_only_their_data(client, person, someone_else):
    client.force_login(someone_else)

    data = client.get(reverse("accounts:data_export")).json()

    assert data["account"]["email"] == "luigi.bianchi@example.org"
    assert [m["organisation"] for m in data["memberships"]] == ["Publiacqua S.p.A."]
    assert "maria" not in json.dumps(data).lower()


def test_download_view_asks_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("accounts:data_export"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_download_view_accepts_only_get(client, user):
    client.force_login(user)

    assert client.post(reverse("accounts:data_export")).status_code == 405


# --- Erasure --------------------------------------------------------------------------------------------


def snapshot(user):
    user.refresh_from_db()
    return (
        user.email,
        user.display_name,
        user.is_active,
        user.password,
        user.erased_at,
        Membership.objects.filter(user=user).count(),
        EmailAddress.objects.filter(user=user).count(),
        Authenticator.objects.filter(user=user).count(),
        AuditEntry.objects.count(),
    )


def test_erase_with_a_wrong_password_changes_nothing(client, person):
    client.force_login(person)
    before = snapshot(person)

    response = client.post(reverse("accounts:erase"), {"password": "not-my-password", "confirm": "on"})

    assert response.status_code == 400
    assert italian("The password is not correct.") in response.text
    assert snapshot(person) == before
    assert is_logged_in(client)


def test_erase_without_the_confirmation_box_changes_nothing(client, person, password):
    client.force_login(person)
    before = snapshot(person)

    response = client.post(reverse("accounts:erase"), {"password": password})

    assert response.status_code == 400
    assert response.context["form"].errors["confirm"]
    assert snapshot(person) == before


def test_erase_page_needs_login(client):
    response = client.get(reverse("accounts:erase"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_erase_anonymises_the_person_and_keeps_the_public_record(client, person, someone_else, password):
    client.force_login(person)
    pk = person.pk
    feedback_pk = AccessibilityFeedback.objects.get(author=person).pk

    response = client.post(reverse("accounts:erase"), {"password": password, "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert not is_logged_in(client)

    erased = User.objects.get(pk=pk)  # the row is kept
    assert erased.email == f"erased-{pk}@erased.invalid"
    assert erased.display_name == ""
    assert erased.is_active is False
    assert not erased.has_usable_password()
    assert erased.erased_at is not None
    assert erased.privacy_accepted_at is None
    assert not erased.groups.exists()
    with translation.override("it"):
        assert str(erased) == translation.gettext("Former participant")
    with translation.override("en"):
        assert str(erased) == "Former participant"

    assert not Membership.objects.filter(user=erased).exists()
    assert not EmailAddress.objects.filter(user=erased).exists()
    assert not EmailAddress.objects.filter(email__iexact="maria.rossi@example.org").exists()
    assert not Authenticator.objects.filter(user=erased).exists()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert not model.objects.filter(username__iexact="maria.rossi@example.org").exists()

    feedback = AccessibilityFeedback.objects.get(pk=feedback_pk)
    assert feedback.message == "The filter cannot be used with the keyboard."
    assert feedback.name == ""
    assert feedback.email == ""
    assert feedback.author_id == pk

    entry = AuditEntry.objects.get(code="accounts.user.erased")
    assert entry.object_id == str(pk)
    assert entry.data == {"user_id": pk}

    # The other person is untouched.
    someone_else.refresh_from_db()
    assert someone_else.email == "luigi.bianchi@example.org"
    assert Membership.objects.filter(user=someone_else).count() == 1
    assert AccessibilityFeedback.objects.get(author=someone_else).email == "luigi@example.org"


def test_after_erasure_no_audit_entry_names_the_person(client, person, password, administrator):
    """Audit entries stay, but their description of the person must not keep the erased name."""
    services.user_role_set(actor=administrator, user=person, role=Role.MODERATOR, granted=True)
    client.force_login(person)

    client.post(reverse("accounts:erase"), {"password": password, "confirm": "on"})

    entries = AuditEntry.objects.all()
    assert entries.filter(code="accounts.user.erased").exists()
    for entry in entries:
        text = f"{entry.object_repr} {json.dumps(entry.data)}"
        assert "Maria" not in text
        assert "maria.rossi" not in text


def test_the_erased_person_cannot_log_in_again(client, person, password):
    services.user_erase(user=person)

    response = client.post(
        reverse("account_login"), {"login": "maria.rossi@example.org", "password": password}
    )

    assert not is_logged_in(client)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_a_new_person_can_sign_up_with_the_freed_email(client, person, mailoutbox):
    old_pk = person.pk
    services.user_erase(user=person)

    response = client.post(
        reverse("account_signup"),
        {
            "email": "maria.rossi@example.org",
            "password1": "Another-long-password-9",
            "password2": "Another-long-password-9",
            "privacy_accepted": "on",
        },
    )

    assert response.status_code == 302
    new = User.objects.get(email="maria.rossi@example.org")
    assert new.pk != old_pk
    assert new.display_name == ""
    assert not Membership.objects.filter(user=new).exists()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["maria.rossi@example.org"]


def test_erase_runs_in_one_transaction(person, monkeypatch):
    """If a part of the erasure fails, nothing is erased (no half-erased person)."""
    from cittasmart.accounts import gdpr

    def broken(user):
        raise RuntimeError("disk full")

    monkeypatch.setitem(
        gdpr._contributors, "zz_broken", gdpr.Contributor("zz_broken", lambda user: None, broken)
    )
    before = snapshot(person)

    with pytest.raises(RuntimeError):
        services.user_erase(user=person)

    assert snapshot(person) == before
    assert not AuditEntry.objects.filter(code="accounts.user.erased").exists()


@pytest.mark.django_db
def test_export_lists_successful_logins(client, user, password):
    from cittasmart.accounts.services import user_export_data

    assert (
        client.post(reverse("account_login"), {"login": user.email, "password": password}).status_code == 302
    )
    logins = [entry for entry in user_export_data(user=user)["login_attempts"] if entry["kind"] == "login"]
    assert len(logins) == 1 and logins[0]["ip_address"] == "127.0.0.1"
