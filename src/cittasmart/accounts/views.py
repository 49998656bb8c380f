import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cittasmart.accounts import selectors, services
from cittasmart.accounts.forms import EraseAccountForm, ProfileForm, RoleForm
from cittasmart.accounts.models import User
from cittasmart.core.permissions import require_perm
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.core.registry import render_panels
from cittasmart.core.roles import Role


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("accounts.profile")
def profile(request):
    form = ProfileForm(request.POST or None, initial={"display_name": request.user.display_name})
    if request.method == "POST" and form.is_valid():
        services.user_profile_update(user=request.user, display_name=form.cleaned_data["display_name"])
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "memberships": selectors.user_memberships(user=request.user),
            "panels": render_panels("accounts.profile", request),
        },
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
def data_export(request):
    data = services.user_export_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    filename = f"cittasmart-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("accounts.erase", per_minute=5)
def erase(request):
    form = EraseAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_erase(user=request.user)
        logout(request)
        messages.success(request, _("Your account has been deleted. What you published is now anonymous."))
        return redirect("core:home")
    return render(request, "accounts/erase.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("accounts.roles")
def roles(request):
    require_perm(request.user, "accounts.manage_roles")
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_role_set(
            actor=request.user,
            user=form.cleaned_data["user"],
            role=Role(form.cleaned_data["role"]),
            granted=True,
        )
        messages.success(request, _("The role has been granted."))
        return redirect("accounts:roles")
    return render(
        request,
        "accounts/roles.html",
        {"form": form, "holders": selectors.role_holders()},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
@rate_limit_writes("accounts.roles")
def role_revoke(request, pk, role):
    require_perm(request.user, "accounts.manage_roles")
    if role not in Role.values:
        raise Http404
    user = get_object_or_404(User, pk=pk)
    services.user_role_set(actor=request.user, user=user, role=Role(role), granted=False)
    messages.success(request, _("The role has been revoked."))
    return redirect("accounts:roles")


def lockout(request, *args, by_address: bool = False, **kwargs):
    """Shown instead of the login page after too many failed attempts: on one account from this address
    (django-axes, which passes the original response and the credentials, not needed here), or on any
    accounts from this address (``by_address``, see ``loginguard``)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request, "accounts/lockout.html", {"minutes": minutes, "by_address": by_address}, status=429
    )
