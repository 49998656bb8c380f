"""What changed between two plan versions.

Objects are matched by their ``key`` (kept when a version is copied), never by primary key or code: an action whose
code was changed is still the same action. Values are turned into display strings here (choice labels, localised
dates and amounts) so that the partial ``plan/_diff_body.html`` only lays them out.
"""

import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import formats
from django.utils.translation import gettext as _

from cittasmart.core.ambiti import Ambito
from cittasmart.plan.models import Action, Indicator, Measurement, Milestone, PlanVersion
from cittasmart.plan.services import action_progress


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class TextSegment:
    """A run of words: ``op`` is "equal", "insert" or "delete"."""

    op: str
    text: str


@dataclass
class MilestoneDoneChange:
    title: str
    old_done: bool
    new_done: bool


@dataclass
class ActionChange:
    old: Action
    new: Action
    fields: list[FieldChange] = field(default_factory=list)
    description: list[TextSegment] = field(default_factory=list)
    milestones_added: list[Milestone] = field(default_factory=list)
    milestones_removed: list[Milestone] = field(default_factory=list)
    milestones_done: list[MilestoneDoneChange] = field(default_factory=list)

    @property
    def description_changed(self) -> bool:
        return any(segment.op != "equal" for segment in self.description)

    @property
    def has_changes(self) -> bool:
        return bool(
            self.fields
            or self.description_changed
            or self.milestones_added
            or self.milestones_removed
            or self.milestones_done
        )


@dataclass(frozen=True)
class TargetChange:
    period: str
    old: str
    new: str


@dataclass
class IndicatorChange:
    old: Indicator
    new: Indicator
    fields: list[FieldChange] = field(default_factory=list)
    target_changes: list[TargetChange] = field(default_factory=list)
    new_targets: list[Measurement] = field(default_factory=list)
    measurements_added: list[Measurement] = field(default_factory=list)
    measurements_removed: list[Measurement] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(
            self.fields
            or self.target_changes
            or self.new_targets
            or self.measurements_added
            or self.measurements_removed
        )


@dataclass
class VersionDiff:
    old: PlanVersion
    new: PlanVersion
    actions_added: list[Action] = field(default_factory=list)
    actions_removed: list[Action] = field(default_factory=list)
    actions_changed: list[ActionChange] = field(default_factory=list)
    indicators_added: list[Indicator] = field(default_factory=list)
    indicators_removed: list[Indicator] = field(default_factory=list)
    indicators_changed: list[IndicatorChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.actions_added
            or self.actions_removed
            or self.actions_changed
            or self.indicators_added
            or self.indicators_removed
            or self.indicators_changed
        )

    def action_change(self, code: str) -> ActionChange | None:
        """The change of the action that has ``code`` in the newer version (handy in tests)."""
        return next((c for c in self.actions_changed if c.new.code == code), None)

    def indicator_change(self, code: str) -> IndicatorChange | None:
        return next((c for c in self.indicators_changed if c.new.code == code), None)


# --- Formatting -------------------------------------------------------------------------------------------


