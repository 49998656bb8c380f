"""API tokens: issued, authenticated and revoked by the services, and the plan office's pages for them."""

import datetime
import hashlib

import pytest
from django.contrib.admin.sites import site as admin_site
from django.urls import reverse
from django.utils import timezone

from cittasmart.core.models import AuditEntry
from cittasmart.opendata import tokens
from cittasmart.opendata.models import ApiToken
from tests.factories import OrganisationFactory, UserFactory
from tests.helpers import italian

pytestmark = pytest.mark.django_db

LIST = "/opendata/tokens/"
ISSUE = "/opendata/tokens/new/"


def stored_values(token: ApiToken) -> list[str]:
    return [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]


# --- Services -------------------------------------------------------------------------------------------------


def test_issue_keeps_only_a_hash(plan_office, organisation):
    token, secret = tokens.token_issue(actor=plan_office, organisation=organisation, name="Centraline")

    assert secret.startswith("cs_") and len(secret) > 40
    assert (
        token.prefix == secret[:8] and token.organisation == organisation and token.created_by == plan_office
    )
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in value for value in stored_values(token))
    entry = AuditEntry.objects.get(code="opendata.token.issued")
    assert entry.actor == plan_office and entry.object_id == str(token.pk)
    assert secret not in str(entry.data)
    # Each token is different.
    assert tokens.token_issue(actor=plan_office, organisation=organisation, name="Altro")[1] != secret


def test_authenticate(plan_office, organisation):
    token, secret = tokens.token_issue(actor=plan_office, organisation=organisation, name="Centraline")

    assert tokens.token_authenticate(secret) == token
    assert tokens.token_authenticate(secret + "x") is None
    assert tokens.token_authenticate(secret[:-1]) is None
    assert tokens.token_authenticate(token.token_hash) is None  # the hash is not a secret that works
    assert tokens.token_authenticate("") is None
    assert tokens.token_authenticate("cs_" + "a" * 5000) is None


def test_last_use_is_written_at_most_once_a_minute(plan_office, organisation, django_assert_num_queries):
    token, secret = tokens.token_issue(actor=plan_office, organisation=organisation, name="Centraline")
    assert token.last_used_at is None

    with django_assert_num_queries(2):  # read + write
        tokens.token_authenticate(secret)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # read only
        tokens.token_authenticate(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - datetime.timedelta(minutes=2))
    tokens.token_authenticate(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_revoke_is_immediate_audited_and_idempotent(plan_office, administrator, organisation):
    token, secret = tokens.token_issue(actor=plan_office, organisation=organisation, name="Centraline")

    revoked = tokens.token_revoke(actor=plan_office, token=token)
    assert revoked.revoked_at is not None and revoked.revoked_by == plan_office and not revoked.is_active
    assert tokens.token_authenticate(secret) is None

    again = tokens.token_revoke(actor=administrator, token=token)
    assert again.revoked_at == revoked.revoked_at and again.revoked_by == plan_office
    assert AuditEntry.objects.filter(code="opendata.token.revoked").count() == 1


def test_an_invalid_name_is_refused(plan_office, organisation):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        tokens.token_issue(actor=plan_office, organisation=organisation, name="x" * 101)
    assert not ApiToken.objects.exists()


# --- Staff pages ---------------------------------------------------------------------------------------------


def test_plan_office_issues_a_token_and_sees_the_secret_once(client, plan_office, organisation):
    client.force_login(plan_office)
    assert client.get(ISSUE).status_code == 200

    response = client.post(ISSUE, {"organisation": organisation.pk, "name": "Centraline aria"})

    assert response.status_code == 200
    token = ApiToken.objects.get()
    html = response.content.decode()
    secret_start = html.index('value="cs_') + len('value="')
    secret = html[secret_start : html.index('"', secret_start)]
    assert tokens.token_authenticate(secret) == token
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in value for value in stored_values(token))
    assert (
        italian(
            "Copy the secret now and give it to the organisation through a safe channel: it will not be "
            "shown again. If it is lost, revoke the token and issue a new one."
        )
        in html
    )
    assert "curl" in html and "/api/v1/indicators/" in html
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(code="opendata.token.issued", actor=plan_office).exists()

    # The list shows the token by its first characters, never the secret.
    listing = client.get(LIST).content.decode()
    assert token.prefix in listing and "Centraline aria" in listing and secret not in listing


