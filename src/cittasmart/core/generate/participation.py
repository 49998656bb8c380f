"""Generated participation: processes in every timing (open, in evaluation, in feedback, concluded, upcoming, draft)
with their phases, ideas only where and when a collecting phase accepted them, supports and comments only while
the phases and the state of the idea allowed them, follows, official answers, and counters equal to the rows.

Each idea draws its texts, supports and comments from its own random stream, so the counters can be computed before
the idea is written (the rows of a table are final when they are written: nothing is updated afterwards).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import slugify

from cittasmart.core.ambiti import Ambito
from cittasmart.core.generate import texts
from cittasmart.core.generate.base import CHUNK_ROWS, Context, allocate, between
from cittasmart.core.generate.stakeholders import unique
from cittasmart.core.roles import Role
from cittasmart.participation.models import (
    Comment,
    CommentStatus,
    Follow,
    Idea,
    IdeaAnswer,
    IdeaStatus,
    Outcome,
    Phase,
    PhaseKind,
    Process,
    ProcessAmbito,
    Support,
)

# Which timing each process has, in turn: the first one is open (collecting ideas around the anchor day).
TIMING_CYCLE = [
    "open",
    "past",
    "upcoming",
    "evaluation",
    "draft",
    "feedback",
    "past",
    "open",
    "past",
    "evaluation",
]
PHASE_KINDS = [PhaseKind.INFORMATION, PhaseKind.COLLECTING, PhaseKind.EVALUATION, PhaseKind.FEEDBACK]
# (first day, last day) of the information, collecting, evaluation and feedback phases, from the anchor day.
PHASE_DAYS = {
    "open": ((-90, -61), (-60, 60), (61, 90), (91, 180)),
    "evaluation": ((-240, -181), (-180, -31), (-30, 30), (31, 120)),
    "feedback": ((-420, -331), (-330, -151), (-150, -91), (-90, 90)),
    "past": ((-900, -841), (-840, -600), (-599, -500), (-499, -300)),
    "upcoming": ((15, 45), (46, 120), (121, 150), (151, 240)),
    "draft": ((30, 60), (61, 150), (151, 180), (181, 270)),
}
# Each further concluded process is older by this much (cycling over four).
PAST_SHIFT_DAYS = 250
# Where ideas go: only processes whose collecting phase has begun.
IDEA_WEIGHT = {"open": 3.0, "evaluation": 2.0, "feedback": 1.5, "past": 1.0}
IDEA_STATUSES = {
    "open": [("published", 80), ("evaluating", 5), ("answered", 5), ("withdrawn", 4), ("pending", 6)],
    "evaluation": [("published", 30), ("evaluating", 25), ("answered", 35), ("withdrawn", 5), ("pending", 5)],
    "feedback": [("published", 10), ("evaluating", 10), ("answered", 70), ("withdrawn", 5), ("pending", 5)],
    "past": [("published", 15), ("evaluating", 5), ("answered", 70), ("withdrawn", 10)],
}
OUTCOMES = [
    (Outcome.ACCEPTED, 35),
    (Outcome.PARTIAL, 25),
    (Outcome.ALREADY_PLANNED, 15),
    (Outcome.REJECTED, 25),
]
# Supports and comments follow a capped Pareto law: the most supported idea has about a hundred times the median.
POPULARITY_CAP = 250.0
HIDDEN_SHARE = 0.015
REPLY_SHARE = 0.3
PUBLIC = {IdeaStatus.PUBLISHED, IdeaStatus.EVALUATING, IdeaStatus.ANSWERED, IdeaStatus.WITHDRAWN}
HIDDEN_REASON = "Contenuto non pertinente con il processo."
UNLIMITED = 10**9


def _weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class ProcessPlan:
    id: int
    index: int
    timing: str
    published: bool
    review: bool
    phases: list[tuple[str, datetime.date, datetime.date]]
    ambiti: list[str]
    collect_start: datetime.datetime = field(init=False)
    collect_end: datetime.datetime = field(init=False)
    last_end: datetime.datetime = field(init=False)


class IdeaPlan:
    __slots__ = (
        "answered_at",
        "author",
        "comment_end",
        "comments",
        "counted",
        "created",
        "hidden",
        "id",
        "index",
        "process",
        "status",
        "support_end",
        "supports",
        "withdrawn_at",
    )

    def __init__(self, **values):
        for name in self.__slots__:
            setattr(self, name, values.get(name))


def _comment_flags(rng, count: int, review: bool) -> list[tuple[str, bool, bool]]:
    """(status, hidden, deleted) of each comment of an idea: the first draws of the idea's comment stream."""
    flags = []
    for _n in range(count):
        pending, hidden, deleted = rng.random(), rng.random(), rng.random()
        if review and pending < 0.05:
            flags.append((CommentStatus.PENDING, False, False))
        else:
            flags.append((CommentStatus.PUBLISHED, hidden < 0.02, deleted < 0.02))
    return flags


