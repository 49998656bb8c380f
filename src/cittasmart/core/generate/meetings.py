"""Generated meetings: themes, tours, past and upcoming meetings (some in working groups) and their registrations.

Seats are exact as the services keep them: the registrations that hold or wait for a place are served in the order
of ``queued_at``; each takes a seat if the meeting (and its group) has room, otherwise it waits. A meeting's
capacity is drawn from how many people it attracted, so some meetings are full with a waitlist, others not, others
have no limit. Each meeting draws its registrations from its own random stream: they are computed once to choose
the capacity, and again (identical) to write them, so no row is updated afterwards.
"""

import base64
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import slugify

from cittasmart.core.generate import texts
from cittasmart.core.generate.base import CHUNK_ROWS, Context, allocate, between
from cittasmart.core.generate.stakeholders import unique
from cittasmart.core.roles import Role
from cittasmart.meetings.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Meeting,
    Registration,
    RegistrationStatus,
    Theme,
    Tour,
    WorkingGroup,
)
from cittasmart.stakeholders.models import OrganisationCategory

GUEST_SHARE = 0.1  # registrations by e-mail only, without an account
GUEST_UNCONFIRMED = 0.25  # of those, the ones that never confirmed their address
CANCELLED_SHARE = 0.05
CHECKED_IN_SHARE = 0.75
START_HOURS = [(9, 30), (10, 0), (15, 0), (17, 30), (21, 0)]


@dataclass
class MeetingPlan:
    id: int
    index: int
    published: bool
    past: bool
    starts: datetime.datetime
    ends: datetime.datetime
    created: datetime.datetime
    opens: datetime.datetime | None
    closes: datetime.datetime | None
    tour: int | None = None
    themes: list[int] = field(default_factory=list)  # those its working groups may work on
    groups: list[int] = field(default_factory=list)
    registrations: int = 0
    capacity: int | None = None
    group_capacity: dict[int, int | None] = field(default_factory=dict)

    @property
    def window(self) -> tuple[datetime.datetime, datetime.datetime]:
        return self.opens or self.created, self.closes or self.starts


@dataclass
class Registrant:
    moment: datetime.datetime
    person: int | None
    guest: int | None
    group: int | None = None
    cancelled: bool = False
    pending: bool = False
    queued: datetime.datetime | None = None


def _themes_and_tours(ctx: Context) -> tuple[list[int], list[tuple[int, list[int]]]]:
    scale, clock = ctx.scale, ctx.clock
    rng = ctx.rng("tours")
    using = ctx.writer.using
    organisations = ctx.shared["organisations"]
    names = {n.lower() for n in Theme.objects.using(using).values_list("name", flat=True)}
    theme_slugs = set(Theme.objects.using(using).values_list("slug", flat=True))
    first_theme = ctx.writer.reserve(Theme, scale.themes)
    themes, rows = [], []
    for index in range(scale.themes):
        name, description = texts.THEMES[index % len(texts.THEMES)]
        if index >= len(texts.THEMES):
            name = f"{name} {index // len(texts.THEMES) + 1}"
        name = unique(name, names, limit=120, lower=True)
        rows.append((first_theme + index, name, unique(slugify(name), theme_slugs, limit=80), description))
        themes.append(first_theme + index)
    ctx.write("themes", Theme, ["id", "name", "slug", "description"], rows)

    tour_slugs = set(Tour.objects.using(using).values_list("slug", flat=True))
    first_tour = ctx.writer.reserve(Tour, scale.tours)
    tours, rows, organiser_rows, theme_rows = [], [], [], []
    for index in range(scale.tours):
        pk = first_tour + index
        topic = texts.PROCESS_TOPICS[(index * 3) % len(texts.PROCESS_TOPICS)]
        year = clock.anchor.year - (index % 4)
        title = f"Tour {topic} {year}"
        description, description_html = texts.markdown_pair(texts.paragraphs(rng, 1, 2))
        created = clock.day_start(datetime.date(year, 1, 10))
        published = not (scale.tours >= 3 and index == scale.tours - 1)  # one tour still in preparation
        rows.append(
            (
                pk,
                created,
                created,
                title,
                unique(slugify(title), tour_slugs, limit=80),
                f"Incontri aperti sul territorio: {topic.lower()}. Dati generati.",
                description,
                description_html,
                published,
                True,
            )
        )
        tour_themes = sorted(rng.sample(themes, min(len(themes), rng.randint(2, 4))))
        organiser_rows.extend(
            (pk, o) for o in rng.sample(organisations.ids, min(len(organisations.ids), rng.randint(1, 2)))
        )
        theme_rows.extend((pk, t) for t in tour_themes)
        if published:
            tours.append((pk, tour_themes))
    ctx.write(
        "tours",
        Tour,
        [
            "id",
            "created_at",
            "updated_at",
            "title",
            "slug",
            "summary",
            "description",
            "description_html",
            "is_published",
            "is_demo",
        ],
        rows,
    )
    ctx.write("tour organisers", Tour.organisers.through, ["tour_id", "organisation_id"], organiser_rows)
    ctx.write("tour themes", Tour.themes.through, ["tour_id", "theme_id"], theme_rows)
    return themes, tours


