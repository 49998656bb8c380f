"""Who may do what with organisations and memberships: every role × every permission, on the person's own
organisation, on another organisation and without an object."""

import pytest
import rules

from tests.factories import OrganisationFactory
from tests.helpers import ROLES, make_actor

EVERYONE = set(ROLES)
STAFF = {"plan_office", "administrator", "superuser"}
MEMBERS = {"member", "representative"}

# permission -> (allowed on their own organisation, on another organisation, without an object)
EXPECTED = {
    "stakeholders.view_organisation": (EVERYONE, EVERYONE, EVERYONE),
    "stakeholders.add_organisation": (STAFF, STAFF, STAFF),
    "stakeholders.change_organisation": (STAFF, STAFF, STAFF),
    "stakeholders.delete_organisation": (STAFF, STAFF, STAFF),
    "stakeholders.view_membership": (STAFF | MEMBERS, STAFF, STAFF),
    "stakeholders.change_membership": (STAFF, STAFF, STAFF),
}
TARGETS = ["own", "other", "none"]


def test_every_stakeholders_permission_is_in_the_table():
    registered = {name for name in rules.permissions.permissions if name.startswith("stakeholders.")}

    assert registered == set(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("perm", sorted(EXPECTED))
def test_stakeholders_permissions(perm, role, target):
    own = OrganisationFactory()
    other = OrganisationFactory()
    actor = make_actor(role, own)
    obj = {"own": own, "other": other, "none": None}[target]

    expected = role in EXPECTED[perm][TARGETS.index(target)]
    assert actor.has_perm(perm, obj) is expected  # through Django's backends, as views ask
    assert rules.has_perm(perm, actor, obj) is expected  # the predicates alone (no superuser shortcut)
