from django.core.cache import cache
from django.core.mail import mail_admins, send_mail
from django.db import transaction
from django.utils.translation import gettext as _

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
def site_settings_update(**fields) -> SiteSettings:
    site, _created = SiteSettings.objects.select_for_update().get_or_create(pk=1)
    for name, value in fields.items():
        setattr(site, name, value)
    site.full_clean()
    site.save()
    transaction.on_commit(site_settings_invalidate)
    return site


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