def _processes(ctx: Context) -> list[ProcessPlan]:
    scale, clock = ctx.scale, ctx.clock
    rng = ctx.rng("processes")
    using = ctx.writer.using
    organisations = ctx.shared["organisations"]
    actions = ctx.shared.get("actions", [])
    slugs = set(Process.objects.using(using).values_list("slug", flat=True))
    first = ctx.writer.reserve(Process, scale.processes)
    plans, rows, phase_rows, ambito_rows, action_rows = [], [], [], [], []
    past_seen = 0
    for index in range(scale.processes):
        timing = TIMING_CYCLE[index % len(TIMING_CYCLE)]
        shift = 0
        if timing == "past":
            shift = -PAST_SHIFT_DAYS * (past_seen % 4)
            past_seen += 1
        jitter = rng.randint(-5, 5)
        phases = [
            (kind, clock.day(start + shift + jitter), clock.day(end + shift + jitter))
            for kind, (start, end) in zip(PHASE_KINDS, PHASE_DAYS[timing], strict=True)
        ]
        plan = ProcessPlan(
            id=first + index,
            index=index,
            timing=timing,
            published=timing != "draft",
            review=index % 4 == 3,
            phases=phases,
            ambiti=sorted(rng.sample(Ambito.values, rng.randint(2, 3))),
        )
        plan.collect_start = clock.day_start(phases[1][1])
        plan.collect_end = clock.day_end(phases[1][2])
        plan.last_end = clock.day_end(phases[3][2])
        plans.append(plan)
        topic = texts.PROCESS_TOPICS[index % len(texts.PROCESS_TOPICS)]
        title = f"{topic} {phases[1][1].year}"
        slug = unique(slugify(title), slugs, limit=80)
        description, description_html = texts.markdown_pair(texts.paragraphs(rng, 2, 3))
        created = clock.day_start(phases[0][1]) - datetime.timedelta(days=10)
        rows.append(
            (
                plan.id,
                created,
                created,
                title,
                slug,
                f"Proposte e idee per {topic.lower()}: un processo di esempio con dati generati.",
                description,
                description_html,
                organisations.host_id,
                ctx.shared.get("version"),
                "",
                "",
                plan.published,
                plan.review,
                True,
            )
        )
        for kind, starts_on, ends_on in phases:
            phase_rows.append((created, created, plan.id, kind, "", "", starts_on, ends_on))
        ambito_rows.extend((plan.id, ambito) for ambito in plan.ambiti)
        action_rows.extend((plan.id, a) for a in rng.sample(actions, min(len(actions), rng.randint(0, 3))))
    ctx.write(
        "processes",
        Process,
        [
            "id",
            "created_at",
            "updated_at",
            "title",
            "slug",
            "summary",
            "description",
            "description_html",
            "organiser_id",
            "plan_version_id",
            "image",
            "image_alt",
            "is_published",
            "first_post_review",
            "is_demo",
        ],
        rows,
    )
    ctx.write(
        "phases",
        Phase,
        ["created_at", "updated_at", "process_id", "kind", "title", "description", "starts_on", "ends_on"],
        phase_rows,
    )
    ctx.write("process domains", ProcessAmbito, ["process_id", "ambito"], ambito_rows)
    ctx.write("process actions", Process.actions.through, ["process_id", "action_id"], action_rows)
    return plans


