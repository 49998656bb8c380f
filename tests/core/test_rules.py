"""Who may do what in the core app: every role × every permission."""

import pytest
import rules

from tests.factories import OrganisationFactory
from tests.helpers import ROLES, make_actor

ADMINISTRATORS = {"administrator", "superuser"}
STAFF = {"plan_office", "administrator", "superuser"}

EXPECTED = {
    "core.view_auditentry": ADMINISTRATORS,
    "core.change_sitesettings": ADMINISTRATORS,
    "core.view_sitesettings": ADMINISTRATORS,
    "core.view_accessibilityfeedback": STAFF,
    "core.change_accessibilityfeedback": STAFF,
    "core.view_management": STAFF,
}


def test_every_core_permission_is_in_the_table():
    registered = {name for name in rules.permissions.permissions if name.startswith("core.")}

    assert registered == set(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("perm", sorted(EXPECTED))
def test_core_permissions(perm, role):
    actor = make_actor(role, OrganisationFactory())

    expected = role in EXPECTED[perm]
    assert actor.has_perm(perm) is expected  # through Django's backends, as views ask
    assert rules.has_perm(perm, actor) is expected  # the predicates alone (no superuser shortcut)
