"""Generated plan: a published version (added to the instance's plan, or to a new one) with an objective per domain,
actions with their domains, partners, survey records and milestones, indicators and their measurements."""

import datetime
import uuid
from decimal import Decimal

from django.db.models import Max

from cittasmart.core.ambiti import Ambito
from cittasmart.core.generate import texts
from cittasmart.core.generate.base import Context, allocate
from cittasmart.core.generate.stakeholders import unique
from cittasmart.plan.models import (
    Action,
    ActionAmbito,
    ActionKind,
    ActionStatus,
    DataQuality,
    Direction,
    Horizon,
    Indicator,
    IndicatorLevel,
    LogicType,
    Measurement,
    Milestone,
    Objective,
    Periodicity,
    Plan,
    PlanVersion,
    Priority,
    VersionKind,
    VersionStatus,
)

AMBITI = list(Ambito.values)
ACTION_STATUSES = [
    (ActionStatus.PROPOSED, 1),
    (ActionStatus.APPROVED, 3),
    (ActionStatus.IN_PROGRESS, 4),
    (ActionStatus.COMPLETED, 2),
    (ActionStatus.SUSPENDED, 1),
    (ActionStatus.DROPPED, 1),
]
TARGET_ONLY_SHARE = 0.3


def _weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _key(rng) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _last_day(year: int, month: int) -> datetime.date:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def _periods(
    periodicity: str, count: int, last: datetime.date, ahead: int
) -> list[tuple[str, datetime.date]]:
    """``count`` consecutive periods ending ``ahead`` periods after the one containing ``last``: (label, last day)."""
    if periodicity == Periodicity.YEARLY:
        end = last.year + ahead
        return [(str(year), datetime.date(year, 12, 31)) for year in range(end - count + 1, end + 1)]
    result = []
    if periodicity == Periodicity.QUARTERLY:
        end = last.year * 4 + (last.month - 1) // 3 + ahead
        for n in range(end - count + 1, end + 1):
            year, quarter = divmod(n, 4)
            result.append((f"{year}-Q{quarter + 1}", _last_day(year, quarter * 3 + 3)))
    else:
        end = last.year * 12 + last.month - 1 + ahead
        for n in range(end - count + 1, end + 1):
            year, month = divmod(n, 12)
            result.append((f"{year}-{month + 1:02d}", _last_day(year, month + 1)))
    return result


def _version(ctx: Context) -> tuple[int, int]:
    """The generated version: the next number of the instance's plan (created if there is none)."""
    clock = ctx.clock
    using = ctx.writer.using
    plan = Plan.objects.using(using).order_by("id").values_list("pk", flat=True).first()
    if plan is None:
        plan = ctx.writer.reserve(Plan, 1)
        created = clock.now - datetime.timedelta(days=1_500)
        ctx.write(
            "plan",
            Plan,
            ["id", "created_at", "updated_at", "title", "summary"],
            [(plan, created, created, "Piano Smart City", "Il piano Smart City del Comune: dati generati.")],
        )
    number = (PlanVersion.objects.using(using).filter(plan=plan).aggregate(n=Max("number"))["n"] or 0) + 1
    slugs = set(PlanVersion.objects.using(using).values_list("slug", flat=True))
    slug = unique(f"{clock.anchor.year}-dati-generati", slugs, limit=40)
    version = ctx.writer.reserve(PlanVersion, 1)
    published = clock.day(-120)
    created = clock.day_start(published) - datetime.timedelta(days=60)
    ctx.write(
        "plan version",
        PlanVersion,
        [
            "id",
            "created_at",
            "updated_at",
            "plan_id",
            "number",
            "slug",
            "kind",
            "title",
            "summary",
            "status",
            "approval_body",
            "approval_act_type",
            "approval_act_number",
            "approval_date",
            "published_on",
            "documents",
            "based_on_id",
            "is_demo",
        ],
        [
            (
                version,
                created,
                clock.day_start(published),
                plan,
                number,
                slug,
                VersionKind.GUIDELINES if number == 1 else VersionKind.UPDATE_NOTE,
                f"Piano Smart City {clock.anchor.year} (dati generati)",
                "Versione del piano creata con i dati generati per le prove di carico.",
                VersionStatus.PUBLISHED,
                "Consiglio comunale",
                "Delibera",
                f"{number}/{published.year}",
                published - datetime.timedelta(days=10),
                published,
                "",
                None,
                True,
            )
        ],
    )
    return plan, version


