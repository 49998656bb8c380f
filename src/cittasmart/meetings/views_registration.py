"""Registering to a meeting, confirming the address, seeing and cancelling a registration, and "my registrations".

The pages of a registration are reached through the secret ``token`` of the e-mail links, so that people who
registered with e-mail only can manage their registration without an account. Opening a link never changes
anything: confirming and cancelling are buttons (mail scanners open links by themselves)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cittasmart.core.forms import add_service_errors
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.meetings import selectors, services
from cittasmart.meetings.forms import RegistrationForm
from cittasmart.meetings.models import RegistrationStatus

REGISTRATIONS_PER_MINUTE = 10


@require_http_methods(["GET", "POST"])
@rate_limit_writes("meetings.register", per_minute=REGISTRATIONS_PER_MINUTE)
def register(request, slug):
    meeting = selectors.meeting_get(slug=slug, user=request.user)
    user = request.user
    existing = selectors.active_registration(meeting=meeting, user=user)
    if existing is not None:
        messages.info(request, _("You are already registered to this meeting."))
        return redirect(existing.get_absolute_url())
    is_open = user.has_perm("meetings.register", meeting)
    # A POST is always a bound form, also when empty: the "closed" error is added to it below.
    form = RegistrationForm(request.POST if request.method == "POST" else None, meeting=meeting, user=user)
    if request.method == "POST":
        if not is_open:
            form.add_error(None, services.registration_closed_message(meeting))
        elif form.is_valid():
            try:
                registration, created = services.registration_create(
                    meeting=meeting, user=user, **form.service_arguments()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if registration.status == RegistrationStatus.PENDING or not created:
                    # E-mail only (or the address was registered already): the next step is in the e-mail.
                    # The page says the same in both cases, so it does not tell who is registered.
                    return render(
                        request,
                        "meetings/check_email.html",
                        {"meeting": meeting, "email": registration.email},
                    )
                return redirect(registration.get_absolute_url())
    return render(
        request,
        "meetings/register.html",
        {
            "meeting": meeting,
            "form": form,
            "is_open": is_open,
            "closed_message": "" if is_open else services.registration_closed_message(meeting),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


def _registration_page(request, registration, *, status: int = 200, error: str = ""):
    return render(
        request,
        "meetings/registration.html",
        {
            "registration": registration,
            "meeting": registration.meeting,
            "position": selectors.waitlist_position(registration),
            "confirmation_expired": registration.status == RegistrationStatus.PENDING
            and services.confirmation_expired(registration),
            "error": error,
        },
        status=status,
    )


@require_GET
def registration(request, token):
    return _registration_page(request, selectors.registration_by_token(token))


@require_http_methods(["GET", "POST"])
@rate_limit_writes("meetings.confirm")
def confirm(request, token):
    registration = selectors.registration_by_token(token)
    if registration.status != RegistrationStatus.PENDING:
        return redirect(registration.get_absolute_url())
    if request.method == "POST":
        try:
            registration = services.registration_confirm_address(registration=registration)
        except ValidationError as exc:
            return render(
                request,
                "meetings/confirm.html",
                {
                    "registration": registration,
                    "meeting": registration.meeting,
                    "error": " ".join(exc.messages),
                },
                status=400,
            )
        if registration.status == RegistrationStatus.CONFIRMED:
            messages.success(request, _("Your address is confirmed and your seat is booked."))
        else:
            messages.info(
                request, _("Your address is confirmed. The seats are taken: you are on the waitlist.")
            )
        return redirect(registration.get_absolute_url())
    error = ""
    if services.confirmation_expired(registration):
        error = _("This confirmation link has expired. Register again to receive a new one.")
    return render(
        request,
        "meetings/confirm.html",
        {"registration": registration, "meeting": registration.meeting, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["POST"])
@rate_limit_writes("meetings.cancel")
def cancel(request, token):
    registration = selectors.registration_by_token(token)
    try:
        services.registration_cancel(registration=registration)
    except ValidationError as exc:
        registration.refresh_from_db()
        return _registration_page(request, registration, status=400, error=" ".join(exc.messages))
    messages.success(request, _("Your registration is cancelled. Thank you for letting us know."))
    if request.POST.get("next") == "mine" and request.user.is_authenticated:
        return redirect("meetings:my_registrations")
    return redirect(registration.get_absolute_url())


@require_GET
@login_required
def my_registrations(request):
    registrations = list(selectors.registrations_of(user=request.user)[:200])
    upcoming = [r for r in registrations if not r.meeting.is_past and r.is_active]
    others = [r for r in registrations if r not in upcoming]
    feed = services.calendar_feed_for(request.user)
    return render(
        request,
        "meetings/my_registrations.html",
        {"upcoming": upcoming, "others": others, "feed": feed},
    )
