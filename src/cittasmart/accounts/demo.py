"""Demo accounts, one for each role, marked "(demo)" and on a reserved domain."""

from allauth.account.models import EmailAddress
from django.conf import settings

from cittasmart.accounts.models import User
from cittasmart.accounts.services import user_privacy_accept, user_profile_update, user_role_set
from cittasmart.core.demo import prato
from cittasmart.core.roles import Role


def demo_email(local: str) -> str:
    return f"{local}@{prato.DEMO_DOMAIN}"


def load() -> int:
    changes = 0
    for local, display_name, role, _membership, _shows in prato.ACCOUNTS:
        email = demo_email(local)
        if User.objects.filter(email=email).exists():
            continue
        user = User.objects.create_user(email, settings.DEMO_PASSWORD)
        user_profile_update(user=user, display_name=display_name)
        user_privacy_accept(user=user)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        if role is not None:
            user_role_set(actor=None, user=user, role=role, granted=True)
        if role == Role.ADMINISTRATOR:
            User.objects.filter(pk=user.pk).update(is_superuser=True)
        changes += 1
    return changes