def generate(ctx: Context) -> None:
    scale = ctx.scale
    clock = ctx.clock
    rng = ctx.rng("plan")
    organisations = ctx.shared["organisations"]
    _plan, version = _version(ctx)
    created = clock.day_start(clock.day(-180))

    # One objective per domain.
    first_objective = ctx.writer.reserve(Objective, len(AMBITI))
    objectives = {}
    rows = []
    for order, ambito in enumerate(AMBITI, start=1):
        pk = first_objective + order - 1
        objectives[ambito] = pk
        title = f"Obiettivo {Ambito(ambito).label}"
        rows.append(
            (
                pk,
                created,
                created,
                _key(rng),
                version,
                title,
                " ".join(rng.sample(texts.SENTENCES, 2)),
                ambito,
                order,
            )
        )
    ctx.write(
        "objectives",
        Objective,
        ["id", "created_at", "updated_at", "key", "version_id", "title", "description", "ambito", "order"],
        rows,
    )

    # Actions.
    first_action = ctx.writer.reserve(Action, scale.actions)
    numbers = {ActionKind.VERTICAL: 0, ActionKind.TRANSVERSAL: 0}
    prefix = {ActionKind.VERTICAL: "PR-V", ActionKind.TRANSVERSAL: "PR-TRA"}
    actions, rows, ambiti_rows, partner_rows, record_rows, milestone_rows = [], [], [], [], [], []
    records_by_ambito: dict[str, list[int]] = {}
    for pk, ambito in ctx.shared.get("public_records", []):
        records_by_ambito.setdefault(ambito, []).append(pk)
    for index in range(scale.actions):
        pk = first_action + index
        kind = ActionKind.TRANSVERSAL if rng.random() < 0.3 else ActionKind.VERTICAL
        numbers[kind] += 1
        code = f"{prefix[kind]}{numbers[kind]}"
        ambito = rng.choice(AMBITI)
        status = _weighted(rng, ACTION_STATUSES)
        planned_start = clock.day(-rng.randint(100, 1_500))
        planned_end = planned_start + datetime.timedelta(days=rng.randint(180, 1_800))
        actual_start = actual_end = None
        if status in (ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED, ActionStatus.SUSPENDED):
            actual_start = planned_start + datetime.timedelta(days=rng.randint(0, 90))
        if status == ActionStatus.COMPLETED:
            actual_end = actual_start + datetime.timedelta(days=rng.randint(60, 900))
        override = reason = None
        if rng.random() < 0.1:
            override, reason = rng.randint(0, 100), "Stato comunicato dal responsabile dell'azione."
        title = texts.project_title(rng, ambito)[:250]
        rows.append(
            (
                pk,
                created,
                created,
                _key(rng),
                version,
                code,
                kind,
                title,
                "\n\n".join(texts.paragraphs(rng, 1, 2)),
                objectives[ambito],
                rng.choice(organisations.ids),
                None,
                rng.choice(list(Horizon.values)),
                rng.choice(list(Priority.values)),
                status,
                planned_start,
                planned_end,
                actual_start,
                actual_end,
                Decimal(rng.randint(50, 20_000) * 1_000),
                rng.choice(["Fondi comunali", "PNRR", "Fondi europei FESR", "Regione Toscana", ""]),
                override,
                reason or "",
            )
        )
        actions.append(pk)
        for other in sorted({ambito, *rng.sample(AMBITI, rng.randint(0, 1))}):
            ambiti_rows.append((pk, other))
        for partner in rng.sample(organisations.ids, min(len(organisations.ids), rng.randint(0, 2))):
            partner_rows.append((pk, partner))
        candidates = records_by_ambito.get(ambito, [])
        for record in rng.sample(candidates, min(len(candidates), rng.randint(0, 3))):
            record_rows.append((pk, record))
        for _m in range(rng.randint(0, 3)):
            due = planned_start + datetime.timedelta(days=rng.randint(30, 900))
            done = due < clock.anchor and rng.random() < 0.7
            milestone_rows.append(
                (
                    created,
                    created,
                    _key(rng),
                    pk,
                    f"Fase {_m + 1}: {texts.subject(rng, ambito)}"[:250],
                    due,
                    done,
                )
            )
    ctx.write(
        "actions",
        Action,
        [
            "id",
            "created_at",
            "updated_at",
            "key",
            "version_id",
            "code",
            "kind",
            "title",
            "description",
            "objective_id",
            "responsible_id",
            "governance_body_id",
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
        ],
        rows,
    )
    ctx.write("action domains", ActionAmbito, ["action_id", "ambito"], ambiti_rows)
    ctx.write("action partners", Action.partners.through, ["action_id", "organisation_id"], partner_rows)
    ctx.write(
        "action survey records", Action.survey_records.through, ["action_id", "surveyrecord_id"], record_rows
    )
    ctx.write(
        "milestones",
        Milestone,
        ["created_at", "updated_at", "key", "action_id", "title", "due", "done"],
        milestone_rows,
    )
    ctx.shared["version"] = version
    ctx.shared["actions"] = actions

    # Indicators, and their measurements spread evenly.
    indicators = max(1, min(scale.indicators, scale.measurements)) if scale.measurements else scale.indicators
    first_indicator = ctx.writer.reserve(Indicator, indicators)
    per_indicator = allocate(scale.measurements, [1.0] * indicators, [scale.measurements] * indicators)
    indicator_rows, measurement_rows = [], []
    last_month = clock.anchor.replace(day=1) - datetime.timedelta(days=1)
    for index in range(indicators):
        pk = first_indicator + index
        base, unit = rng.choice(texts.INDICATOR_NAMES)
        town = rng.choice(texts.MUNICIPALITIES)[0]
        periodicity = rng.choice([Periodicity.YEARLY, Periodicity.QUARTERLY, Periodicity.MONTHLY])
        level = IndicatorLevel.ACTION if actions and rng.random() < 0.4 else IndicatorLevel.CITY
        direction = Direction.LOWER if rng.random() < 0.25 else Direction.HIGHER
        indicator_rows.append(
            (
                pk,
                created,
                created,
                _key(rng),
                version,
                f"IND-{index + 1:04d}",
                f"{base} ({town})"[:250],
                "Definizione dell'indicatore: dati generati.",
                unit,
                direction,
                rng.choice(list(LogicType.values)),
                level,
                rng.choice(actions) if level == IndicatorLevel.ACTION else None,
                periodicity,
                "Ufficio statistica (dati generati)",
                rng.choice(organisations.ids),
                "",
                "",
            )
        )
        count = per_indicator[index]
        if not count:
            continue
        target_only = count > 1 and rng.random() < TARGET_ONLY_SHARE
        value = rng.uniform(10, 1_000)
        for position, (period, period_end) in enumerate(
            _periods(periodicity, count, last_month, 1 if target_only else 0)
        ):
            value = max(0.0, value * rng.uniform(0.95, 1.08))
            is_target = target_only and position == count - 1
            measurement_value = None if is_target else Decimal(f"{value:.4f}")
            target = Decimal(f"{value * 1.1:.4f}") if is_target or rng.random() < 0.1 else None
            measurement_rows.append(
                (
                    created,
                    created,
                    _key(rng),
                    pk,
                    period,
                    period_end,
                    measurement_value,
                    position == 0,
                    target,
                    rng.choice([DataQuality.OFFICIAL, DataQuality.ADMINISTRATIVE, DataQuality.ESTIMATE]),
                    "Dati generati",
                    "",
                    None,
                )
            )
    ctx.write(
        "indicators",
        Indicator,
        [
            "id",
            "created_at",
            "updated_at",
            "key",
            "version_id",
            "code",
            "name",
            "definition",
            "unit",
            "direction",
            "logic_type",
            "level",
            "action_id",
            "periodicity",
            "source",
            "source_organisation_id",
            "iso_theme",
            "u4ssc_code",
        ],
        indicator_rows,
    )
    ctx.write(
        "measurements",
        Measurement,
        [
            "created_at",
            "updated_at",
            "key",
            "indicator_id",
            "period",
            "period_end",
            "value",
            "is_baseline",
            "target",
            "quality",
            "source",
            "note",
            "entered_by_id",
        ],
        measurement_rows,
    )
