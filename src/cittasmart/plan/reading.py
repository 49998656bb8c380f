"""Reads behind the public pages of the plan: a version with its objectives and actions, an action with everything
it shows, the timeline. Each page costs a constant number of queries whatever the number of actions, milestones or
measurements (everything it lists is fetched with ``select_related`` / ``prefetch_related``)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from cittasmart.core.ambiti import Ambito
from cittasmart.plan.models import (
    Action,
    ActionKind,
    Indicator,
    Measurement,
    Milestone,
    Objective,
    PlanVersion,
)
from cittasmart.plan.services import action_progress
from cittasmart.survey.models import SurveyRecord

GROUPINGS = ("ambito", "kind")


@dataclass
class ActionGroup:
    slug: str
    label: str
    actions: list[Action] = field(default_factory=list)


def version_objectives(*, version: PlanVersion) -> tuple[list[Objective], list[tuple[str, list[Objective]]]]:
    """The general objectives, and the objectives per ambito (in the taxonomy's order, only ambiti that have some)."""
    objectives = list(version.objectives.order_by("order", "id"))
    general = [o for o in objectives if not o.ambito]
    by_ambito = []
    for ambito in Ambito:
        items = [o for o in objectives if o.ambito == ambito.value]
        if items:
            by_ambito.append((str(ambito.label), items))
    return general, by_ambito


def version_actions(*, version: PlanVersion) -> list[Action]:
    """The actions of a version, each with ``progress`` set, ready to be listed."""
    actions = list(
        version.actions.select_related("responsible", "objective")
        .prefetch_related("ambiti", Prefetch("milestones", queryset=Milestone.objects.order_by("due", "id")))
        .order_by("kind", "code")
    )
    for action in actions:
        action.progress = action_progress(action)
    return actions


def group_actions(actions: list[Action], *, by: str) -> list[ActionGroup]:
    """Actions grouped by ambito (an action in several ambiti is listed in each) or by kind; empty groups left out."""
    groups: list[ActionGroup] = []
    if by == "kind":
        for kind in ActionKind:
            groups.append(
                ActionGroup(kind.value, str(kind.label), [a for a in actions if a.kind == kind.value])
            )
    else:
        for ambito in Ambito:
            groups.append(
                ActionGroup(
                    ambito.value,
                    str(ambito.label),
                    [a for a in actions if any(x.ambito == ambito.value for x in a.ambiti.all())],
                )
            )
        groups.append(ActionGroup("none", "", [a for a in actions if not a.ambiti.all()]))
    return [g for g in groups if g.actions]


def action_for_reading(*, version: PlanVersion, code: str) -> Action:
    """An action of ``version`` with all it shows on its page; 404 if the version has no such code."""
    action = (
        version.actions.select_related("objective", "responsible", "governance_body", "governance_body__kind")
        .prefetch_related(
            "ambiti",
            "partners",
            Prefetch("milestones", queryset=Milestone.objects.order_by("due", "id")),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("code").prefetch_related(
                    Prefetch("measurements", queryset=Measurement.objects.order_by("period_end", "id"))
                ),
            ),
            Prefetch(
                "survey_records",
                queryset=SurveyRecord.objects.select_related("owner", "round").order_by("title", "id"),
            ),
        )
        .filter(code=code)
        .first()
    )
    if action is None:
        raise Http404
    action.version = version
    action.progress = action_progress(action)
    for indicator in action.indicators.all():
        indicator.version = version  # for its address, without a query per indicator
        measurements = list(indicator.measurements.all())
        values = [m for m in measurements if m.value is not None]
        targets = [m for m in measurements if m.target is not None]
        indicator.baseline = next((m for m in measurements if m.is_baseline), None)
        indicator.latest = values[-1] if values else None
        indicator.next_target = targets[-1] if targets else None
    return action


def visible_survey_records(*, action: Action, user) -> list[SurveyRecord]:
    """The survey records linked to ``action`` that ``user`` may see (survey.view_record)."""
    return [r for r in action.survey_records.all() if user.has_perm("survey.view_record", r)]


def timeline_entries(
    versions: QuerySet[PlanVersion] | list[PlanVersion],
) -> list[tuple[PlanVersion, PlanVersion | None]]:
    """Each version with the one before it in the list (None for the first)."""
    versions = list(versions)
    return [(v, versions[i - 1] if i else None) for i, v in enumerate(versions)]
