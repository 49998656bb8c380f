"""The public reading of participation: the processes, a process's page, its ideas as a list and on a map, and
the feedback report (page and CSV).

Nothing here writes business data: the only state is the seed of the random order, kept in the visitor's session
(set only when that order is asked for) so that the order stays the same across pages and reloads."""

import random

import rules
from django import forms
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from cittasmart.core.ambiti import Ambito
from cittasmart.core.pagecache import cache_anonymous_page
from cittasmart.core.pagination import paginate, querystring_without, querystring_without_page
from cittasmart.participation import feedback, maps, selectors
from cittasmart.participation.models import (
    PUBLIC_IDEA_STATUSES,
    Capability,
    IdeaStatus,
    Outcome,
    Process,
    ProcessTiming,
)

LATEST_IDEAS = 5
PAGE_SIZE = 20
MAP_LIMIT = 500
FEEDBACK_PAGE_SIZE = 50
SEED_KEY = "idea_seed"
SEED_MAX = 2**31 - 1

SORT_CHOICES = [
    ("newest", _("Newest first")),
    ("supported", _("Most supported")),
    ("commented", _("Most commented")),
    ("random", _("Random order")),
]


def capability_labels(allowed) -> list[str]:
    """What a phase allows, in the order of ``Capability``, as translated labels."""
    return [str(capability.label) for capability in Capability if capability in allowed]


# --- Processes ------------------------------------------------------------------------------------------


def _describe(process: Process) -> Process:
    """What a card and a page say of the process's dates (from the prefetched phases: no query)."""
    phases = list(process.phases.all())
    process.timing_value = process.timing
    process.timing_label = ProcessTiming(process.timing_value).label
    process.first_phase = phases[0] if phases else None
    process.last_phase = phases[-1] if phases else None
    process.phase_now = process.current_phase
    return process


@require_GET
@cache_anonymous_page("participation", "plan", "stakeholders", "survey")
def home(request):
    timing = request.GET.get("timing", "")
    if timing not in ProcessTiming.values:
        timing = ""
    processes = selectors.process_list(user=request.user, timing=timing)
    for item in processes:
        _describe(item)
    tabs = [("", _("All"))] + [(value, label) for value, label in ProcessTiming.choices]
    return render(
        request,
        "participation/home.html",
        {
            "processes": processes,
            "timing": timing,
            "tabs": tabs,
            "may_manage": request.user.has_perm("participation.manage_processes"),
        },
    )


def _timeline(process: Process) -> list[dict]:
    """The phases in order, each with where it stands today and what it allows."""
    today = timezone.localdate()
    return [
        {
            "phase": phase,
            "is_current": phase.starts_on <= today <= phase.ends_on,
            "is_past": phase.ends_on < today,
            "allows": capability_labels(phase.allows),
        }
        for phase in process.phases.all()
    ]


@require_GET
@cache_anonymous_page("participation", "plan", "stakeholders", "survey")
def process(request, slug):
    process = _describe(selectors.process_get(slug=slug, user=request.user))
    user = request.user
    actions = [
        action
        for action in process.actions.select_related("version").order_by("version__number", "code")
        if user.has_perm("plan.view_version", action.version)
    ]
    plan_version = process.plan_version
    if plan_version is not None and not user.has_perm("plan.view_version", plan_version):
        plan_version = None
    latest = selectors.idea_page(
        user=user, process=process, filters=selectors.IdeaFilters(), size=LATEST_IDEAS
    )
    current = process.current_phase
    return render(
        request,
        "participation/process.html",
        {
            "process": process,
            "timeline": _timeline(process),
            "current_phase": current,
            "current_allows": capability_labels(current.allows) if current and process.is_published else [],
            "plan_version": plan_version,
            "actions": actions,
            "latest_ideas": latest.items,
            "idea_total": selectors.idea_count(user=user, process=process, filters=selectors.IdeaFilters()),
            # ``rules.has_perm``, like the services: superusers too follow the phases.
            "may_propose": rules.has_perm("participation.add_idea", user, process),
            "may_follow": rules.has_perm("participation.follow", user, process),
            "following": selectors.is_following(user=user, process=process),
            "may_view_feedback": user.has_perm("participation.view_feedback_report", process),
        },
    )


# --- Ideas: filters, list, map --------------------------------------------------------------------------


def _phase_label(phase) -> str:
    starts = date_format(phase.starts_on, "SHORT_DATE_FORMAT")
    ends = date_format(phase.ends_on, "SHORT_DATE_FORMAT")
    return f"{phase} ({starts} – {ends})"


