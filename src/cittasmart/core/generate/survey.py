"""Generated survey: earlier rounds published (every questionnaire validated), the last one open, and the records
of projects and ideas of each round, with impacts, partners and funding."""

import datetime
import string
from decimal import Decimal

from django.utils.text import slugify

from cittasmart.core.ambiti import Ambito
from cittasmart.core.generate import texts
from cittasmart.core.generate.base import Context, allocate, between
from cittasmart.core.generate.stakeholders import unique
from cittasmart.stakeholders.models import OrganisationCategory
from cittasmart.survey.models import (
    FundingSource,
    FundingType,
    Invitation,
    InvitationStatus,
    PartnerRole,
    RecordImpact,
    RecordKind,
    RecordPartner,
    RecordStatus,
    RoundStatus,
    SurveyRecord,
    SurveyRound,
    Visibility,
)

AMBITI = list(Ambito.values)
# The questionnaires of the open round, as the plan office would find them on a given day.
OPEN_ROUND_STATUSES = [
    (InvitationStatus.INVITED, 3),
    (InvitationStatus.IN_PROGRESS, 3),
    (InvitationStatus.SUBMITTED, 2),
    (InvitationStatus.RETURNED, 1),
    (InvitationStatus.VALIDATED, 3),
]
PROJECT_STATUSES = [
    (RecordStatus.PLANNED, 2),
    (RecordStatus.IN_PROGRESS, 4),
    (RecordStatus.COMPLETED, 3),
    (RecordStatus.SUSPENDED, 1),
]
UPDATE_SHARE = 0.3


def _weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _cup(rng) -> str:
    return rng.choice("BCDEFGHJ") + "".join(rng.choices(string.ascii_uppercase + string.digits, k=14))


