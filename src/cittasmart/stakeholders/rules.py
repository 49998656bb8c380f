import rules

from cittasmart.core.roles import is_staff_member


@rules.predicate
def is_member_of(user, organisation) -> bool:
    if organisation is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False  # a deactivated account keeps its memberships on record, not their rights
    return organisation.memberships.filter(user=user).exists()


rules.add_perm("stakeholders.view_organisation", rules.always_allow)
rules.add_perm("stakeholders.add_organisation", is_staff_member)
rules.add_perm("stakeholders.change_organisation", is_staff_member)
rules.add_perm("stakeholders.delete_organisation", is_staff_member)
rules.add_perm("stakeholders.view_membership", is_staff_member | is_member_of)
rules.add_perm("stakeholders.change_membership", is_staff_member)
