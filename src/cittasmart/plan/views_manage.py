"""The plan office: versions, actions, milestones, measurements, publication, and the survey ↔ plan gaps."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cittasmart.core.ambiti import Ambito
from cittasmart.core.forms import add_service_errors
from cittasmart.core.forms import render_form_page as _render
from cittasmart.core.pagination import paginate, querystring_without_page
from cittasmart.core.permissions import require_perm
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.core.validators import parse_positive_int
from cittasmart.plan import selectors, services
from cittasmart.plan.forms import ActionForm, MeasurementForm, MilestoneForm, VersionCreateForm, VersionForm
from cittasmart.plan.models import (
    Action,
    ActionAmbito,
    ActionKind,
    Milestone,
    PlanVersion,
    VersionStatus,
)
from cittasmart.survey.models import SurveyRecord

PERM = "plan.manage_plan"


def _version(request, slug: str) -> PlanVersion:
    require_perm(request.user, PERM)
    return selectors.version_get(slug=slug, user=request.user)


def _refuse_published(request):
    messages.error(request, _("A published version cannot be changed: create a new version from it."))
    return redirect("plan:manage")


def _action(version: PlanVersion, code: str) -> Action:
    action = version.actions.filter(code=code).first()
    if action is None:
        raise Http404
    return action


# --- Overview -------------------------------------------------------------------------------------------


@require_GET
@login_required
def manage(request):
    require_perm(request.user, PERM)
    plan = selectors.plan_get()
    versions = list(plan.versions.order_by("-number")) if plan else []
    draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    current = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    actions = indicators = []
    if draft is not None:
        actions = list(
            draft.actions.select_related("responsible")
            .prefetch_related("ambiti")
            .annotate(milestone_count=Count("milestones", distinct=True))
            .order_by("kind", "code")
        )
        indicators = list(
            draft.indicators.select_related("action").annotate(measurement_count=Count("measurements"))
        )
    return render(
        request,
        "plan/manage.html",
        {
            "plan": plan,
            "versions": versions,
            "draft": draft,
            "current": current,
            "actions": actions,
            "indicators": indicators,
            "next_number": (versions[0].number + 1) if versions else 1,
        },
    )


# --- Versions -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("plan.version")
def version_create(request):
    require_perm(request.user, PERM)
    plan = selectors.plan_get()
    draft = selectors.draft_version(plan=plan) if plan else None
    if draft is not None:
        messages.info(request, _("There is already a draft version: publish it or continue editing it."))
        return redirect("plan:version_edit", version=draft.slug)
    source = plan.versions.order_by("-number").first() if plan else None
    form = VersionCreateForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if plan is None:
                    plan = services.plan_create(actor=request.user, title=_("Smart City plan"))
                services.version_create(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The draft version has been created. Edit it, then publish it when it is ready.")
            )
            return redirect("plan:manage")
    return _render(
        request, "plan/version_form.html", {"form": form, "source": source, "creating": True}, form
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("plan.version")
def version_edit(request, version):
    version = _version(request, version)
    if version.is_published:
        return _refuse_published(request)
    form = VersionForm(request.POST or None, instance=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_update(
                actor=request.user,
                version=version,
                **{name: form.cleaned_data[name] for name in services.VERSION_FIELDS},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The version has been saved."))
            return redirect("plan:manage")
    return _render(request, "plan/version_form.html", {"form": form, "version": version}, form)


def _has_diff_body() -> bool:
    try:
        get_template("plan/_diff_body.html")
    except TemplateDoesNotExist:
        return False
    return True


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("plan.version")
def version_publish(request, version):
    version = _version(request, version)
    if version.is_published:
        return _refuse_published(request)
    if request.method == "POST":
        try:
            services.version_publish(actor=request.user, version=version)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("plan:manage")
        messages.success(request, _("The version has been published: it is now the current plan."))
        return redirect(version.get_absolute_url())
    current = selectors.current_version(plan=version.plan)
    context = {"version": version, "current": current, "diff": None, "counts": None}
    if current is not None and _has_diff_body():
        from cittasmart.plan.diff import version_diff

        context["diff"] = version_diff(current, version)
    else:
        context["counts"] = [
            (
                _("Actions"),
                current.actions.count() if current else 0,
                version.actions.count(),
            ),
            (
                _("Indicators"),
                current.indicators.count() if current else 0,
                version.indicators.count(),
            ),
        ]
    return render(request, "plan/version_publish.html", context)


# --- Actions and milestones -----------------------------------------------------------------------------


def _action_context(version, form, action=None) -> dict:
    context = {
        "version": version,
        "form": form,
        "action": action,
        "milestone_form": MilestoneForm(prefix="milestone"),
    }
    if action is not None:
        context["milestones"] = list(action.milestones.all())
        if action.progress_override is not None:
            context["progress"] = action.progress_override
        else:
            context["progress"] = _milestone_progress(context["milestones"])
    return context


def _milestone_progress(milestones: list[Milestone]) -> int | None:
    if not milestones:
        return None
    return round(100 * sum(m.done for m in milestones) / len(milestones))


def _save_action(request, version, form, action=None):
    data = form.cleaned_data
    return services.action_save(
        actor=request.user,
        version=version,
        action=action,
        ambiti=list(data["ambiti"]),
        partners=list(data["partners"]),
        survey_records=list(data["survey_records"]),
        **form.service_fields(),
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("plan.action")
def action_create(request, version):
    version = _version(request, version)
    if version.is_published:
        return _refuse_published(request)
    kind = request.GET.get("kind")
    initial = {"kind": kind} if kind in ActionKind.values else {}
    form = ActionForm(request.POST or None, version=version, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            action = _save_action(request, version, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The action has been created."))
            return redirect("plan:action_edit", version=version.slug, code=action.code)
    return _render(request, "plan/action_form.html", _action_context(version, form), form)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("plan.action")
def action_edit(request, version, code):
    version = _version(request, version)
    if version.is_published:
        return _refuse_published(request)
    action = _action(version, code)
    form = ActionForm(request.POST or None, instance=action, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            action = _save_action(request, version, form, action=action)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The action has been saved."))
            return redirect("plan:action_edit", version=version.slug, code=action.code)
    action = _action(version, code)  # the form may have changed the instance in memory
    return _render(request, "plan/action_form.html", _action_context(version, form, action), form)


@require_POST
@login_required
@rate_limit_writes("plan.action")
def milestone_add(request, version, code):
    """Add a milestone (title, due), or, with ``toggle=<id>``, mark a milestone done or not done."""
    version = _version(request, version)
    if version.is_published:
        return _refuse_published(request)
    action = _action(version, code)
    toggle = request.POST.get("toggle")
    if toggle:
        pk = parse_positive_int(toggle)
        milestone = action.milestones.filter(pk=pk).first() if pk else None
        if milestone is None:
            raise Http404
        done = request.POST.get("done") == "1"
        services.milestone_save(actor=request.user, action=action, milestone=milestone, done=done)
        messages.success(request, _("The milestone has been updated."))
        return redirect("plan:action_edit", version=version.slug, code=action.code)
    form = MilestoneForm(request.POST, prefix="milestone")
    if form.is_valid():
        try:
            services.milestone_save(actor=request.user, action=action, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The milestone has been added."))
            return redirect("plan:action_edit", version=version.slug, code=action.code)
    context = _action_context(version, ActionForm(instance=action, version=version), action)
    context["milestone_form"] = form
    return render(request, "plan/action_form.html", context, status=400)


# --- Measurements ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("plan.measurement")
def measurement_add(request, version, code):
    version = _version(request, version)
    if version.is_published:
        return _refuse_published(request)
    indicator = version.indicators.filter(code=code).first()
    if indicator is None:
        raise Http404
    form = MeasurementForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            services.measurement_save(
                actor=request.user,
                indicator=indicator,
                **{name: form.cleaned_data[name] for name in services.MEASUREMENT_FIELDS},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The measurement has been added."))
            return redirect("plan:manage")
    measurements = list(indicator.measurements.all())
    return _render(
        request,
        "plan/measurement_form.html",
        {"version": version, "indicator": indicator, "measurements": measurements, "form": form},
        form,
    )


# --- Survey ↔ plan --------------------------------------------------------------------------------------


@require_GET
@login_required
def survey_gaps(request):
    require_perm(request.user, PERM)
    version = selectors.current_version()
    validated = SurveyRecord.objects.filter(is_validated=True)
    unlinked = validated.exclude(plan_actions__version=version) if version else validated
    page = paginate(
        request, unlinked.select_related("owner", "round").order_by("reference_ambito", "title", "id")
    )
    records_by_ambito = dict(validated.values_list("reference_ambito").annotate(n=Count("id")).order_by())
    unlinked_by_ambito = dict(unlinked.values_list("reference_ambito").annotate(n=Count("id")).order_by())
    actions_by_ambito = {}
    if version is not None:
        actions_by_ambito = dict(
            ActionAmbito.objects.filter(action__version=version)
            .values_list("ambito")
            .annotate(n=Count("action", distinct=True))
            .order_by()
        )
    rows = [
        {
            "ambito": ambito,
            "records": records_by_ambito.get(ambito.value, 0),
            "unlinked": unlinked_by_ambito.get(ambito.value, 0),
            "actions": actions_by_ambito.get(ambito.value, 0),
        }
        for ambito in Ambito
    ]
    gaps = [row for row in rows if row["records"] and not row["actions"]]
    return render(
        request,
        "plan/survey_gaps.html",
        {
            "version": version,
            "page": page,
            "querystring": querystring_without_page(request),
            "rows": rows,
            "gaps": gaps,
        },
    )
