import pytest
from django.urls import reverse

from cittasmart.accounts.models import User
from cittasmart.core.models import AuditEntry
from cittasmart.core.roles import Role, has_role, is_moderator
from tests.factories import UserFactory


def fresh(user):
    """Roles are cached on a user instance for the length of a request: read them from a new one."""
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_administrator_grants_and_revokes_a_role(client, administrator):
    person = UserFactory(email="maria@example.org")
    client.force_login(administrator)
    response = client.post(reverse("accounts:roles"), {"email": "MARIA@example.org", "role": "moderator"})
    assert response.status_code == 302
    assert is_moderator(fresh(person))
    page = client.get(reverse("accounts:roles"))
    assert "maria@example.org" in page.text
    assert AuditEntry.objects.filter(code="accounts.role.granted", actor=administrator).count() == 1

    response = client.post(reverse("accounts:role_revoke", args=[person.pk, "moderator"]))
    assert response.status_code == 302
    assert not is_moderator(fresh(person))
    assert AuditEntry.objects.filter(code="accounts.role.revoked").count() == 1


@pytest.mark.django_db
def test_granting_administrator_opens_the_admin_site(administrator):
    from cittasmart.accounts.services import user_role_set

    person = UserFactory()
    assert not person.is_staff
    user_role_set(actor=administrator, user=person, role=Role.ADMINISTRATOR, granted=True)
    person = fresh(person)
    assert person.is_staff and has_role(person, Role.ADMINISTRATOR)
    user_role_set(actor=administrator, user=person, role=Role.ADMINISTRATOR, granted=False)
    assert not fresh(person).is_staff


@pytest.mark.django_db
def test_granting_twice_writes_one_audit_entry(administrator):
    from cittasmart.accounts.services import user_role_set

    person = UserFactory()
    for _ in range(2):
        user_role_set(actor=administrator, user=person, role=Role.FACILITATOR, granted=True)
    assert person.groups.filter(name="facilitator").count() == 1
    assert AuditEntry.objects.filter(code="accounts.role.granted").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"email": "nobody@example.org", "role": "moderator"},
            "No active account has this e-mail address. Ask the person to sign up first.",
        ),
        ({"email": "not an email", "role": "moderator"}, "Enter a valid email address."),
    ],
)
def test_bad_role_requests_are_explained(client, administrator, data, message):
    from django.utils import translation

    client.force_login(administrator)
    response = client.post(reverse("accounts:roles"), data)
    assert response.status_code == 400
    with translation.override("it"):
        expected = translation.gettext(message)
    assert expected in response.text


@pytest.mark.django_db
def test_unknown_role_is_404_and_changes_nothing(client, administrator):
    person = UserFactory()
    client.force_login(administrator)
    assert client.post(reverse("accounts:role_revoke", args=[person.pk, "emperor"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["user", "plan_office", "moderator"])
def test_only_administrators_manage_roles(client, request, who):
    person = UserFactory()
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("accounts:roles")).status_code == 403
    assert (
        client.post(reverse("accounts:roles"), {"email": person.email, "role": "administrator"}).status_code
        == 403
    )
    assert not person.groups.exists()


@pytest.mark.django_db
def test_roles_page_query_count_does_not_grow(client, administrator, django_assert_max_num_queries):
    client.force_login(administrator)
    for _ in range(25):
        UserFactory(roles=[Role.MODERATOR])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:roles")).status_code == 200