class IdeaFilterForm(forms.Form):
    """The filters of a process's ideas, read from the query string. A value it does not know is reported on the
    page and left out; it never breaks the page."""

    q = forms.CharField(label=_("Search in the ideas"), max_length=200, required=False)
    ambito = forms.ChoiceField(
        label=_("Domain"), choices=[("", _("All domains")), *Ambito.choices], required=False
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    phase = forms.TypedChoiceField(
        label=_("Published during the phase"), coerce=int, empty_value=None, required=False
    )
    answer = forms.ChoiceField(
        label=_("Official answer"),
        choices=[
            ("", _("With or without an answer")),
            ("yes", _("Answered")),
            ("no", _("Not answered yet")),
        ],
        required=False,
    )
    outcome = forms.ChoiceField(
        label=pgettext_lazy("answer to an idea", "Outcome"),
        choices=[("", _("Any outcome")), *Outcome.choices],
        required=False,
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, process: Process, user, **kwargs):
        super().__init__(*args, **kwargs)
        states = [(s.value, s.label) for s in IdeaStatus if s in PUBLIC_IDEA_STATUSES]
        if getattr(user, "is_authenticated", False):
            states.append((IdeaStatus.PENDING.value, IdeaStatus.PENDING.label))
        self.fields["state"].choices = [("", pgettext_lazy("state", "Any")), *states]
        # The phases are prefetched with the process: no query.
        self.fields["phase"].choices = [
            ("", _("Any phase")),
            *[(phase.pk, _phase_label(phase)) for phase in process.phases.all()],
        ]

    def filters(self, *, seed: int = 1) -> selectors.IdeaFilters:
        """The valid filters (the form is validated first; fields with errors are ignored)."""
        self.is_valid()
        data = self.cleaned_data
        answer = data.get("answer") or ""
        return selectors.IdeaFilters(
            query=(data.get("q") or "").strip(),
            ambito=data.get("ambito") or "",
            status=data.get("state") or "",
            outcome=data.get("outcome") or "",
            has_answer={"yes": True, "no": False}.get(answer),
            phase=data.get("phase"),
            sort=data.get("sort") or "newest",
            seed=seed,
        )


def _filters(
    request, process: Process, *, sorted_list: bool = True
) -> tuple[IdeaFilterForm, selectors.IdeaFilters]:
    form = IdeaFilterForm(request.GET, process=process, user=request.user)
    filters = form.filters()
    if sorted_list and filters.sort == "random":
        # The seed is kept per visitor, so the random order is the same on every page and reload.
        seed = request.session.setdefault(SEED_KEY, random.randint(1, SEED_MAX))  # noqa: S311 (not security)
        filters.seed = seed if isinstance(seed, int) else 1
    return form, filters


@require_GET
@cache_anonymous_page("participation", "plan", "stakeholders", "survey")
def idea_list(request, slug):
    process = selectors.process_get(slug=slug, user=request.user)
    form, filters = _filters(request, process)
    cursor = request.GET.get("cursor", "")
    page = selectors.idea_page(
        user=request.user, process=process, filters=filters, cursor=cursor, size=PAGE_SIZE
    )
    template = "participation/idea_list.html"
    if request.htmx:
        template += "#results"
    response = render(
        request,
        template,
        {
            "process": process,
            "form": form,
            "filters": filters,
            "page": page,
            "total": selectors.idea_count(user=request.user, process=process, filters=filters),
            "querystring": querystring_without(request, "cursor"),
            "may_propose": rules.has_perm("participation.add_idea", request.user, process),
        },
    )
    # The same address answers a whole page or the results fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@cache_anonymous_page("participation", "plan", "stakeholders", "survey")
def idea_map(request, slug):
    process = selectors.process_get(slug=slug, user=request.user)
    form, filters = _filters(request, process, sorted_list=False)  # the map has no order
    ideas = selectors.ideas_on_map(user=request.user, process=process, filters=filters, limit=MAP_LIMIT + 1)
    truncated = len(ideas) > MAP_LIMIT
    the_map = maps.idea_map(ideas[:MAP_LIMIT])
    return render(
        request,
        "participation/idea_map.html",
        {
            "process": process,
            "form": form,
            "map": the_map,
            "truncated": truncated,
            "map_limit": MAP_LIMIT,
            "querystring": querystring_without(request, "cursor", "sort"),
        },
    )


# --- Feedback report ------------------------------------------------------------------------------------


def _feedback_process(request, slug) -> Process:
    process = selectors.process_get(slug=slug, user=request.user)
    if not request.user.has_perm("participation.view_feedback_report", process):
        raise Http404
    return process


@require_GET
def feedback_report(request, slug):
    process = _feedback_process(request, slug)
    page = paginate(request, feedback.report_ideas(process), per_page=FEEDBACK_PAGE_SIZE)
    for idea in page:
        answer = selectors.answer_of(idea)
        idea.report_answer = answer
        idea.report_answer_text = feedback.plain_text(answer.text_html) if answer else ""
    return render(
        request,
        "participation/feedback_report.html",
        {
            "process": process,
            "report": feedback.feedback_report(process),
            "page": page,
            "querystring": querystring_without_page(request),
        },
    )


@require_GET
def feedback_report_csv(request, slug):
    process = _feedback_process(request, slug)
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = StreamingHttpResponse(
        feedback.csv_lines(process, base_url=base_url), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{feedback.csv_filename(process)}"'
    return response
