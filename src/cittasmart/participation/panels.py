"""Panels participation adds to other apps' pages (``core.registry.register_panel``)."""

from django.template.loader import render_to_string

from cittasmart.participation.context_processors import notifications as unread_context
from cittasmart.participation.models import EmailFrequency, NotificationSettings


def profile_notifications(request, **context) -> str:
    """The "Notifications" card of the profile: unread count, e-mail frequency, links to the list and settings.

    The unread count is the page's lazy one (shared with the header badge): one query for both."""
    user = request.user
    if not user.is_authenticated:
        return ""
    settings_row = NotificationSettings.objects.filter(user=user).first()
    frequency = (
        settings_row.email_frequency
        if settings_row
        else NotificationSettings._meta.get_field("email_frequency").default
    )
    return render_to_string(
        "participation/_notifications_panel.html",
        {
            "unread": unread_context(request).get("unread_notifications", 0),
            "frequency": EmailFrequency(frequency).label,
        },
    )
