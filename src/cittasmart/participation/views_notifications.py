"""A person's notifications: the list, marking them read, the e-mail preferences (with the domains followed), the
one-click unsubscribe, and the button that follows the news of one domain."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cittasmart.core.ambiti import Ambito
from cittasmart.core.forms import add_service_errors
from cittasmart.core.pagination import paginate
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.core.redirects import back_to
from cittasmart.core.validators import parse_positive_int
from cittasmart.participation import selectors, services
from cittasmart.participation.forms_notifications import AmbitoFollowForm, NotificationSettingsForm
from cittasmart.participation.models import EmailFrequency
from cittasmart.participation.notification_texts import describe
from cittasmart.participation.views_ideas import participation_limit

PAGE_SIZE = 20


@require_GET
@login_required
def notification_list(request):
    """The person's notifications, newest first. Opening the list does not mark them read."""
    page = paginate(request, selectors.notifications_for(user=request.user), per_page=PAGE_SIZE)
    for notification in page:
        notification.message = describe(notification)
    return render(request, "participation/notifications.html", {"page": page, "querystring": ""})


def _page_number(value: str) -> int | None:
    number = parse_positive_int(value)
    return number if number and number < 1_000_000 else None


@require_POST
@login_required
@rate_limit_writes("participation.notifications_read")
def mark_read(request):
    """Mark one notification (``id``) or all of them as read, then go back to the list."""
    raw_id = request.POST.get("id", "").strip()
    notification_pk = parse_positive_int(raw_id)
    if raw_id and notification_pk is None:
        return HttpResponseBadRequest()
    ids = [notification_pk] if raw_id else None
    changed = services.notifications_mark_read(user=request.user, ids=ids)
    if ids is None and changed:
        messages.success(request, _("All your notifications are marked as read."))
    url = reverse("participation:notifications")
    page = _page_number(request.POST.get("page", ""))
    if page and page > 1:
        url = f"{url}?page={page}"
    return redirect(url)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("participation.notification_settings")
def preferences(request):
    """How often the person gets e-mails about their notifications, and the domains whose news they follow."""
    current = services.notification_settings_get(user=request.user)
    form = NotificationSettingsForm(
        request.POST or None,
        initial={
            "email_frequency": current.email_frequency,
            "ambiti": selectors.followed_ambiti(user=request.user),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_preferences_save(
                user=request.user,
                email_frequency=form.cleaned_data["email_frequency"],
                ambiti=form.cleaned_data["ambiti"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your e-mail preferences have been saved."))
            return redirect("participation:notification_settings")
    return render(
        request,
        "participation/notification_settings.html",
        {"form": form, "settings_row": current},
        status=400 if form.errors else 200,
    )


@csrf_exempt  # mail clients send the RFC 8058 one-click POST without a session: the token is the credential
@require_http_methods(["GET", "POST"])
@rate_limit_writes("participation.unsubscribe")
def unsubscribe(request, token: str):
    """The link of every notification e-mail. GET asks to confirm (mail scanners open links on their own; RFC 8058
    forbids unsubscribing on GET); POST — the button, or the mail client's one-click — turns e-mails off."""
    if request.method == "POST":
        settings_row = services.notification_unsubscribe(token=token)
    else:
        settings_row = selectors.notification_settings_by_token(token=token)
    if settings_row is None:
        return render(request, "participation/unsubscribe.html", {"unknown": True}, status=404)
    return render(
        request,
        "participation/unsubscribe.html",
        {
            "token": token,
            "emails_off": settings_row.email_frequency == EmailFrequency.NEVER,
        },
    )


@require_POST
@login_required
@rate_limit_writes("participation.follow", participation_limit("support"))
def ambito_follow(request):
    """Follow or stop following the news of a domain (the button of a list of news filtered by domain), then go
    back to the page the button was on."""
    form = AmbitoFollowForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Unknown domain."))
    ambito = form.cleaned_data["ambito"]
    back = back_to(request, form.cleaned_data["next"], reverse("participation:notification_settings"))
    try:
        now = services.ambito_follow_set(
            user=request.user, ambito=ambito, following=form.cleaned_data["following"]
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(back)
    names = {"ambito": Ambito(ambito).label}
    if now:
        message = _("You follow %(ambito)s now: you get a notification when news is published in it.") % names
    else:
        message = _("You no longer follow %(ambito)s.") % names
    messages.success(request, message)
    return redirect(back)