def _registrants(ctx: Context, meeting: MeetingPlan) -> list[Registrant]:
    """Who registered to ``meeting``, in order of arrival: the same list every time it is asked."""
    people = ctx.shared["people"]
    rng = ctx.rng("registrations", meeting.index)
    start, end = meeting.window
    end = min(end, ctx.clock.now)
    count = meeting.registrations
    eligible = people.joined_by(end)
    guests = min(count, max(count - eligible, round(count * GUEST_SHARE)))
    result = []
    for person in rng.sample(range(eligible), count - guests):
        result.append(Registrant(between(rng, max(start, people.joined[person]), end), person, None))
    for guest in range(guests):
        result.append(Registrant(between(rng, start, end), None, guest))
    result.sort(key=lambda r: (r.moment, -1 if r.person is None else r.person, r.guest or 0))
    for registrant in result:
        registrant.group = rng.choice(meeting.groups) if meeting.groups else None
        registrant.cancelled = rng.random() < CANCELLED_SHARE
        unconfirmed = rng.random() < GUEST_UNCONFIRMED
        delay = datetime.timedelta(minutes=rng.randint(2, 600))
        if registrant.person is None:
            registrant.pending = unconfirmed and not registrant.cancelled
            registrant.queued = None if registrant.pending else min(registrant.moment + delay, end)
        else:
            registrant.queued = registrant.moment
    return result


def _plan_meetings(ctx: Context, themes: list[int], tours) -> list[MeetingPlan]:
    scale, clock = ctx.scale, ctx.clock
    rng = ctx.rng("meetings")
    now = clock.now
    first = ctx.writer.reserve(Meeting, scale.meetings)
    meetings = []
    for index in range(scale.meetings):
        kind = rng.random()
        hour, minute = rng.choice(START_HOURS)
        opens = closes = None
        if kind < 0.6:  # past
            day = clock.day(-rng.randint(2, 1_000))
            starts = clock.at(day, hour, minute)
            opens = starts - datetime.timedelta(days=rng.randint(20, 60))
        elif kind < 0.95:  # upcoming, registration open
            day = clock.day(rng.randint(3, 150))
            starts = clock.at(day, hour, minute)
            opens = now - datetime.timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 12))
        else:  # upcoming, registration opens later
            day = clock.day(rng.randint(40, 150))
            starts = clock.at(day, hour, minute)
            opens = now + datetime.timedelta(days=rng.randint(5, 30))
        if kind < 0.95 and rng.random() < 0.2:
            opens = None  # open from publication
        if rng.random() < 0.4:
            closes = clock.at(day - datetime.timedelta(days=1), 12)
        created = min(opens or starts, starts - datetime.timedelta(days=60)) - datetime.timedelta(days=5)
        tour, tour_themes = rng.choice(tours) if tours and rng.random() < 0.7 else (None, themes)
        meeting = MeetingPlan(
            tour=tour,
            themes=tour_themes,
            id=first + index,
            index=index,
            published=rng.random() >= 0.04,
            past=kind < 0.6,
            starts=starts,
            ends=starts + datetime.timedelta(hours=rng.randint(2, 4)),
            created=created,
            opens=opens,
            closes=closes,
        )
        meetings.append(meeting)
    # A quarter of the meetings work in groups, one per theme.
    wanted = [
        min(len(m.themes), rng.randint(2, 3)) if m.themes and rng.random() < 0.25 else 0 for m in meetings
    ]
    group = ctx.writer.reserve(WorkingGroup, sum(wanted))
    for meeting, count in zip(meetings, wanted, strict=True):
        meeting.groups = list(range(group, group + count))
        group += count
    # Registrations go to the published meetings whose registration has opened.
    people = ctx.shared["people"]
    weights, caps = [], []
    for meeting in meetings:
        start, end = meeting.window
        end = min(end, now)
        open_ = meeting.published and start < end
        eligible = people.joined_by(end) if open_ else 0
        weights.append(rng.uniform(0.3, 1.7) if open_ else 0.0)
        caps.append(2 * eligible + 10 if open_ else 0)
    for meeting, count in zip(meetings, allocate(scale.registrations, weights, caps), strict=True):
        meeting.registrations = count
    return meetings


