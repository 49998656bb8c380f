"""The plan office: processes and their phases, and the official answers to ideas.

Permissions are asked before anything is read or written; every write goes through ``participation.services``,
which checks them again and writes the audit entry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cittasmart.core.forms import add_service_errors
from cittasmart.core.forms import render_form_page as _render
from cittasmart.core.pagination import paginate
from cittasmart.core.permissions import require_perm
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.participation import moderation, selectors, services
from cittasmart.participation.forms_manage import PHASE_FIELDS, AnswerForm, PhaseForm, ProcessForm
from cittasmart.participation.models import Phase, Process

MANAGE = "participation.manage_processes"
ANSWER = "participation.answer_idea"


def _process(request, slug: str) -> Process:
    require_perm(request.user, MANAGE)
    return selectors.process_get(slug=slug, user=request.user)


def _phase(process: Process, pk: int) -> Phase:
    phase = next((p for p in process.phases.all() if p.pk == pk), None)
    if phase is None:
        raise Http404
    return phase


# --- Overview -------------------------------------------------------------------------------------------


@require_GET
@login_required
def manage(request):
    require_perm(request.user, MANAGE)
    return render(
        request,
        "participation/manage.html",
        {
            "processes": list(moderation.processes_for_office()),
            "awaiting": paginate(request, moderation.ideas_awaiting_answer()),
        },
    )


# --- Processes ------------------------------------------------------------------------------------------


def _save_process(request, form, process=None) -> Process:
    return services.process_save(
        actor=request.user,
        process=process,
        ambiti=list(form.cleaned_data["ambiti"]),
        actions=list(form.cleaned_data["actions"]),
        **form.service_fields(),
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("participation.process")
def process_create(request):
    require_perm(request.user, MANAGE)
    form = ProcessForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            process = _save_process(request, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The process has been created. Now add its phases."))
            return redirect("participation:process_edit", slug=process.slug)
    return _render(request, "participation/process_form.html", {"form": form}, form)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("participation.process")
def process_edit(request, slug):
    process = _process(request, slug)
    form = ProcessForm(request.POST or None, request.FILES or None, instance=process)
    if request.method == "POST" and form.is_valid():
        try:
            process = _save_process(request, form, process=process)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The process has been saved."))
            return redirect("participation:process_edit", slug=process.slug)
    # The form may have changed the instance in memory: the page shows the process as stored.
    process = _process(request, slug)
    context = {"form": form, "process": process, "phases": list(process.phases.all())}
    return _render(request, "participation/process_form.html", context, form)


# --- Phases ---------------------------------------------------------------------------------------------


def _save_phase(request, form, process, phase=None) -> Phase:
    return services.phase_save(
        actor=request.user,
        process=process,
        phase=phase,
        **{name: form.cleaned_data[name] for name in PHASE_FIELDS},
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("participation.process")
def phase_create(request, slug):
    process = _process(request, slug)
    form = PhaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _save_phase(request, form, process)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The phase has been added."))
            return redirect("participation:process_edit", slug=process.slug)
    return _render(request, "participation/phase_form.html", {"form": form, "process": process}, form)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("participation.process")
def phase_edit(request, slug, pk):
    """Edit a phase; a POST with ``op=delete`` deletes it."""
    process = _process(request, slug)
    phase = _phase(process, pk)
    if request.method == "POST" and request.POST.get("op") == "delete":
        services.phase_delete(actor=request.user, phase=phase)
        messages.success(request, _("The phase has been deleted."))
        return redirect("participation:process_edit", slug=process.slug)
    form = PhaseForm(request.POST or None, instance=phase)
    if request.method == "POST" and form.is_valid():
        try:
            _save_phase(request, form, process, phase=phase)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The phase has been saved."))
            return redirect("participation:process_edit", slug=process.slug)
    phase = _phase(_process(request, slug), pk)  # as stored, not as the form left it in memory
    context = {"form": form, "process": process, "phase": phase}
    return _render(request, "participation/phase_form.html", context, form)


# --- Answers --------------------------------------------------------------------------------------------


def _idea(request, slug: str, pk: int):
    process = selectors.process_get(slug=slug, user=request.user)
    idea = selectors.idea_get(process=process, pk=pk, user=request.user)
    return process, idea


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("participation.answer")
def idea_answer(request, slug, pk):
    """Give or revise the official answer to an idea: outcome, text, the plan actions it fed."""
    process, idea = _idea(request, slug, pk)
    require_perm(request.user, ANSWER, idea)
    answer = selectors.answer_of(idea)
    form = AnswerForm(request.POST or None, answer=answer)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_save(
                actor=request.user,
                idea=idea,
                outcome=form.cleaned_data["outcome"],
                text=form.cleaned_data["text"],
                actions=list(form.cleaned_data["actions"]),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if answer is None:
                messages.success(
                    request, _("The answer has been published; the followers of the idea are told.")
                )
            else:
                messages.success(
                    request, _("The answer has been revised; the followers of the idea are told.")
                )
            return redirect(idea.get_absolute_url())
    context = {"form": form, "process": process, "idea": idea, "answer": answer}
    return _render(request, "participation/answer_form.html", context, form)


@require_POST
@login_required
@rate_limit_writes("participation.answer")
def idea_evaluate(request, slug, pk):
    """The plan office takes an idea into evaluation."""
    _process, idea = _idea(request, slug, pk)
    require_perm(request.user, ANSWER, idea)
    try:
        services.idea_set_evaluating(actor=request.user, idea=idea)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The idea is now under evaluation; its followers are told."))
    return redirect(idea.get_absolute_url())