def _plan_ideas(ctx: Context, processes: list[ProcessPlan]) -> list[IdeaPlan]:
    scale, clock = ctx.scale, ctx.clock
    people = ctx.shared["people"]
    rng = ctx.rng("ideas")
    now = clock.now
    hosts = [p for p in processes if p.published and p.timing in IDEA_WEIGHT]
    if scale.ideas and not hosts:
        raise ValueError("No process collects ideas: generate at least two processes.")
    per_process = allocate(scale.ideas, [IDEA_WEIGHT[p.timing] for p in hosts], [UNLIMITED] * len(hosts))
    first = ctx.writer.reserve(Idea, scale.ideas)
    ideas = []
    for process, how_many in zip(hosts, per_process, strict=True):
        window_end = min(process.collect_end, now)
        answer_end = min(process.last_end, now)
        statuses = [(s, w) for s, w in IDEA_STATUSES[process.timing] if s != "pending" or process.review]
        for _n in range(how_many):
            created = between(rng, process.collect_start, window_end)
            status = _weighted(rng, statuses)
            author = rng.randrange(people.joined_by(created))
            idea = IdeaPlan(
                id=first + len(ideas),
                index=len(ideas),
                process=process,
                created=created,
                status=status,
                author=author,
                hidden=status != IdeaStatus.PENDING and rng.random() < HIDDEN_SHARE,
            )
            support_end, comment_end = window_end, answer_end
            if status == IdeaStatus.WITHDRAWN:
                idea.withdrawn_at = between(rng, created, window_end)
                support_end = comment_end = idea.withdrawn_at
            elif status == IdeaStatus.ANSWERED:
                idea.answered_at = between(rng, created, answer_end)
                support_end = min(support_end, idea.answered_at)
            idea.support_end, idea.comment_end = support_end, comment_end
            ideas.append(idea)
    # Supports and comments: a few ideas gather most of them, as on every participation platform.
    support_weights, comment_weights, support_caps, comment_caps = [], [], [], []
    for idea in ideas:
        popularity = min(rng.paretovariate(1.5), POPULARITY_CAP)
        public = idea.status in PUBLIC
        support_weights.append(popularity)
        comment_weights.append(popularity**0.5 * rng.uniform(0.5, 1.5))
        open_for_supports = public and idea.support_end > idea.created
        support_caps.append(people.joined_by(idea.support_end) if open_for_supports else 0)
        comment_caps.append(UNLIMITED if public and idea.comment_end > idea.created else 0)
    supports = allocate(scale.supports, support_weights, support_caps)
    comments = allocate(scale.comments, comment_weights, comment_caps)
    for idea, support_count, comment_count in zip(ideas, supports, comments, strict=True):
        idea.supports, idea.comments = support_count, comment_count
        flags = _comment_flags(ctx.rng("comments", idea.index), comment_count, idea.process.review)
        idea.counted = sum(
            1 for status, hidden, deleted in flags if status == "published" and not (hidden or deleted)
        )
    return ideas


IDEA_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "process_id",
    "title",
    "body",
    "body_html",
    "ambito",
    "place_name",
    "latitude",
    "longitude",
    "author_id",
    "organisation_id",
    "status",
    "published_at",
    "withdrawn_at",
    "is_hidden",
    "hidden_reason",
    "support_count",
    "comment_count",
    "source_title",
    "source_url",
    "said_by",
    "is_demo",
]


def _idea_row(ctx: Context, idea: IdeaPlan) -> tuple:
    rng = ctx.rng("idea", idea.index)
    people = ctx.shared["people"]
    memberships = ctx.shared["organisations"].of_person
    ambito = "" if rng.random() < 0.1 else rng.choice(idea.process.ambiti)
    title = texts.idea_title(rng, ambito or rng.choice(idea.process.ambiti))
    body, body_html = texts.markdown_pair(texts.paragraphs(rng))
    place = latitude = longitude = None
    if rng.random() < 0.3:
        town, _province, lat, lon = rng.choice(texts.MUNICIPALITIES)
        place = f"{rng.choice(texts.STREETS).capitalize()}, {town}"
        latitude = Decimal(f"{lat + rng.uniform(-0.02, 0.02):.6f}")
        longitude = Decimal(f"{lon + rng.uniform(-0.02, 0.02):.6f}")
    organisation = None
    if idea.author in memberships and rng.random() < 0.5:
        organisation = rng.choice(memberships[idea.author])
    updated = max(t for t in (idea.created, idea.withdrawn_at, idea.answered_at) if t is not None)
    return (
        idea.id,
        idea.created,
        updated,
        idea.process.id,
        title,
        body,
        body_html,
        ambito,
        place or "",
        latitude,
        longitude,
        people.id(idea.author),
        organisation,
        idea.status,
        None if idea.status == IdeaStatus.PENDING else idea.created,
        idea.withdrawn_at,
        idea.hidden,
        HIDDEN_REASON if idea.hidden else "",
        idea.supports,
        idea.counted,
        "",
        "",
        "",
        True,
    )


def _answers(ctx: Context, ideas: list[IdeaPlan]) -> None:
    rng = ctx.rng("answers")
    people = ctx.shared["people"]
    actions = ctx.shared.get("actions", [])
    answered = [idea for idea in ideas if idea.status == IdeaStatus.ANSWERED]
    first = ctx.writer.reserve(IdeaAnswer, len(answered))
    office = people.staff(Role.PLAN_OFFICE)
    rows, links = [], []
    for offset, idea in enumerate(answered):
        pk = first + offset
        outcome = _weighted(rng, OUTCOMES) if actions else Outcome.REJECTED
        text, text_html = texts.markdown_pair([f"{texts.ANSWERS[outcome]} {rng.choice(texts.SENTENCES)}"])
        rows.append((pk, idea.answered_at, idea.answered_at, idea.id, outcome, text, text_html, office))
        if outcome != Outcome.REJECTED:
            links.extend((pk, action) for action in rng.sample(actions, min(len(actions), rng.randint(1, 2))))
    ctx.write(
        "official answers",
        IdeaAnswer,
        ["id", "created_at", "updated_at", "idea_id", "outcome", "text", "text_html", "answered_by_id"],
        rows,
    )
    ctx.write("answer actions", IdeaAnswer.actions.through, ["ideaanswer_id", "action_id"], links)