def _capacities(ctx: Context, meeting: MeetingPlan, registrants: list[Registrant]) -> None:
    rng = ctx.rng("capacity", meeting.index)
    placed = [r for r in registrants if not (r.cancelled or r.pending)]
    if rng.random() < 0.35:
        meeting.capacity = None
    else:
        meeting.capacity = (
            max(1, round(len(placed) * rng.uniform(0.6, 1.3))) if placed else rng.randint(20, 200)
        )
    for group in meeting.groups:
        in_group = sum(1 for r in placed if r.group == group)
        limited = rng.random() < 0.5
        meeting.group_capacity[group] = max(1, round(in_group * rng.uniform(0.6, 1.4))) if limited else None


def _seats(meeting: MeetingPlan, registrants: list[Registrant]) -> dict[int, str]:
    """The state of each placed registration (by position in ``registrants``): seats in order of the queue."""
    taken, by_group, states = 0, {}, {}
    placed = [(r.queued, i) for i, r in enumerate(registrants) if not (r.cancelled or r.pending)]
    for _queued, i in sorted(placed):
        group = registrants[i].group
        room = meeting.capacity is None or taken < meeting.capacity
        if room and group is not None:
            capacity = meeting.group_capacity.get(group)
            room = capacity is None or by_group.get(group, 0) < capacity
        if room:
            taken += 1
            if group is not None:
                by_group[group] = by_group.get(group, 0) + 1
            states[i] = RegistrationStatus.CONFIRMED
        else:
            states[i] = RegistrationStatus.WAITLISTED
    return states


MEETING_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "tour_id",
    "process_id",
    "title",
    "slug",
    "summary",
    "description",
    "description_html",
    "venue_name",
    "address",
    "municipality",
    "territory",
    "latitude",
    "longitude",
    "online_url",
    "starts_at",
    "ends_at",
    "accessibility",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "is_published",
    "report",
    "report_html",
    "report_published_at",
    "is_demo",
]
REGISTRATION_COLUMNS = [
    "created_at",
    "updated_at",
    "meeting_id",
    "group_id",
    "user_id",
    "name",
    "email",
    "organisation_id",
    "organisation_name",
    "organisation_category",
    "answers",
    "status",
    "queued_at",
    "confirmed_at",
    "cancelled_at",
    "checked_in_at",
    "checked_in_by_id",
    "reminded_at",
    "code",
    "token",
    "confirmation_sent_at",
    "is_demo",
]


def _write_meetings(ctx: Context, meetings: list[MeetingPlan]) -> None:
    clock = ctx.clock
    rng = ctx.rng("meeting-texts")
    using = ctx.writer.using
    organisations = ctx.shared["organisations"]
    facilitator = ctx.shared["people"].staff(Role.FACILITATOR)
    slugs = set(Meeting.objects.using(using).values_list("slug", flat=True))
    rows, group_rows, organiser_rows, facilitator_rows = [], [], [], []
    for meeting in meetings:
        town, province, lat, lon = rng.choice(texts.MUNICIPALITIES)
        topic = rng.choice(texts.PROCESS_TOPICS)
        title = f"{topic} – incontro a {town}"
        slug = unique(slugify(f"{topic}-{town}-{meeting.starts:%Y-%m-%d}"), slugs, limit=80)
        description, description_html = texts.markdown_pair(texts.paragraphs(rng, 1, 2))
        report = report_html = ""
        report_published = None
        minutes_for_groups = False
        if meeting.past and rng.random() < 0.5:
            report, report_html = texts.markdown_pair(texts.paragraphs(rng, 2, 3))
            published_at = meeting.ends + datetime.timedelta(days=7)
            report_published = published_at if published_at < clock.now else None
            minutes_for_groups = True
        online = rng.random() < 0.2
        rows.append(
            (
                meeting.id,
                meeting.created,
                report_published or meeting.created,
                meeting.tour,
                None,
                title,
                slug,
                f"Incontro aperto su {topic.lower()}: dati generati.",
                description,
                description_html,
                f"{rng.choice(texts.VENUES)} di {town}",
                f"{rng.choice(texts.STREETS).capitalize()} {rng.randint(1, 120)}",
                town,
                province,
                Decimal(f"{lat + rng.uniform(-0.01, 0.01):.6f}"),
                Decimal(f"{lon + rng.uniform(-0.01, 0.01):.6f}"),
                f"https://meet.example.org/{slug}" if online else "",
                meeting.starts,
                meeting.ends,
                "Sala accessibile senza barriere architettoniche.",
                meeting.capacity,
                meeting.opens,
                meeting.closes,
                meeting.published,
                report,
                report_html,
                report_published,
                True,
            )
        )
        organiser_rows.append((meeting.id, rng.choice(organisations.ids)))
        group_themes = sorted(rng.sample(meeting.themes, len(meeting.groups)))
        for order, (group, theme) in enumerate(zip(meeting.groups, group_themes, strict=True)):
            minutes, minutes_html = (
                texts.markdown_pair(texts.paragraphs(rng, 1, 2)) if minutes_for_groups else ("", "")
            )
            group_rows.append(
                (group, meeting.id, theme, "", meeting.group_capacity[group], minutes, minutes_html, order)
            )
            facilitator_rows.append((group, facilitator))
    ctx.write("meetings", Meeting, MEETING_COLUMNS, rows)
    ctx.write(
        "meeting organisers", Meeting.organisers.through, ["meeting_id", "organisation_id"], organiser_rows
    )
    ctx.write(
        "working groups",
        WorkingGroup,
        ["id", "meeting_id", "theme_id", "title", "capacity", "minutes", "minutes_html", "order"],
        group_rows,
    )
    ctx.write(
        "group facilitators",
        WorkingGroup.facilitators.through,
        ["workinggroup_id", "user_id"],
        facilitator_rows,
    )


