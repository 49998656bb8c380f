from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from cittasmart.accounts import gdpr
from cittasmart.accounts.models import User
from cittasmart.core.audit import log_action
from cittasmart.core.roles import Role


@transaction.atomic
def user_profile_update(*, user: User, display_name: str) -> User:
    user.display_name = display_name.strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name"])
    return user


@transaction.atomic
def user_privacy_accept(*, user: User) -> User:
    user.privacy_accepted_at = timezone.now()
    user.save(update_fields=["privacy_accepted_at"])
    return user


def user_export_data(*, user: User) -> dict[str, Any]:
    """Everything the platform stores about ``user``, as JSON-ready data (GDPR art. 15 and 20)."""
    data: dict[str, Any] = {
        "format": "cittasmart-personal-data/1",
        "generated_at": timezone.now().isoformat(),
        gdpr.ACCOUNT.name: gdpr.ACCOUNT.export(user),
    }
    for contributor in gdpr.contributors():
        data[contributor.name] = contributor.export(user)
    return data


@transaction.atomic
def user_erase(*, user: User) -> User:
    """Erase a person (GDPR art. 17): authored content is anonymised, never removed, so the public record
    stays coherent; the account can no longer log in. All in one transaction: nothing is half-erased."""
    user = User.objects.select_for_update().get(pk=user.pk)
    log_action(user, "accounts.user.erased", user, {"user_id": user.pk})
    for contributor in gdpr.contributors():
        contributor.erase(user)
    gdpr.ACCOUNT.erase(user)
    return user


@transaction.atomic
def user_role_set(*, actor, user: User, role: Role, granted: bool) -> None:
    """Grant or revoke a role; doing it twice changes nothing. Administrators also get the Django admin."""
    group, _created = Group.objects.get_or_create(name=role.value)
    if granted == user.groups.filter(pk=group.pk).exists():
        return
    if granted:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    if role == Role.ADMINISTRATOR and not user.is_superuser:
        User.objects.filter(pk=user.pk).update(is_staff=granted)
        user.is_staff = granted
    user.__dict__.pop("_cittasmart_roles", None)
    log_action(
        actor, "accounts.role.granted" if granted else "accounts.role.revoked", user, {"role": role.value}
    )