def _supports(ctx: Context, ideas: list[IdeaPlan]) -> None:
    people = ctx.shared["people"]
    columns = ["idea_id", "user_id", "created_at"]
    with ctx.stream("supports", ctx.scale.supports) as sink:
        rows = []
        for idea in ideas:
            if not idea.supports:
                continue
            rng = ctx.rng("supports", idea.index)
            for person in rng.sample(range(people.joined_by(idea.support_end)), idea.supports):
                start = max(idea.created, people.joined[person])
                rows.append((idea.id, people.id(person), between(rng, start, idea.support_end)))
            if len(rows) >= CHUNK_ROWS:
                sink.add(Support, columns, rows)
                rows = []
        sink.add(Support, columns, rows)


COMMENT_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "idea_id",
    "parent_id",
    "author_id",
    "organisation_id",
    "body",
    "status",
    "edited_at",
    "deleted_at",
    "is_hidden",
    "hidden_reason",
    "is_demo",
]
FOLLOW_COLUMNS = ["user_id", "process_id", "idea_id", "ambito", "created_at"]


def _comments_and_follows(ctx: Context, ideas: list[IdeaPlan]) -> None:
    people = ctx.shared["people"]
    pk = ctx.writer.reserve(Comment, ctx.scale.comments)
    now = ctx.clock.now
    with ctx.stream("comments", ctx.scale.comments) as sink:
        comments, follows = [], []
        for idea in ideas:
            followers = {idea.author: idea.created}
            if idea.comments:
                rng = ctx.rng("comments", idea.index)
                flags = _comment_flags(rng, idea.comments, idea.process.review)
                moments = sorted(between(rng, idea.created, idea.comment_end) for _n in flags)
                threads: list[tuple[int, datetime.datetime]] = []  # live, published top-level comments
                for (status, hidden, deleted), moment in zip(flags, moments, strict=True):
                    parent = None
                    if threads and rng.random() < REPLY_SHARE:
                        parent, since = threads[rng.randrange(len(threads))]
                        if since >= moment:
                            parent = None
                    author = rng.randrange(people.joined_by(moment))
                    body = rng.choice(texts.REPLIES if parent else texts.COMMENTS)
                    if rng.random() < 0.4:
                        body = f"{body} {rng.choice(texts.SENTENCES)}"
                    edited = deleted_at = None
                    if deleted:
                        body, deleted_at = "", min(moment + datetime.timedelta(hours=1), now)
                    elif rng.random() < 0.05:
                        edited = min(moment + datetime.timedelta(minutes=3), now)
                    comments.append(
                        (
                            pk,
                            moment,
                            deleted_at or edited or moment,
                            idea.id,
                            parent,
                            people.id(author),
                            None,
                            body,
                            status,
                            edited,
                            deleted_at,
                            hidden,
                            HIDDEN_REASON if hidden else "",
                            True,
                        )
                    )
                    if parent is None and status == CommentStatus.PUBLISHED and not (hidden or deleted):
                        threads.append((pk, moment))
                    followers.setdefault(author, moment)
                    pk += 1
            follows.extend(
                (people.id(person), None, idea.id, "", since) for person, since in sorted(followers.items())
            )
            if len(comments) >= CHUNK_ROWS:
                sink.add(Comment, COMMENT_COLUMNS, comments)
                ctx.writer.insert(Follow, FOLLOW_COLUMNS, follows)
                comments, follows = [], []
        sink.add(Comment, COMMENT_COLUMNS, comments)
        ctx.writer.insert(Follow, FOLLOW_COLUMNS, follows)


def generate(ctx: Context) -> None:
    processes = _processes(ctx)
    ideas = _plan_ideas(ctx, processes)
    with ctx.stream("ideas", len(ideas)) as sink:
        for start in range(0, len(ideas), CHUNK_ROWS):
            sink.add(Idea, IDEA_COLUMNS, [_idea_row(ctx, idea) for idea in ideas[start : start + CHUNK_ROWS]])
    _answers(ctx, ideas)
    _supports(ctx, ideas)
    _comments_and_follows(ctx, ideas)
    ctx.shared["processes"] = processes
