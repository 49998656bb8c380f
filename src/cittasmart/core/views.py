from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cittasmart.core import selectors, services
from cittasmart.core.ambiti import AMBITI
from cittasmart.core.forms import AccessibilityFeedbackForm, SearchForm, SiteSettingsForm
from cittasmart.core.models import AccessibilityFeedback
from cittasmart.core.pagecache import cache_anonymous_page
from cittasmart.core.pagination import paginate, querystring_without_page
from cittasmart.core.permissions import require_perm
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.core.registry import render_panels, search_providers


@require_GET
@cache_anonymous_page()
def home(request):
    # Other apps add sections after the hero (the latest news…) without core importing them.
    return render(
        request, "core/home.html", {"ambiti": AMBITI, "panels": render_panels("core.home", request)}
    )


@require_GET
def privacy(request):
    return render(request, "core/privacy.html")


@require_GET
def legal_notes(request):
    return render(request, "core/legal_notes.html")


@require_GET
def cookies(request):
    return render(request, "core/cookies.html")


@require_http_methods(["GET", "POST"])
@rate_limit_writes("core.accessibility_feedback", per_minute=5)
def accessibility(request):
    form = AccessibilityFeedbackForm(request.POST or None, initial={"page_url": request.GET.get("page", "")})
    if request.method == "POST" and form.is_valid():
        services.accessibility_feedback_create(user=request.user, **form.cleaned_data)
        messages.success(request, _("Thank you: your report has been sent to the accessibility contact."))
        return redirect("core:accessibility")
    return render(request, "core/accessibility.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
@cache_anonymous_page()
def search(request):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    sections = []
    if query:
        sections = [provider(query=query, user=request.user, limit=10) for provider in search_providers()]
    return render(request, "core/search.html", {"form": form, "query": query, "sections": sections})


@require_GET
@login_required
def audit_log(request):
    require_perm(request.user, "core.view_auditentry")
    # NUL characters cannot reach PostgreSQL (a 500 otherwise); the lengths match the form's inputs.
    code = request.GET.get("code", "").replace("\x00", "")[:100]
    query = request.GET.get("q", "").replace("\x00", "")[:200]
    page = paginate(request, selectors.audit_entry_list(code=code, query=query), per_page=50)
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "codes": selectors.audit_codes(),
            "code": code,
            "query": query,
            "querystring": querystring_without_page(request),
        },
    )


@require_GET
@login_required
def manage(request):
    require_perm(request.user, "core.view_management")
    return render(
        request,
        "core/manage.html",
        {
            "open_feedback": selectors.accessibility_feedback_list(handled=False).count(),
            "panels": render_panels("core.manage", request),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("core.site_settings")
def site_settings_edit(request):
    require_perm(request.user, "core.change_sitesettings")
    site = services.site_settings_get()
    form = SiteSettingsForm(
        request.POST or None, request.FILES or None, instance=type(site).objects.get(pk=site.pk)
    )
    if request.method == "POST" and form.is_valid():
        services.site_settings_update(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The site settings have been saved."))
        return redirect("core:site_settings")
    return render(request, "core/site_settings_form.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
@login_required
def accessibility_feedback_list(request):
    require_perm(request.user, "core.view_accessibilityfeedback")
    page = paginate(request, selectors.accessibility_feedback_list())
    return render(request, "core/accessibility_feedback_list.html", {"page": page, "querystring": ""})


@require_POST
@login_required
@rate_limit_writes("core.accessibility_feedback_handled")
def accessibility_feedback_handled(request, pk):
    require_perm(request.user, "core.change_accessibilityfeedback")
    feedback = get_object_or_404(AccessibilityFeedback, pk=pk)
    services.accessibility_feedback_mark_handled(
        actor=request.user, feedback=feedback, handled=request.POST.get("handled") == "1"
    )
    return redirect("core:accessibility_feedback")


@require_GET
def health(request):
    """Liveness for load balancers and monitoring: the app answers, without touching the database.

    It is also the floor of the load benchmark (``make bench``): the cost of a request through the whole
    middleware stack with no work in the view."""
    response = HttpResponse("ok", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # A static page: rendering the site chrome could fail again for the same reason.
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
