from django.core.cache import cache
from django.core.mail import mail_admins, send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from cittasmart.core.audit import log_action
from cittasmart.core.models import AccessibilityFeedback, SiteSettings

SITE_SETTINGS_CACHE_KEY = "core:site-settings"


def site_settings_get() -> SiteSettings:
    """The instance's settings, cached; the row is created with defaults the first time."""
    site = cache.get(SITE_SETTINGS_CACHE_KEY)
    if site is None:
        site, _created = SiteSettings.objects.get_or_create(pk=1)
        cache.set(SITE_SETTINGS_CACHE_KEY, site, timeout=3600)
    return site


def site_settings_invalidate() -> None:
    cache.delete(SITE_SETTINGS_CACHE_KEY)


@transaction.atomic
def site_settings_update(*, actor, **fields) -> SiteSettings:
    site, _created = SiteSettings.objects.select_for_update().get_or_create(pk=1)
    changed = {}
    for name, value in fields.items():
        if name == "logo" and value is False:  # the form's "clear" checkbox
            value = ""
        if getattr(site, name) != value:
            changed[name] = "changed" if name == "logo" else str(value)
        setattr(site, name, value)
    if changed:
        site.full_clean()
        site.save()
        log_action(actor, "core.site_settings.updated", site, {"changed": changed})
    transaction.on_commit(site_settings_invalidate)
    return site


@transaction.atomic
def accessibility_feedback_mark_handled(*, actor, feedback: AccessibilityFeedback, handled: bool) -> None:
    feedback = AccessibilityFeedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.handled != handled:
        feedback.handled = handled
        feedback.save(update_fields=["handled", "updated_at"])
        log_action(
            actor,
            "core.accessibility_feedback.handled" if handled else "core.accessibility_feedback.reopened",
            feedback,
        )


@transaction.atomic
def accessibility_feedback_create(
    *, user, name: str, email: str, page_url: str, message: str
) -> AccessibilityFeedback:
    feedback = AccessibilityFeedback(
        author=user if user.is_authenticated else None,
        name=name,
        email=email,
        page_url=page_url,
        message=message,
    )
    feedback.full_clean()
    feedback.save()
    transaction.on_commit(lambda: _notify_accessibility_feedback(feedback))
    return feedback


def _notify_accessibility_feedback(feedback: AccessibilityFeedback) -> None:
    site = site_settings_get()
    recipient = site.accessibility_email or site.email
    subject = _("Accessibility feedback")
    body = f"{feedback.page_url}\n\n{feedback.message}\n\n{feedback.name} <{feedback.email}>"
    if recipient:
        send_mail(subject, body, None, [recipient], fail_silently=True)
    else:
        mail_admins(subject, body, fail_silently=True)
