from django.contrib.auth.models import Group

from cittasmart.accounts import registry
from cittasmart.accounts.models import User
from cittasmart.core.roles import Role


def user_memberships(*, user) -> list:
    """The organisations ``user`` belongs to, as provided by the stakeholders app."""
    return registry.memberships_for(user)


def role_holders() -> list[tuple[Role, list[User]]]:
    """Each role with the active people who hold it (two queries, whatever the number of people)."""
    groups = Group.objects.filter(name__in=Role.values).prefetch_related("user_set")
    holders = {
        group.name: sorted((u for u in group.user_set.all() if u.is_active), key=lambda u: u.email)
        for group in groups
    }
    return [(role, holders.get(role.value, [])) for role in Role]


def active_user_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip(), is_active=True).first()
