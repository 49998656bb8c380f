"""The plan office's pages for the API tokens of the measurement feed: the list, issuing a token (its secret is
shown once, on the reply to the form) and revoking one. Plus the card on the management page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cittasmart.core.forms import render_form_page
from cittasmart.core.pagination import paginate
from cittasmart.core.permissions import require_perm
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.opendata import tokens
from cittasmart.opendata.forms import TokenIssueForm
from cittasmart.opendata.models import ApiToken
from cittasmart.plan.selectors import current_version

# The feed writes indicator measurements: who manages the plan manages its tokens.
MANAGE = "plan.manage_plan"
PAGE_SIZE = 50


@require_GET
@login_required
def token_list(request):
    require_perm(request.user, MANAGE)
    page = paginate(request, tokens.token_list(), PAGE_SIZE)
    return render(request, "opendata/tokens_list.html", {"page": page, "querystring": ""})


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("opendata.token")
def token_issue(request):
    require_perm(request.user, MANAGE)
    form = TokenIssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, secret = tokens.token_issue(
            actor=request.user, organisation=form.cleaned_data["organisation"], name=form.cleaned_data["name"]
        )
        # Shown in this reply only (never stored, never redirected to): ``never_cache`` keeps it out of caches.
        return render(
            request,
            "opendata/tokens_issued.html",
            {"token": token, "secret": secret, "endpoint": _example_endpoint(token)},
        )
    return render_form_page(request, "opendata/tokens_issue.html", {"form": form}, form)


def _example_endpoint(token: ApiToken) -> str:
    """The address to send measurements to, for one of the indicators the organisation is the source of."""
    version = current_version()
    indicator = (
        version.indicators.filter(source_organisation=token.organisation).order_by("code").first()
        if version is not None
        else None
    )
    path = reverse("api:measurement_create", kwargs={"code": indicator.code if indicator else "CODE"})
    return f"{settings.SITE_URL}{path}"


def _token_or_404(pk: int) -> ApiToken:
    try:
        return tokens.token_get(pk=pk)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("opendata.token")
def token_revoke(request, pk: int):
    require_perm(request.user, MANAGE)
    token = _token_or_404(pk)
    if request.method == "POST":
        if token.is_active:
            tokens.token_revoke(actor=request.user, token=token)
            messages.success(
                request,
                _("The token “%(name)s” has been revoked: it can no longer be used.") % {"name": token.name},
            )
        return redirect("opendata:tokens")
    return render(request, "opendata/tokens_revoke.html", {"token": token})


def manage_card(request, **context) -> str:
    """On the management page: the tokens of the measurement feed, for the plan office."""
    if not request.user.has_perm(MANAGE):
        return ""
    return render_to_string(
        "opendata/tokens_manage_card.html", {"issue_url": reverse("opendata:token_issue")}, request=request
    )
