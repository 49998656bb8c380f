"""Every write of the plan. A published version is immutable: every write here checks it first."""

import re
from datetime import date

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cittasmart.core.ambiti import Ambito
from cittasmart.core.audit import log_action
from cittasmart.plan.models import (
    ACTION_CODE_PREFIX,
    Action,
    ActionAmbito,
    ActionKind,
    Indicator,
    Measurement,
    Milestone,
    Objective,
    Plan,
    PlanVersion,
    VersionStatus,
)

VERSION_FIELDS = (
    "kind",
    "title",
    "summary",
    "approval_body",
    "approval_act_type",
    "approval_act_number",
    "approval_date",
    "documents",
)
ACTION_FIELDS = (
    "code",
    "kind",
    "title",
    "description",
    "objective",
    "responsible",
    "governance_body",
    "horizon",
    "priority",
    "status",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "budget",
    "funding",
    "progress_override",
    "progress_reason",
)
INDICATOR_FIELDS = (
    "code",
    "name",
    "definition",
    "unit",
    "direction",
    "logic_type",
    "level",
    "action",
    "periodicity",
    "source",
    "source_organisation",
    "iso_theme",
    "u4ssc_code",
)
MEASUREMENT_FIELDS = ("period", "period_end", "value", "is_baseline", "target", "quality", "source", "note")


def require_draft(version: PlanVersion) -> None:
    if version.is_published:
        raise ValidationError(_("A published version cannot be changed: create a new version from it."))


def _locked_draft(version: PlanVersion) -> PlanVersion:
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    require_draft(version)
    return version


def set_fields(obj, fields: dict, allowed: tuple[str, ...]) -> dict:
    """Set the allowed ``fields`` on ``obj``; return what changed (name → new value as text)."""
    changed = {}
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"Unknown field: {name}")
        try:
            old = getattr(obj, name)
        except ObjectDoesNotExist:  # a required relation not set yet on a new object
            old = None
        if old != value:
            changed[name] = str(value) if value is not None else None
        setattr(obj, name, value)
    return changed


def save_validated(obj, message: str) -> None:
    """Validate and save ``obj``; a race on a unique value becomes ``message``, never a 500."""
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(message) from exc


# --- Plan and versions ----------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor, title: str, summary: str = "") -> Plan:
    plan = Plan(title=title, summary=summary)
    plan.full_clean()
    plan.save()
    log_action(actor, "plan.plan.created", plan)
    return plan


@transaction.atomic
def version_create(*, actor, plan: Plan, slug: str = "", is_demo: bool = False, **fields) -> PlanVersion:
    """A new draft version. When the plan has versions, it starts as a copy of the newest one."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("There is already a draft version: publish it or continue editing it."))
    source = plan.versions.order_by("-number").first()
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion(plan=plan, number=number, based_on=source, is_demo=is_demo)
    set_fields(version, fields, VERSION_FIELDS)
    version.slug = slugify(slug or fields.get("title", "") or str(number))[:40] or str(number)
    if plan.versions.filter(slug=version.slug).exists():
        raise ValidationError({"slug": _("Another version already has this address.")})
    version.full_clean()
    version.save()
    if source is not None:
        _copy_contents(source, version)
    log_action(actor, "plan.version.created", version, {"based_on": source.pk if source else None})
    return version


def _copy_contents(source: PlanVersion, target: PlanVersion) -> None:
    """Copy everything of ``source`` into the draft ``target``, keeping each object's key."""
    objectives = {}
    for objective in source.objectives.all():
        old_pk = objective.pk
        objective.pk = None
        objective.id = None
        objective.version = target
        objective.save()
        objectives[old_pk] = objective
    actions = {}
    for action in source.actions.prefetch_related("ambiti", "partners", "survey_records", "milestones"):
        old = action
        ambiti = [a.ambito for a in old.ambiti.all()]
        partners = list(old.partners.all())
        records = list(old.survey_records.all())
        milestones = list(old.milestones.all())
        old_pk = old.pk
        action = Action.objects.get(pk=old_pk)
        action.pk = None
        action.id = None
        action.version = target
        action.objective = objectives.get(action.objective_id) if action.objective_id else None
        action.save()
        ActionAmbito.objects.bulk_create([ActionAmbito(action=action, ambito=a) for a in ambiti])
        action.partners.set(partners)
        action.survey_records.set(records)
        for milestone in milestones:
            milestone.pk = None
            milestone.id = None
            milestone.action = action
            milestone.save()
        actions[old_pk] = action
    for indicator in source.indicators.prefetch_related("measurements"):
        measurements = list(indicator.measurements.all())
        indicator.pk = None
        indicator.id = None
        indicator.version = target
        indicator.action = actions.get(indicator.action_id) if indicator.action_id else None
        indicator.save()
        for measurement in measurements:
            measurement.pk = None
            measurement.id = None
            measurement.indicator = indicator
            measurement.save()


