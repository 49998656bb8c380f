"""A lock on one network address that fails too many logins, whatever accounts it tries.

django-axes locks one account from one address after ``AXES_FAILURE_LIMIT`` failures. A storm that tries a
different e-mail address at every attempt never trips that lock, so failures are also counted per address
alone, with a higher limit (an office or a school shares one address), and beyond it every login from that
address gets the lockout page for the cool-off time. Logins from other addresses are not affected.
"""

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.urls import reverse

from cittasmart.core.ratelimit import client_ip, increment


def _cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def _failures_key(ip: str) -> str:
    return f"loginguard:failures:{ip}"


def _lock_key(ip: str) -> str:
    return f"loginguard:locked:{ip}"


def address_locked(request) -> bool:
    return bool(cache.get(_lock_key(client_ip(request))))


def record_failure(request) -> None:
    """Count one failed login from this address; lock the address when the count reaches the limit."""
    ip = client_ip(request)
    if increment(_failures_key(ip), timeout=_cooloff_seconds()) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        cache.set(_lock_key(ip), 1, timeout=_cooloff_seconds())


@receiver(user_login_failed, dispatch_uid="cittasmart.accounts.loginguard")
def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is not None:
        record_failure(request)


class LoginGuardMiddleware:
    """Answers a login from a locked address with the lockout page, before any password is checked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path == reverse("account_login") and address_locked(request):
            from cittasmart.accounts.views import lockout

            return lockout(request, by_address=True)
        return self.get_response(request)
