"""Who may do what with accounts and roles: every role × every permission."""

import pytest
import rules

from tests.factories import OrganisationFactory
from tests.helpers import ROLES, make_actor

ADMINISTRATORS = {"administrator", "superuser"}

EXPECTED = {
    "accounts.view_user": ADMINISTRATORS,
    "accounts.change_user": ADMINISTRATORS,
    "accounts.manage_roles": ADMINISTRATORS,
    "auth.view_group": ADMINISTRATORS,
    "auth.change_group": ADMINISTRATORS,
}


def test_every_accounts_permission_is_in_the_table():
    registered = {
        name for name in rules.permissions.permissions if name.split(".")[0] in {"accounts", "auth"}
    }

    assert registered == set(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("perm", sorted(EXPECTED))
def test_accounts_permissions(perm, role):
    actor = make_actor(role, OrganisationFactory())

    expected = role in EXPECTED[perm]
    assert actor.has_perm(perm) is expected  # through Django's backends, as views ask
    assert rules.has_perm(perm, actor) is expected  # the predicates alone (no superuser shortcut)