def _date(value: date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _amount(value: Decimal | None) -> str:
    if value is None:
        return ""
    return formats.number_format(value, 2, force_grouping=True)


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return formats.number_format(Decimal(text), decimal_pos=None, force_grouping=True)


def _percent(value: int | None) -> str:
    return "" if value is None else f"{value}%"


def _ambiti(action: Action) -> str:
    slugs = sorted(a.ambito for a in action.ambiti.all())
    return ", ".join(str(Ambito(slug).label) if slug in Ambito.values else slug for slug in slugs)


def _partners(action: Action) -> str:
    return ", ".join(sorted(o.name for o in action.partners.all()))


def _choice(obj, name: str) -> str:
    return str(getattr(obj, f"get_{name}_display")()) if getattr(obj, name) else ""


# (field name, label, how to show the value of an action)
ACTION_COMPARED = (
    ("code", lambda: _("Code"), lambda a: a.code),
    ("kind", lambda: _("Kind"), lambda a: _choice(a, "kind")),
    ("title", lambda: _("Title"), lambda a: a.title),
    ("status", lambda: _("Status"), lambda a: _choice(a, "status")),
    ("objective", lambda: _("Objective"), lambda a: a.objective.title if a.objective else ""),
    ("ambiti", lambda: _("Domains"), _ambiti),
    (
        "responsible",
        lambda: _("Responsible organisation"),
        lambda a: a.responsible.name if a.responsible else "",
    ),
    ("partners", lambda: _("Partner stakeholders"), _partners),
    (
        "governance_body",
        lambda: _("Body in charge"),
        lambda a: a.governance_body.name if a.governance_body else "",
    ),
    ("horizon", lambda: _("Horizon"), lambda a: _choice(a, "horizon")),
    ("priority", lambda: _("Priority"), lambda a: _choice(a, "priority")),
    ("planned_start", lambda: _("Planned start"), lambda a: _date(a.planned_start)),
    ("planned_end", lambda: _("Planned end"), lambda a: _date(a.planned_end)),
    ("actual_start", lambda: _("Actual start"), lambda a: _date(a.actual_start)),
    ("actual_end", lambda: _("Actual end"), lambda a: _date(a.actual_end)),
    ("budget", lambda: _("Estimated budget (euro)"), lambda a: _amount(a.budget)),
    ("funding", lambda: _("Funding"), lambda a: a.funding),
    ("progress", lambda: _("Progress"), lambda a: _percent(action_progress(a))),
    ("progress_reason", lambda: _("Reason for the progress set by hand"), lambda a: a.progress_reason),
)

INDICATOR_COMPARED = (
    ("code", lambda: _("Code"), lambda i: i.code),
    ("name", lambda: _("Name"), lambda i: i.name),
    ("definition", lambda: _("Definition"), lambda i: i.definition),
    ("unit", lambda: _("Unit"), lambda i: i.unit),
    ("direction", lambda: _("Direction"), lambda i: _choice(i, "direction")),
    ("logic_type", lambda: _("Logic type"), lambda i: _choice(i, "logic_type")),
    ("level", lambda: _("Level"), lambda i: _choice(i, "level")),
    ("action", lambda: _("Action"), lambda i: i.action.code if i.action else ""),
    ("periodicity", lambda: _("Periodicity"), lambda i: _choice(i, "periodicity")),
    ("source", lambda: _("Source"), lambda i: i.source),
    (
        "source_organisation",
        lambda: _("Source organisation"),
        lambda i: i.source_organisation.name if i.source_organisation else "",
    ),
    ("iso_theme", lambda: _("ISO 37120/37122 theme"), lambda i: i.iso_theme),
    ("u4ssc_code", lambda: _("U4SSC KPI code"), lambda i: i.u4ssc_code),
)


def _field_changes(old, new, compared) -> list[FieldChange]:
    changes = []
    for name, label, show in compared:
        before, after = show(old), show(new)
        if before != after:
            changes.append(FieldChange(name=name, label=label(), old=before, new=after))
    return changes


_TOKENS = re.compile(r"\s+|[^\s]+")


def text_diff(old: str, new: str) -> list[TextSegment]:
    """A word-level difference of two texts (whitespace is kept, so the text reads as written)."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    segments: list[TextSegment] = []

    def add(op: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1] = TextSegment(op, segments[-1].text + text)
        else:
            segments.append(TextSegment(op, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    chunks = [(op == "equal", a[i1:i2], b[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes()]
    # A lone space kept between two changed words would split "old town" → "historic centre" into word pairs:
    # fold it into the change so that each change reads as one phrase.
    merged: list[tuple[bool, list[str], list[str]]] = []
    for index, (equal, old_tokens, new_tokens) in enumerate(chunks):
        between_changes = 0 < index < len(chunks) - 1 and not chunks[index + 1][0]
        if equal and between_changes and all(t.isspace() for t in old_tokens):
            equal = False
        if merged and not equal and not merged[-1][0]:
            merged[-1] = (False, merged[-1][1] + old_tokens, merged[-1][2] + new_tokens)
        else:
            merged.append((equal, list(old_tokens), list(new_tokens)))
    for equal, old_tokens, new_tokens in merged:
        if equal:
            add("equal", old_tokens)
        else:
            add("delete", old_tokens)
            add("insert", new_tokens)
    return segments


# --- Loading ----------------------------------------------------------------------------------------------


def _actions(version: PlanVersion) -> dict:
    qs = version.actions.select_related("objective", "responsible", "governance_body").prefetch_related(
        "ambiti", "partners", Prefetch("milestones", queryset=Milestone.objects.order_by("due", "id"))
    )
    return {action.key: action for action in qs}


def _indicators(version: PlanVersion) -> dict:
    qs = version.indicators.select_related("action", "source_organisation").prefetch_related(
        Prefetch("measurements", queryset=Measurement.objects.order_by("period_end", "id"))
    )
    return {indicator.key: indicator for indicator in qs}


def _ordered(keys, objects: dict) -> list:
    return sorted((objects[k] for k in keys), key=lambda o: (getattr(o, "kind", ""), o.code))


# --- Comparison -------------------------------------------------------------------------------------------


def _action_change(old: Action, new: Action) -> ActionChange:
    change = ActionChange(old=old, new=new, fields=_field_changes(old, new, ACTION_COMPARED))
    if old.description != new.description:
        change.description = text_diff(old.description, new.description)
    old_ms = {m.key: m for m in old.milestones.all()}
    new_ms = {m.key: m for m in new.milestones.all()}
    change.milestones_added = [m for k, m in new_ms.items() if k not in old_ms]
    change.milestones_removed = [m for k, m in old_ms.items() if k not in new_ms]
    change.milestones_done = [
        MilestoneDoneChange(title=m.title, old_done=old_ms[k].done, new_done=m.done)
        for k, m in new_ms.items()
        if k in old_ms and old_ms[k].done != m.done
    ]
    return change


def _indicator_change(old: Indicator, new: Indicator) -> IndicatorChange:
    change = IndicatorChange(old=old, new=new, fields=_field_changes(old, new, INDICATOR_COMPARED))
    old_ms = {m.key: m for m in old.measurements.all()}
    new_ms = {m.key: m for m in new.measurements.all()}
    for key, measurement in new_ms.items():
        before = old_ms.get(key)
        if before is None:
            change.measurements_added.append(measurement)
            if measurement.target is not None:
                change.new_targets.append(measurement)
        elif before.target != measurement.target:
            change.target_changes.append(
                TargetChange(
                    period=measurement.period, old=_number(before.target), new=_number(measurement.target)
                )
            )
    change.measurements_removed = [m for k, m in old_ms.items() if k not in new_ms]
    return change


def version_diff(old: PlanVersion, new: PlanVersion) -> VersionDiff:
    """Everything that differs from ``old`` to ``new``: a constant number of queries whatever their size."""
    result = VersionDiff(old=old, new=new)
    old_actions, new_actions = _actions(old), _actions(new)
    result.actions_added = _ordered(new_actions.keys() - old_actions.keys(), new_actions)
    result.actions_removed = _ordered(old_actions.keys() - new_actions.keys(), old_actions)
    for action in _ordered(new_actions.keys() & old_actions.keys(), new_actions):
        change = _action_change(old_actions[action.key], action)
        if change.has_changes:
            result.actions_changed.append(change)

    old_indicators, new_indicators = _indicators(old), _indicators(new)
    result.indicators_added = _ordered(new_indicators.keys() - old_indicators.keys(), new_indicators)
    result.indicators_removed = _ordered(old_indicators.keys() - new_indicators.keys(), old_indicators)
    for indicator in _ordered(new_indicators.keys() & old_indicators.keys(), new_indicators):
        change = _indicator_change(old_indicators[indicator.key], indicator)
        if change.has_changes:
            result.indicators_changed.append(change)
    return result