@transaction.atomic
def version_update(*, actor, version: PlanVersion, **fields) -> PlanVersion:
    version = _locked_draft(version)
    changed = set_fields(version, fields, VERSION_FIELDS)
    version.full_clean()
    version.save()
    if changed:
        log_action(actor, "plan.version.updated", version, {"changed": changed})
    return version


@transaction.atomic
def version_publish(*, actor, version: PlanVersion, published_on: date | None = None) -> PlanVersion:
    version = _locked_draft(version)
    version.status = VersionStatus.PUBLISHED
    version.published_on = published_on or timezone.localdate()
    version.full_clean()
    version.save(update_fields=["status", "published_on", "updated_at"])
    log_action(actor, "plan.version.published", version)
    return version


@transaction.atomic
def version_delete_draft(*, actor, version: PlanVersion) -> None:
    version = _locked_draft(version)
    log_action(actor, "plan.version.deleted", None, {"version": version.slug, "title": version.title})
    version.delete()


# --- Objectives and actions -----------------------------------------------------------------------------


@transaction.atomic
def objective_save(*, actor, version: PlanVersion, objective: Objective | None = None, **fields) -> Objective:
    version = _locked_draft(version)
    objective = objective or Objective(version=version)
    changed = set_fields(objective, fields, ("title", "description", "ambito", "order"))
    save_validated(objective, _("This objective could not be saved."))
    log_action(actor, "plan.objective.saved", objective, {"changed": changed})
    return objective


def action_code_suggest(*, version: PlanVersion, kind: str) -> str:
    """The next free code of that kind in the version: PR-V<n> for vertical, PR-TRA<n> for transversal."""
    prefix = ACTION_CODE_PREFIX[ActionKind(kind)]
    numbers = [
        int(m.group(1))
        for code in version.actions.filter(kind=kind).values_list("code", flat=True)
        if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", code))
    ]
    return f"{prefix}{max(numbers, default=0) + 1}"


