"""The Prato demo: ``load_demo`` is idempotent, has the public facts and one marked account per role."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from cittasmart.accounts.models import User
from cittasmart.core.models import AuditEntry, SiteSettings
from cittasmart.core.roles import Role, has_role
from cittasmart.stakeholders.models import Membership, Organisation, OrganisationCategory

pytestmark = pytest.mark.django_db

# The organisations named in DOMAIN.md, "Public facts for the Prato demo instance".
DOMAIN_ORGANISATIONS = [
    "Comune di Prato",
    "PIN s.c.r.l. – Polo Universitario Città di Prato",
    "Confservizi CISPEL Toscana",
    "ASM Servizi srl",
    "ASM Ambiente Servizi Mobilità S.p.A.",
    "Alia S.p.A.",
    "CAP Società Cooperativa",
    "Consiag Servizi Comuni S.r.l.",
    "Edilizia Pubblica Pratese S.p.A.",
    "Estra S.p.A.",
    "Estracom S.p.A.",
    "Estraclima S.r.l.",
    "Publiacqua S.p.A.",
    "Publies Energia Sicura S.r.l.",
    "G.I.D.A. S.p.A.",
    "Interporto della Toscana Centrale S.p.A.",
    "Toscana Energia S.p.A.",
    "Citelum Italia S.p.A.",
    "Regione Toscana",
    "ANCI Toscana",
    "Fondazione Sistema Toscana",
]


def load(**options):
    call_command("load_demo", quiet_accounts=True, **options)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module from an empty database, and rolled back after it."""
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast_hashing:
        assert not Organisation.objects.exists()
        load()
        yield
        transaction.set_rollback(True)


def snapshot():
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "audit": AuditEntry.objects.count(),
        "group_memberships": User.groups.through.objects.count(),
        "groups": Group.objects.count(),
        "email_addresses": EmailAddress.objects.count(),
        "site": list(SiteSettings.objects.values()),
        "membership_roles": sorted(
            Membership.objects.values_list("user__email", "organisation__name", "role")
        ),
    }


def demo_users():
    return User.objects.filter(email__endswith="@demo.cittasmart.invalid")


# This test runs before any test that uses the module's ``demo`` fixture: the database is empty.


def test_the_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        load()

    assert not Organisation.objects.exists()
    assert not demo_users().exists()
    assert not AuditEntry.objects.exists()


def test_running_the_demo_again_changes_nothing(demo, capsys):
    first = snapshot()
    capsys.readouterr()

    load()

    assert snapshot() == first
    assert "(0 change(s))" in capsys.readouterr().out
    assert first["organisations"] >= len(DOMAIN_ORGANISATIONS)
    assert first["users"] >= 7


def test_the_organisations_of_the_domain_exist_with_categories(demo):
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=DOMAIN_ORGANISATIONS)}
    assert sorted(organisations) == sorted(DOMAIN_ORGANISATIONS)
    for organisation in organisations.values():
        assert organisation.category in OrganisationCategory.values
        organisation.full_clean()
    assert organisations["Comune di Prato"].category == OrganisationCategory.PUBLIC_BODY
    assert organisations["Comune di Prato"].is_public_body
    assert organisations["PIN s.c.r.l. – Polo Universitario Città di Prato"].category == (
        OrganisationCategory.UNIVERSITY_RESEARCH
    )
    for company in ("Estra S.p.A.", "Publiacqua S.p.A.", "Alia S.p.A.", "Consiag Servizi Comuni S.r.l."):
        assert organisations[company].category == OrganisationCategory.PARTICIPATED_COMPANY


def test_the_demo_site_is_the_prato_instance(demo):
    site = SiteSettings.objects.get()
    assert site.entity_name == "Comune di Prato"
    assert "Prato" in site.instance_name


@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_a_demo_user(demo, role):
    holders = [user for user in demo_users() if user.groups.filter(name=role.value).exists()]
    assert holders
    assert all(has_role(user, role) for user in holders)
    if role != Role.ADMINISTRATOR:  # the account shows that role's own view, not an all-powerful one
        assert any(not user.is_superuser for user in holders)


def test_there_are_demo_citizens_members_and_representatives(demo):
    users = list(demo_users())
    citizens = [
        u for u in users if not u.groups.exists() and not u.memberships.exists() and not u.is_superuser
    ]
    assert citizens
    assert Membership.objects.filter(user__in=users, role="representative").exists()
    assert Membership.objects.filter(user__in=users, role="member").exists()


def test_demo_accounts_are_marked_and_log_in_with_the_demo_password(demo, client, settings):
    users = list(demo_users())
    assert len(users) >= 7
    for user in users:
        assert "(demo)" in user.display_name, user.email
        assert EmailAddress.objects.get(user=user).verified
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": settings.DEMO_PASSWORD}
        )
        assert response.status_code == 302, user.email
        assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
        assert int(client.session["_auth_user_id"]) == user.pk
        client.post(reverse("account_logout"))


def test_demo_accounts_do_not_log_in_with_another_password(demo, client):
    user = demo_users().first()

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "not-the-demo-password"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_demo_runs_in_production_only_when_asked_explicitly(demo, settings, capsys):
    settings.PRODUCTION = True
    before = snapshot()

    load(allow_production=True)  # no CommandError

    assert "Prato demo ready (0 change(s))" in capsys.readouterr().out
    assert snapshot() == before
