from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cittasmart.core.forms import add_service_errors
from cittasmart.core.pagination import paginate, querystring_without_page
from cittasmart.core.permissions import require_perm
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.stakeholders import selectors, services
from cittasmart.stakeholders.forms import MembershipForm, OrganisationFilterForm, OrganisationForm
from cittasmart.stakeholders.models import Membership, OrganisationCategory


@require_GET
def organisation_list(request):
    form = OrganisationFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(
        request,
        selectors.organisation_list(category=filters.get("category", ""), query=filters.get("q", "").strip()),
    )
    template = "stakeholders/organisation_list.html"
    if request.htmx:
        template += "#results"
    counts = selectors.organisation_category_counts()
    categories = [(value, label, counts.get(value, 0)) for value, label in OrganisationCategory.choices]
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "categories": categories,
            "current_category": filters.get("category", ""),
            "querystring": querystring_without_page(request),
        },
    )


@require_GET
def organisation_detail(request, slug):
    organisation = selectors.organisation_get(slug=slug)
    members = None
    if request.user.has_perm("stakeholders.view_membership", organisation):
        members = selectors.organisation_members(organisation=organisation)
    return render(
        request,
        "stakeholders/organisation_detail.html",
        {"organisation": organisation, "members": members, "membership_form": MembershipForm()},
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("stakeholders.organisation")
def organisation_create(request):
    require_perm(request.user, "stakeholders.add_organisation")
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The organisation has been created."))
            return redirect(organisation)
    return render(
        request, "stakeholders/organisation_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("stakeholders.organisation")
def organisation_update(request, slug):
    organisation = selectors.organisation_get(slug=slug)
    require_perm(request.user, "stakeholders.change_organisation", organisation)
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The organisation has been saved."))
            return redirect(organisation)
    if form.errors:
        organisation.refresh_from_db()
    return render(
        request,
        "stakeholders/organisation_form.html",
        {"form": form, "organisation": organisation},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("stakeholders.organisation")
def organisation_delete(request, slug):
    organisation = selectors.organisation_get(slug=slug)
    require_perm(request.user, "stakeholders.delete_organisation", organisation)
    error = None
    if request.method == "POST":
        try:
            services.organisation_delete(actor=request.user, organisation=organisation)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("The organisation has been deleted."))
            return redirect("stakeholders:list")
    return render(
        request,
        "stakeholders/organisation_confirm_delete.html",
        {"organisation": organisation, "error": error},
        status=400 if error else 200,
    )


@require_POST
@login_required
@rate_limit_writes("stakeholders.membership")
def membership_add(request, slug):
    organisation = selectors.organisation_get(slug=slug)
    require_perm(request.user, "stakeholders.change_membership", organisation)
    form = MembershipForm(request.POST)
    if form.is_valid():
        try:
            services.membership_set(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, _("The membership has been saved."))
            return redirect(organisation)
    members = selectors.organisation_members(organisation=organisation)
    return render(
        request,
        "stakeholders/organisation_detail.html",
        {"organisation": organisation, "members": members, "membership_form": form},
        status=400,
    )


@require_POST
@login_required
@rate_limit_writes("stakeholders.membership")
def membership_remove(request, slug, pk):
    organisation = selectors.organisation_get(slug=slug)
    require_perm(request.user, "stakeholders.change_membership", organisation)
    membership = get_object_or_404(Membership, pk=pk, organisation=organisation)
    services.membership_remove(actor=request.user, membership=membership)
    messages.success(request, _("The person has been removed from the organisation."))
    return redirect(organisation)