def test_form_errors_are_400_with_a_message(client, plan_office):
    client.force_login(plan_office)
    response = client.post(ISSUE, {"organisation": "999999", "name": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert italian("Please correct the errors below.") in html
    assert italian("Choose an organisation from the list.") in html
    assert not ApiToken.objects.exists()


def test_plan_office_revokes_a_token(client, plan_office, organisation):
    token, secret = tokens.token_issue(actor=plan_office, organisation=organisation, name="Centraline")
    client.force_login(plan_office)
    url = reverse("opendata:token_revoke", kwargs={"pk": token.pk})

    confirm = client.get(url)
    assert confirm.status_code == 200 and '<form method="post">' in confirm.content.decode()
    assert ApiToken.objects.get(pk=token.pk).is_active  # looking is not revoking

    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not ApiToken.objects.get(pk=token.pk).is_active
    assert tokens.token_authenticate(secret) is None
    assert AuditEntry.objects.get(code="opendata.token.revoked").actor == plan_office
    # A second post changes nothing.
    assert client.post(url).status_code == 302
    assert AuditEntry.objects.filter(code="opendata.token.revoked").count() == 1
    assert client.post(reverse("opendata:token_revoke", kwargs={"pk": token.pk + 1000})).status_code == 404


@pytest.mark.parametrize("role", ["citizen", "member", "moderator", "facilitator"])
def test_others_are_refused(client, organisation, role):
    from tests.helpers import make_actor

    token, _secret = tokens.token_issue(actor=None, organisation=organisation, name="Centraline")
    client.force_login(make_actor(role, organisation))
    revoke = reverse("opendata:token_revoke", kwargs={"pk": token.pk})
    for response in (
        client.get(LIST),
        client.get(ISSUE),
        client.post(ISSUE, {"organisation": organisation.pk, "name": "Mio"}),
        client.get(revoke),
        client.post(revoke),
    ):
        assert response.status_code == 403
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().is_active


def test_anonymous_is_sent_to_log_in(client, organisation):
    token, _secret = tokens.token_issue(actor=None, organisation=organisation, name="Centraline")
    for response in (
        client.get(LIST),
        client.post(ISSUE, {"organisation": organisation.pk, "name": "Mio"}),
        client.post(reverse("opendata:token_revoke", kwargs={"pk": token.pk})),
    ):
        assert response.status_code == 302 and "login" in response["Location"]
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().is_active


def test_the_list_has_bounded_queries(client, plan_office, django_assert_max_num_queries):
    for n in range(12):
        token, _secret = tokens.token_issue(
            actor=plan_office, organisation=OrganisationFactory(), name=f"T{n}"
        )
        if n % 3 == 0:
            tokens.token_revoke(actor=plan_office, token=token)
    client.force_login(plan_office)
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('/revoke/"') == 8 and html.count(italian("Revoked")) == 4


def test_issue_posts_are_rate_limited(client, plan_office, organisation, settings):
    settings.RATE_LIMIT_WRITES_PER_MINUTE = 2
    client.force_login(plan_office)
    for n in range(2):
        assert client.post(ISSUE, {"organisation": organisation.pk, "name": f"T{n}"}).status_code == 200
    assert client.post(ISSUE, {"organisation": organisation.pk, "name": "T3"}).status_code == 429
    assert ApiToken.objects.count() == 2


def test_the_management_page_has_a_card(client, plan_office, user):
    client.force_login(plan_office)
    html = client.get(reverse("core:manage")).content.decode()
    assert LIST in html and italian("API tokens") in html
    client.force_login(user)
    assert client.get(reverse("core:manage")).status_code == 403


# --- Django admin ---------------------------------------------------------------------------------------------


def test_admin_is_read_only_and_revokes_through_the_service(client, organisation):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    token, secret = tokens.token_issue(actor=None, organisation=organisation, name="Centraline")
    client.force_login(superuser)

    change = client.get(reverse("admin:opendata_apitoken_change", args=[token.pk]))
    assert change.status_code == 200
    assert token.token_hash not in change.content.decode()
    assert client.get(reverse("admin:opendata_apitoken_add")).status_code == 403
    model_admin = admin_site._registry[ApiToken]
    assert not model_admin.has_change_permission(None) and not model_admin.has_delete_permission(None)

    response = client.post(
        reverse("admin:opendata_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert tokens.token_authenticate(secret) is None
    assert AuditEntry.objects.get(code="opendata.token.revoked").actor == superuser
