"""Panels meetings adds to other apps' pages (``core.registry.register_panel``)."""

from django.template.loader import render_to_string
from django.utils import timezone

from cittasmart.meetings.models import ACTIVE_STATUSES
from cittasmart.meetings.selectors import registrations_of


def profile_registrations(request, **context) -> str:
    """The "Meetings" card of the profile: how many upcoming meetings the person is registered to (one query)."""
    user = request.user
    if not user.is_authenticated:
        return ""
    upcoming = (
        registrations_of(user=user)
        .filter(status__in=ACTIVE_STATUSES, meeting__ends_at__gte=timezone.now())
        .count()
    )
    return render_to_string("meetings/_profile_panel.html", {"upcoming": upcoming})