def generate(ctx: Context) -> None:
    scale = ctx.scale
    clock = ctx.clock
    rng = ctx.rng("survey")
    organisations = ctx.shared["organisations"]
    using = ctx.writer.using

    # Rounds: one every two years, the last one open.
    count = max(scale.survey_rounds, 1)
    slugs_taken = set(SurveyRound.objects.using(using).values_list("slug", flat=True))
    first_round = ctx.writer.reserve(SurveyRound, count)
    rounds = []
    for index in range(count):
        is_open = index == count - 1 and count > 1
        year = clock.anchor.year - 2 * (count - 1 - index)
        opens = datetime.date(year, 2, 1) if not is_open else clock.day(-60)
        closes = datetime.date(year, 6, 30) if not is_open else clock.day(90)
        created = clock.day_start(opens) - datetime.timedelta(days=20)
        title = f"Indagine sullo stato della Smart City {year}"
        slug = unique(slugify(title), slugs_taken, limit=80)
        rounds.append(
            {
                "id": first_round + index,
                "open": is_open,
                "opens": opens,
                "closes": closes,
                "row": (
                    first_round + index,
                    created,
                    created,
                    title,
                    slug,
                    year,
                    "Censimento dei progetti e delle idee di innovazione: dati generati.",
                    opens,
                    closes,
                    RoundStatus.OPEN if is_open else RoundStatus.PUBLISHED,
                    "2.0",
                    first_round + index - 1 if index else None,
                    True,
                ),
            }
        )
    ctx.write(
        "survey rounds",
        SurveyRound,
        [
            "id",
            "created_at",
            "updated_at",
            "title",
            "slug",
            "year",
            "description",
            "opens_on",
            "closes_on",
            "status",
            "questionnaire_version",
            "previous_round_id",
            "is_demo",
        ],
        [r["row"] for r in rounds],
    )
    researchers = [
        pk
        for pk, category in zip(organisations.ids, organisations.categories, strict=True)
        if category == OrganisationCategory.UNIVERSITY_RESEARCH
    ] or [organisations.host_id]
    ctx.write(
        "survey round conductors",
        SurveyRound.conducted_by.through,
        ["surveyround_id", "organisation_id"],
        [(r["id"], researchers[0]) for r in rounds],
    )

    # Invitations: every generated organisation in every round.
    first_invitation = ctx.writer.reserve(Invitation, count * len(organisations.ids))
    invitations, rows = {}, []
    for r_index, survey_round in enumerate(rounds):
        invited = clock.day_start(survey_round["opens"]) + datetime.timedelta(hours=9)
        horizon = min(clock.now, clock.day_start(survey_round["closes"]))
        for o_index, organisation in enumerate(organisations.ids):
            pk = first_invitation + r_index * len(organisations.ids) + o_index
            status = (
                _weighted(rng, OPEN_ROUND_STATUSES) if survey_round["open"] else InvitationStatus.VALIDATED
            )
            submitted = validated = None
            if status in (InvitationStatus.SUBMITTED, InvitationStatus.RETURNED, InvitationStatus.VALIDATED):
                submitted = between(rng, invited, horizon)
            if status == InvitationStatus.VALIDATED:
                validated = between(rng, submitted, horizon)
            filled = status != InvitationStatus.INVITED
            contact = texts.person_name(rng) if filled else ""
            rows.append(
                (
                    pk,
                    invited,
                    validated or submitted or invited,
                    survey_round["id"],
                    organisation,
                    status,
                    contact,
                    "Referente innovazione" if filled else "",
                    f"referente{o_index + 1:04d}@{slugify(organisations.names[o_index])[:40].strip('-')}.example.org"
                    if filled
                    else "",
                    "",
                    rng.randint(5, 2_000) if filled else None,
                    "Ufficio innovazione" if filled else "",
                    "",
                    "Completare le date dei progetti." if status == InvitationStatus.RETURNED else "",
                    invited,
                    submitted,
                    validated,
                )
            )
            invitations[(survey_round["id"], organisation)] = (pk, status)
    ctx.write(
        "survey invitations",
        Invitation,
        [
            "id",
            "created_at",
            "updated_at",
            "round_id",
            "organisation_id",
            "status",
            "contact_name",
            "contact_role",
            "contact_email",
            "contact_phone",
            "employees",
            "smart_city_unit",
            "general_notes",
            "review_comment",
            "invited_at",
            "submitted_at",
            "validated_at",
        ],
        rows,
    )

    # Records: the earlier rounds share 60 %, the open one 40 %; some records of the open round update earlier ones.
    weights = [3.0] * count if count == 1 else [3.0 / (count - 1)] * (count - 1) + [2.0]
    per_round = allocate(scale.survey_records, weights, [scale.survey_records] * count)
    first_record = ctx.writer.reserve(SurveyRecord, scale.survey_records)
    pk = first_record
    earlier: list[tuple[int, int]] = []  # (record id, owner) of the earlier rounds, for updates
    updated: set[int] = set()
    record_rows, impacts, partners, funding = [], [], [], []
    public_validated: list[tuple[int, str]] = []
    owner_weights = [8.0 if o == organisations.host_id else 1.0 for o in organisations.ids]
    for survey_round, how_many in zip(rounds, per_round, strict=True):
        start = clock.day_start(survey_round["opens"])
        end = min(clock.now, clock.day_end(survey_round["closes"]))
        this_round = []
        for _n in range(how_many):
            update_of = None
            owner = rng.choices(organisations.ids, weights=owner_weights)[0]
            if survey_round["open"] and earlier and rng.random() < UPDATE_SHARE:
                candidate = earlier[rng.randrange(len(earlier))]
                if candidate[0] not in updated:
                    update_of, owner = candidate
                    updated.add(update_of)
            invitation, status = invitations[(survey_round["id"], owner)]
            kind = RecordKind.IDEA if rng.random() < 0.35 else RecordKind.PROJECT
            ambito = rng.choice(AMBITI)
            record_status = RecordStatus.IDEA if kind == RecordKind.IDEA else _weighted(rng, PROJECT_STATUSES)
            planned_start = datetime.date(
                survey_round["opens"].year - rng.randint(0, 3), rng.randint(1, 12), 1
            )
            planned_end = planned_start + datetime.timedelta(days=rng.randint(180, 1_500))
            actual_start = actual_end = None
            if record_status in (RecordStatus.IN_PROGRESS, RecordStatus.COMPLETED, RecordStatus.SUSPENDED):
                actual_start = planned_start + datetime.timedelta(days=rng.randint(0, 120))
            if record_status == RecordStatus.COMPLETED:
                actual_end = actual_start + datetime.timedelta(days=rng.randint(90, 1_000))
            latitude = longitude = None
            if rng.random() < 0.3:
                _town, _province, lat, lon = rng.choice(texts.MUNICIPALITIES)
                latitude = Decimal(f"{lat + rng.uniform(-0.02, 0.02):.6f}")
                longitude = Decimal(f"{lon + rng.uniform(-0.02, 0.02):.6f}")
            visibility = Visibility.RESERVED if rng.random() < 0.1 else Visibility.PUBLIC
            is_validated = status == InvitationStatus.VALIDATED
            created = between(rng, start, end)
            title = texts.project_title(rng, ambito)[:250]
            record_rows.append(
                (
                    pk,
                    created,
                    created,
                    survey_round["id"],
                    invitation,
                    owner,
                    kind,
                    title,
                    " ".join(rng.sample(texts.SENTENCES, 3)),
                    ambito,
                    rng.random() < 0.7,
                    rng.random() < 0.3,
                    rng.random() < 0.2,
                    rng.random() < 0.3,
                    record_status,
                    planned_start,
                    planned_end,
                    actual_start,
                    actual_end,
                    Decimal(rng.randint(10, 5_000) * 1_000) if kind == RecordKind.PROJECT else None,
                    _cup(rng) if kind == RecordKind.PROJECT and rng.random() < 0.4 else "",
                    latitude,
                    longitude,
                    f"https://www.example.org/progetti/{pk}" if rng.random() < 0.3 else "",
                    visibility,
                    update_of,
                    is_validated,
                    True,
                )
            )
            for other in rng.sample([a for a in AMBITI if a != ambito], rng.randint(0, 2)):
                impacts.append((pk, other))
            if kind == RecordKind.PROJECT and rng.random() < 0.5:
                for source in rng.sample(list(FundingType.values), rng.randint(1, 2)):
                    funding.append((pk, source, "", Decimal(rng.randint(5, 500) * 1_000)))
            if rng.random() < 0.3 and len(organisations.ids) > 1:
                partner = rng.choice([o for o in organisations.ids if o != owner])
                partners.append((pk, partner, "", rng.choice(list(PartnerRole.values))))
            if is_validated and visibility == Visibility.PUBLIC:
                public_validated.append((pk, ambito))
            this_round.append((pk, owner))
            pk += 1
        earlier.extend(this_round)
    record_columns = [
        "id",
        "created_at",
        "updated_at",
        "round_id",
        "invitation_id",
        "owner_id",
        "kind",
        "title",
        "description",
        "reference_ambito",
        "audience_citizens",
        "audience_businesses",
        "audience_schools",
        "audience_internal",
        "status",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "budget",
        "cup",
        "latitude",
        "longitude",
        "links",
        "visibility",
        "update_of_id",
        "is_validated",
        "is_demo",
    ]
    # Records that update an earlier one come after it, so the rows can be written in order.
    ctx.write("survey records", SurveyRecord, record_columns, record_rows)
    ctx.write("record impacts", RecordImpact, ["record_id", "ambito"], impacts)
    ctx.write("record funding", FundingSource, ["record_id", "type", "programme", "amount"], funding)
    ctx.write("record partners", RecordPartner, ["record_id", "organisation_id", "name", "role"], partners)
    ctx.shared["public_records"] = public_validated
