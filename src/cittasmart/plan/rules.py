import rules

from cittasmart.core.roles import is_staff_member


@rules.predicate
def version_is_published(user, version) -> bool:
    return version is not None and version.is_published


rules.add_perm("plan.view_version", is_staff_member | version_is_published)
rules.add_perm("plan.manage_plan", is_staff_member)
rules.add_perm("plan.manage_governance", is_staff_member)