@transaction.atomic
def action_save(
    *,
    actor,
    version: PlanVersion,
    action: Action | None = None,
    ambiti: list[str] | None = None,
    partners=None,
    survey_records=None,
    **fields,
) -> Action:
    version = _locked_draft(version)
    if action is None:
        action = Action(version=version)
        if not fields.get("code") and fields.get("kind"):
            fields["code"] = action_code_suggest(version=version, kind=fields["kind"])
    else:
        action = Action.objects.select_for_update().get(pk=action.pk, version=version)
    if "code" in fields:
        fields["code"] = fields["code"].strip().upper()
    changed = set_fields(action, fields, ACTION_FIELDS)
    if action.objective_id and action.objective.version_id != version.pk:
        raise ValidationError({"objective": _("The objective belongs to another version.")})
    if action.progress_override is None:
        action.progress_reason = ""
    duplicate = Action.objects.filter(version=version, code=action.code).exclude(pk=action.pk)
    if action.code and duplicate.exists():
        raise ValidationError({"code": _("Another action of this version has this code.")})
    action.full_clean()
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError as exc:
        raise ValidationError({"code": _("Another action of this version has this code.")}) from exc
    if ambiti is not None:
        bad = [a for a in ambiti if a not in Ambito.values]
        if bad:
            raise ValidationError({"ambiti": _("Unknown domain: %(value)s.") % {"value": ", ".join(bad)}})
        if sorted(action.ambiti.values_list("ambito", flat=True)) != sorted(set(ambiti)):
            changed["ambiti"] = ",".join(sorted(set(ambiti)))
        action.ambiti.all().delete()
        ActionAmbito.objects.bulk_create([ActionAmbito(action=action, ambito=a) for a in sorted(set(ambiti))])
    if partners is not None:
        action.partners.set(partners)
    if survey_records is not None:
        action.survey_records.set(survey_records)
    log_action(actor, "plan.action.saved", action, {"changed": changed})
    return action


@transaction.atomic
def action_delete(*, actor, action: Action) -> None:
    _locked_draft(action.version)
    log_action(actor, "plan.action.deleted", action.version, {"code": action.code})
    action.delete()


def action_progress(action: Action) -> int | None:
    """Progress in percent: set by hand (with a reason), or the share of milestones done; None without either."""
    if action.progress_override is not None:
        return action.progress_override
    milestones = list(action.milestones.all())
    if not milestones:
        return None
    return round(100 * sum(m.done for m in milestones) / len(milestones))


@transaction.atomic
def milestone_save(*, actor, action: Action, milestone: Milestone | None = None, **fields) -> Milestone:
    _locked_draft(action.version)
    milestone = milestone or Milestone(action=action)
    changed = set_fields(milestone, fields, ("title", "due", "done"))
    save_validated(milestone, _("This milestone could not be saved."))
    log_action(actor, "plan.milestone.saved", action, {"milestone": milestone.title, "changed": changed})
    return milestone


@transaction.atomic
def milestone_delete(*, actor, milestone: Milestone) -> None:
    _locked_draft(milestone.action.version)
    log_action(actor, "plan.milestone.deleted", milestone.action, {"milestone": milestone.title})
    milestone.delete()


# --- Indicators and measurements ------------------------------------------------------------------------


@transaction.atomic
def indicator_save(*, actor, version: PlanVersion, indicator: Indicator | None = None, **fields) -> Indicator:
    version = _locked_draft(version)
    indicator = indicator or Indicator(version=version)
    if "code" in fields:
        fields["code"] = fields["code"].strip().upper()
    changed = set_fields(indicator, fields, INDICATOR_FIELDS)
    try:
        indicator.full_clean()
        with transaction.atomic():
            indicator.save()
    except IntegrityError as exc:
        raise ValidationError({"code": _("Another indicator of this version has this code.")}) from exc
    log_action(actor, "plan.indicator.saved", indicator, {"changed": changed})
    return indicator


@transaction.atomic
def measurement_save(
    *, actor, indicator: Indicator, measurement: Measurement | None = None, **fields
) -> Measurement:
    _locked_draft(indicator.version)
    measurement = measurement or Measurement(indicator=indicator)
    set_fields(measurement, fields, MEASUREMENT_FIELDS)
    if getattr(actor, "is_authenticated", False):
        measurement.entered_by = actor
    try:
        measurement.full_clean()
        with transaction.atomic():
            measurement.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("This indicator already has a measurement for this period, or a baseline.")
        ) from exc
    log_action(
        actor,
        "plan.measurement.saved",
        indicator,
        {"period": measurement.period, "value": str(measurement.value)},
    )
    return measurement


# --- The measurement feed -------------------------------------------------------------------------------
# A measurement is an observation of the world, not plan content (ADR 0012): an organisation's system appends
# new measurements to the indicators it is the source of in the current published version, without changing any
# existing row there, and the draft (if any) gets the same measurement so that the next version carries it.


