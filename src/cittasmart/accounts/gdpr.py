"""GDPR: what each app stores about a person, to export it ("download my data") and to erase it.

Every app that stores personal data registers a ``Contributor`` in its ``AppConfig.ready()``; the export and
the erasure services walk the registry, so a new app cannot be forgotten by either.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Contributor:
    name: str
    export: Callable[[Any], Any]
    erase: Callable[[Any], None]


_contributors: dict[str, Contributor] = {}


def register(contributor: Contributor) -> None:
    _contributors[contributor.name] = contributor


def contributors() -> list[Contributor]:
    return list(_contributors.values())


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _export_account(user) -> dict[str, Any]:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "privacy_accepted_at": _iso(user.privacy_accepted_at),
        "is_active": user.is_active,
        "roles": sorted(user.groups.values_list("name", flat=True)),
    }


def _erase_account(user) -> None:
    """The person's own row stays, so that what they did keeps counting; what identifies them goes."""
    user.email = f"erased-{user.pk}@erased.invalid"
    user.display_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.privacy_accepted_at = None
    user.erased_at = timezone.now()
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def _export_email_addresses(user) -> list[dict[str, Any]]:
    from allauth.account.models import EmailAddress

    return [
        {"email": a.email, "verified": a.verified, "primary": a.primary}
        for a in EmailAddress.objects.filter(user=user).order_by("email")
    ]


def _erase_email_addresses(user) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).delete()


def _export_two_factor(user) -> list[dict[str, Any]]:
    from allauth.mfa.models import Authenticator

    return [
        {"type": a.type, "created_at": _iso(a.created_at), "last_used_at": _iso(a.last_used_at)}
        for a in Authenticator.objects.filter(user=user).order_by("created_at")
    ]


def _erase_two_factor(user) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=user).delete()


def _export_login_attempts(user) -> list[dict[str, Any]]:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    failures = AccessFailureLog.objects.filter(username=user.email).order_by("attempt_time")
    attempts = AccessAttempt.objects.filter(username=user.email).order_by("attempt_time")
    logins = AccessLog.objects.filter(username=user.email).order_by("attempt_time")
    return (
        [{"kind": "failed_login", "at": _iso(f.attempt_time), "ip_address": f.ip_address} for f in failures]
        + [
            {"kind": "lockout_counter", "at": _iso(a.attempt_time), "failures": a.failures_since_start}
            for a in attempts
        ]
        + [
            {
                "kind": "login",
                "at": _iso(entry.attempt_time),
                "logout_at": _iso(entry.logout_time),
                "ip_address": entry.ip_address,
                "user_agent": entry.user_agent,
            }
            for entry in logins
        ]
    )


def _erase_login_attempts(user) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=user.email).delete()


def _export_accessibility_feedback(user) -> list[dict[str, Any]]:
    from cittasmart.core.models import AccessibilityFeedback

    return [
        {
            "created_at": _iso(f.created_at),
            "name": f.name,
            "email": f.email,
            "page": f.page_url,
            "message": f.message,
        }
        for f in AccessibilityFeedback.objects.filter(author=user).order_by("created_at")
    ]


def _erase_accessibility_feedback(user) -> None:
    from cittasmart.core.models import AccessibilityFeedback

    AccessibilityFeedback.objects.filter(author=user).update(name="", email="")


def _export_audit_entries(user) -> list[dict[str, Any]]:
    from cittasmart.core.models import AuditEntry

    return [
        {"at": _iso(e.created_at), "action": e.code, "object": e.object_repr}
        for e in AuditEntry.objects.filter(actor=user).order_by("created_at")
    ]


def _anonymise_audit_entries(user) -> None:
    """Audit entries stay: they record what a staff member did, and point to the anonymised row.

    Entries about the person describe them by name (``object_repr``); that description is replaced.
    """
    from django.contrib.contenttypes.models import ContentType

    from cittasmart.core.models import AuditEntry

    AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk)
    ).update(object_repr=str(_("Former participant")))


def register_core_contributors() -> None:
    # The account itself is erased last (its e-mail is the key of the login attempts).
    register(Contributor("email_addresses", _export_email_addresses, _erase_email_addresses))
    register(Contributor("two_factor", _export_two_factor, _erase_two_factor))
    register(Contributor("login_attempts", _export_login_attempts, _erase_login_attempts))
    register(
        Contributor("accessibility_feedback", _export_accessibility_feedback, _erase_accessibility_feedback)
    )
    register(Contributor("audit_entries", _export_audit_entries, _anonymise_audit_entries))


ACCOUNT = Contributor("account", _export_account, _erase_account)
