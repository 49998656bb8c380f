"""The platform roles held through groups, and the predicates every app's ``rules.py`` builds on.

Survey respondents and stakeholder members are not roles: they come from organisation memberships.
"""

import rules
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLAN_OFFICE = "plan_office", _("Plan office")
    MODERATOR = "moderator", _("Moderator")
    FACILITATOR = "facilitator", _("Facilitator")
    ADMINISTRATOR = "administrator", _("Administrator")


def _role_names(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_cittasmart_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._cittasmart_roles = cached
    return cached


def has_role(user, role: Role) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return role.value in _role_names(user)


@rules.predicate
def is_administrator(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


@rules.predicate
def is_plan_office(user) -> bool:
    return has_role(user, Role.PLAN_OFFICE)


@rules.predicate
def is_moderator(user) -> bool:
    return has_role(user, Role.MODERATOR)


@rules.predicate
def is_facilitator(user) -> bool:
    return has_role(user, Role.FACILITATOR)


is_staff_member = is_administrator | is_plan_office