class MeasurementConflict(Exception):
    """The indicator already has a measurement for the period: a correction goes through the plan office."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def measurement_feed_allowed(*, organisation, indicator: Indicator) -> bool:
    """The one rule of the feed: an organisation writes only the indicators it is the source of."""
    return organisation is not None and indicator.source_organisation_id == organisation.pk


@transaction.atomic
def measurement_append(
    *,
    actor,
    organisation,
    indicator_code: str,
    period: str,
    period_end: date,
    value,
    quality: str = "",
    source_text: str = "",
    note: str = "",
    audit_data: dict | None = None,
) -> Measurement:
    """Append a measurement sent by ``organisation`` to the indicator ``indicator_code`` of the current version.

    Raises ``Indicator.DoesNotExist`` (no such indicator in the current version), ``PermissionDenied`` (the
    organisation is not the indicator's source), ``MeasurementConflict`` (the period is already measured) or
    ``ValidationError`` (invalid values). Targets and baselines are plan content: the feed cannot set them."""
    from django.core.exceptions import PermissionDenied

    from cittasmart.plan.selectors import current_version, plan_get

    plan = plan_get()
    if plan is None:
        raise Indicator.DoesNotExist
    # The lock version_create takes: a draft being copied now either includes this measurement or follows it.
    Plan.objects.select_for_update().get(pk=plan.pk)
    # The lock the draft's services take: the draft cannot be published or changed while the mirror is written.
    draft = PlanVersion.objects.select_for_update().filter(plan=plan, status=VersionStatus.DRAFT).first()
    version = current_version(plan=plan)
    if version is None:
        raise Indicator.DoesNotExist
    indicator = (
        Indicator.objects.select_for_update(of=("self",))
        .select_related("version", "source_organisation")
        .filter(version=version, code=indicator_code)
        .first()
    )
    if indicator is None:
        raise Indicator.DoesNotExist
    if not measurement_feed_allowed(organisation=organisation, indicator=indicator):
        raise PermissionDenied(
            _("Your organisation is not the source of this indicator: only its source may send measurements.")
        )
    if indicator.measurements.filter(period=period).exists():
        raise MeasurementConflict(
            _(
                "This indicator already has a measurement for this period. To correct it, contact the plan "
                "office."
            )
        )
    measurement = Measurement(
        indicator=indicator,
        period=period,
        period_end=period_end,
        value=value,
        quality=quality or "",
        source=source_text or "",
        note=note or "",
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    measurement.full_clean()
    # The published version's rows never change: this is a new row, allowed past the model's last line of defence.
    measurement._allow_published_write = True
    try:
        with transaction.atomic():
            measurement.save()
    except IntegrityError as exc:
        raise MeasurementConflict(_("This indicator already has a measurement for this period.")) from exc
    if draft is not None:
        _measurement_mirror(measurement, draft)
    log_action(
        actor,
        "plan.measurement.received",
        indicator,
        {"period": measurement.period, "value": str(measurement.value), **(audit_data or {})},
    )
    return measurement


def _measurement_mirror(measurement: Measurement, draft: PlanVersion) -> Measurement | None:
    """The same measurement (same key) in the draft's copy of the indicator, unless that period is taken there."""
    target = draft.indicators.filter(key=measurement.indicator.key).first()
    if target is None or target.measurements.filter(period=measurement.period).exists():
        return None
    copy = Measurement(
        indicator=target,
        key=measurement.key,
        period=measurement.period,
        period_end=measurement.period_end,
        value=measurement.value,
        quality=measurement.quality,
        source=measurement.source,
        note=measurement.note,
        entered_by=measurement.entered_by,
    )
    copy.full_clean()
    try:
        with transaction.atomic():
            copy.save()
    except IntegrityError:  # the draft already holds this key (e.g. a measurement entered by hand): keep it
        return None
    return copy
