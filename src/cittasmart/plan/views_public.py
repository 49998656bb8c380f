"""The public reading of the plan: the current version, any version by its stable address, an action, the timeline
of the versions and "what changed" between any two of them. Drafts are visible to staff only (404 to others)."""

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cittasmart.core.pagecache import cache_anonymous_page
from cittasmart.core.registry import render_panels
from cittasmart.plan import reading, selectors
from cittasmart.plan.diff import version_diff
from cittasmart.plan.models import PlanVersion


def _grouping(request) -> str:
    by = request.GET.get("group", "")
    return by if by in reading.GROUPINGS else "ambito"


def _version_context(request, version: PlanVersion, current: PlanVersion | None) -> dict:
    general, by_ambito = reading.version_objectives(version=version)
    by = _grouping(request)
    actions = reading.version_actions(version=version)
    return {
        "version": version,
        "current": current,
        "is_current": current is not None and current.pk == version.pk,
        "objectives_general": general,
        "objectives_by_ambito": by_ambito,
        "actions": actions,
        "groups": reading.group_actions(actions, by=by),
        "group_by": by,
        # Later apps add sections about the version (its documents in the library…).
        "panels": render_panels("plan.version", request, version=version),
    }


@require_GET
@cache_anonymous_page("plan", "survey", "stakeholders", "participation", "documents")
def plan_home(request):
    plan = selectors.plan_get()
    current = selectors.current_version(plan=plan)
    context = {"plan": plan, "version": None, "current": None}
    if current is not None:
        context.update(_version_context(request, current, current))
    if plan is not None and request.user.has_perm("plan.manage_plan"):
        context["draft"] = selectors.draft_version(plan=plan)
    return render(request, "plan/home.html", context)


@require_GET
@cache_anonymous_page("plan", "survey", "stakeholders", "participation", "documents")
def version(request, version):
    version = selectors.version_get(slug=version, user=request.user)
    current = selectors.current_version(plan=version.plan)
    context = {"plan": version.plan, **_version_context(request, version, current)}
    return render(request, "plan/version.html", context)


@require_GET
@cache_anonymous_page("plan", "survey", "stakeholders", "participation", "documents")
def action(request, version, code):
    version = selectors.version_get(slug=version, user=request.user)
    action = reading.action_for_reading(version=version, code=code)
    current = selectors.current_version(plan=version.plan)
    is_current = current is not None and current.pk == version.pk
    in_current = None
    if current is not None and not is_current:
        # The same action (same key) in the current version, if it is still there.
        in_current = current.actions.filter(key=action.key).first()
    context = {
        "version": version,
        "current": current,
        "is_current": is_current,
        "in_current": in_current,
        "action": action,
        "survey_records": reading.visible_survey_records(action=action, user=request.user),
        "panels": render_panels("plan.action", request, action=action),
    }
    return render(request, "plan/action_detail.html", context)


@require_GET
@cache_anonymous_page("plan", "survey", "stakeholders", "participation", "documents")
def timeline(request):
    plan = selectors.plan_get()
    versions = selectors.versions_visible(user=request.user)
    current = selectors.current_version(plan=plan)
    context = {"plan": plan, "entries": reading.timeline_entries(versions), "current": current}
    return render(request, "plan/timeline.html", context)


class VersionPairForm(forms.Form):
    """The two versions to compare, by address; the names are ``from`` and ``to`` as in the query string."""

    def __init__(self, *args, versions: list[PlanVersion], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.slug, f"{v.title} ({v.get_kind_display()})") for v in versions]
        self.fields["from"] = forms.ChoiceField(label=_("From the version"), choices=choices)
        self.fields["to"] = forms.ChoiceField(label=_("To the version"), choices=choices)


@require_GET
def diff(request):
    versions = list(selectors.versions_visible(user=request.user))
    by_slug = {v.slug: v for v in versions}

    def pick(slug: str) -> PlanVersion:
        # Unknown addresses and versions the user may not see are both 404: drafts do not leak.
        if slug not in by_slug:
            raise Http404
        return by_slug[slug]

    from_slug, to_slug = request.GET.get("from", ""), request.GET.get("to", "")
    new = old = None
    if to_slug:
        new = pick(to_slug)
    if from_slug:
        old = pick(from_slug)
    if new is None:
        published = [v for v in versions if v.is_published]
        new = published[-1] if published else (versions[-1] if versions else None)
    if old is None and new is not None:
        index = versions.index(new)
        old = versions[index - 1] if index > 0 else None

    context = {"versions": versions, "old": old, "new": new, "diff": None, "same": False, "form": None}
    if len(versions) > 1:
        initial = {
            "from": old.slug if old else versions[0].slug,
            "to": new.slug if new else versions[-1].slug,
        }
        context["form"] = VersionPairForm(initial=initial, versions=versions)
    if old is not None and new is not None:
        if old.pk == new.pk:
            context["same"] = True
        else:
            context["diff"] = version_diff(old, new)
    return render(request, "plan/diff.html", context)