def _token(rng) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(256).to_bytes(32, "big")).rstrip(b"=").decode()


def _registrations(ctx: Context, meetings: list[MeetingPlan]) -> None:
    people = ctx.shared["people"]
    organisations = ctx.shared["organisations"]
    facilitator = people.staff(Role.FACILITATOR)
    rng = ctx.rng("registration-codes")
    codes = set(Registration.objects.using(ctx.writer.using).values_list("code", flat=True))
    with ctx.stream("registrations", ctx.scale.registrations) as sink:
        rows = []
        for meeting in meetings:
            if not meeting.registrations:
                continue
            registrants = _registrants(ctx, meeting)
            states = _seats(meeting, registrants)
            end = min(meeting.window[1], ctx.clock.now)
            for i, r in enumerate(registrants):
                code = "".join(rng.choices(CODE_ALPHABET, k=CODE_LENGTH))
                while code in codes:
                    code = "".join(rng.choices(CODE_ALPHABET, k=CODE_LENGTH))
                codes.add(code)
                if r.person is not None:
                    name = people.names[r.person] or texts.person_name(rng)
                    email = people.email(r.person)
                else:
                    name = texts.person_name(rng)
                    email = f"ospite.{meeting.index + 1:05d}.{r.guest + 1:04d}@example.org"
                organisation_name = category = ""
                if r.person is None and rng.random() < 0.2:
                    pick = rng.randrange(len(organisations.ids))
                    organisation_name, category = organisations.names[pick], organisations.categories[pick]
                elif r.person is None and rng.random() < 0.3:
                    category = OrganisationCategory.CITIZENS_GROUP
                confirmed_at = cancelled_at = checked_in = reminded = None
                if r.cancelled:
                    status = RegistrationStatus.CANCELLED
                    cancelled_at = between(rng, r.queued or r.moment, end)
                elif r.pending:
                    status = RegistrationStatus.PENDING
                else:
                    status = states[i]
                if status == RegistrationStatus.CONFIRMED:
                    confirmed_at = r.queued
                    if meeting.past:
                        reminder = meeting.starts - datetime.timedelta(days=1)
                        reminded = reminder if reminder > r.queued else None
                        if rng.random() < CHECKED_IN_SHARE:
                            checked_in = meeting.starts + datetime.timedelta(minutes=rng.randint(-20, 30))
                updated = max(
                    t for t in (r.moment, r.queued, cancelled_at, checked_in, reminded) if t is not None
                )
                rows.append(
                    (
                        r.moment,
                        updated,
                        meeting.id,
                        r.group,
                        people.id(r.person) if r.person is not None else None,
                        name,
                        email,
                        None,
                        organisation_name,
                        category,
                        {},
                        status,
                        r.queued,
                        confirmed_at,
                        cancelled_at,
                        checked_in,
                        facilitator if checked_in else None,
                        reminded,
                        code,
                        _token(rng),
                        r.moment if r.person is None else None,
                        True,
                    )
                )
            if len(rows) >= CHUNK_ROWS:
                sink.add(Registration, REGISTRATION_COLUMNS, rows)
                rows = []
        sink.add(Registration, REGISTRATION_COLUMNS, rows)


def generate(ctx: Context) -> None:
    themes, tours = _themes_and_tours(ctx)
    meetings = _plan_meetings(ctx, themes, tours)
    for meeting in meetings:
        _capacities(ctx, meeting, _registrants(ctx, meeting) if meeting.registrations else [])
    _write_meetings(ctx, meetings)
    _registrations(ctx, meetings)
