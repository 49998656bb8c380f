"""``generate_data``: exact amounts, counters equal to the rows, every constraint and invariant of the services,
the same data for the same seed, accounts that log in with the documented password, pages that render."""

import datetime
import hashlib
from collections import Counter, defaultdict
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.conf import global_settings
from django.contrib.auth.hashers import get_hasher
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cittasmart.accounts.models import User
from cittasmart.core import generate, pagecache
from cittasmart.core.generate import accounts
from cittasmart.core.generate.base import allocate
from cittasmart.core.generate.scales import SCALES
from cittasmart.core.markup import render_markdown
from cittasmart.core.roles import Role, has_role
from cittasmart.meetings.models import Meeting, Registration, Theme, Tour, WorkingGroup
from cittasmart.participation.models import (
    PUBLIC_IDEA_STATUSES,
    Comment,
    Follow,
    Idea,
    IdeaAnswer,
    Phase,
    PhaseKind,
    Process,
    Support,
)
from cittasmart.participation.services import counters_recompute
from cittasmart.plan.models import Action, Indicator, Measurement, Milestone, Objective, PlanVersion
from cittasmart.plan.selectors import current_version
from cittasmart.stakeholders.models import Membership, Organisation
from cittasmart.survey.models import Invitation, SurveyRecord, SurveyRound

pytestmark = pytest.mark.django_db

MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEFAULT_HASHERS = global_settings.PASSWORD_HASHERS
ANCHOR = datetime.date(2026, 3, 16)
S = SCALES["S"]

# Every model the generator writes (through tables are checked by the database constraints).
GENERATED_MODELS = [
    User,
    EmailAddress,
    Organisation,
    Membership,
    SurveyRound,
    Invitation,
    SurveyRecord,
    PlanVersion,
    Objective,
    Action,
    Milestone,
    Indicator,
    Measurement,
    Process,
    Phase,
    Idea,
    IdeaAnswer,
    Comment,
    Support,
    Follow,
    Theme,
    Tour,
    Meeting,
    WorkingGroup,
    Registration,
]


def run(**options) -> str:
    out = StringIO()
    call_command("generate_data", scale="S", no_progress=True, stdout=out, **options)
    return out.getvalue()


def checksum() -> str:
    """A digest of the generated rows that does not depend on the primary keys the database gave."""
    emails = dict(User.objects.values_list("pk", "email"))
    idea_rank = {pk: n for n, pk in enumerate(Idea.objects.order_by("pk").values_list("pk", flat=True))}
    comment_rank = {pk: n for n, pk in enumerate(Comment.objects.order_by("pk").values_list("pk", flat=True))}
    process_slug = dict(Process.objects.values_list("pk", "slug"))
    meeting_slug = dict(Meeting.objects.values_list("pk", "slug"))
    digest = hashlib.sha256()

    def add(rows):
        for row in sorted(rows, key=repr):
            digest.update(repr(row).encode())

    add(User.objects.values_list("email", "display_name", "date_joined", "password", "is_active"))
    add(Organisation.objects.values_list("name", "slug", "category", "is_host_entity"))
    add(
        (
            idea_rank[pk],
            process_slug[process],
            title,
            body,
            status,
            created,
            supports,
            comments,
            emails[author],
        )
        for pk, process, title, body, status, created, supports, comments, author in Idea.objects.values_list(
            "pk",
            "process",
            "title",
            "body",
            "status",
            "created_at",
            "support_count",
            "comment_count",
            "author",
        )
    )
    add(
        (idea_rank[idea], emails[user], created)
        for idea, user, created in Support.objects.values_list("idea", "user", "created_at")
    )
    add(
        (comment_rank[pk], idea_rank[idea], comment_rank.get(parent), emails[author], body, status, created)
        for pk, idea, parent, author, body, status, created in Comment.objects.values_list(
            "pk", "idea", "parent", "author", "body", "status", "created_at"
        )
    )
    add(
        (meeting_slug[meeting], email, status, queued, code, token, capacity)
        for meeting, email, status, queued, code, token, capacity in Registration.objects.values_list(
            "meeting", "email", "status", "queued_at", "code", "token", "meeting__capacity"
        )
    )
    add(Measurement.objects.values_list("indicator__code", "period", "value", "target", "is_baseline"))
    add(SurveyRecord.objects.values_list("title", "owner__name", "round__slug", "status", "is_validated"))
    return digest.hexdigest()


# These tests run before any test that uses the module's ``generated`` fixture: the database is empty.


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    assert not User.objects.exists()
    digests = []
    with override_settings(PASSWORD_HASHERS=MD5):
        for seed in (7, 7, 8):
            with transaction.atomic():
                generate.generate(scale="S", seed=seed, anchor=ANCHOR)
                digests.append(checksum())
                transaction.set_rollback(True)
            assert not User.objects.exists()
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


@pytest.mark.postgres
def test_copy_and_bulk_create_write_the_same_rows():
    if connection.vendor != "postgresql":
        pytest.skip("COPY needs PostgreSQL: run with DATABASE_URL=postgres://…")
    assert not User.objects.exists()
    digests = []
    with override_settings(PASSWORD_HASHERS=MD5):
        for method in ("copy", "bulk"):
            with transaction.atomic():
                result = generate.generate(scale="S", anchor=ANCHOR, method=method)
                assert result.method == method
                connection.check_constraints()
                digests.append(checksum())
                transaction.set_rollback(True)
    assert digests[0] == digests[1]


def test_cached_pages_are_out_of_date_after_a_run(django_capture_on_commit_callbacks):
    before = pagecache.versions(("participation", "meetings", "plan"))
    with transaction.atomic(), override_settings(PASSWORD_HASHERS=MD5):
        with django_capture_on_commit_callbacks(execute=True):
            generate.generate(scale="S", anchor=ANCHOR)
        transaction.set_rollback(True)
    after = pagecache.versions(("participation", "meetings", "plan"))
    assert all(b != a for b, a in zip(before.split(","), after.split(","), strict=True))


def test_it_generates_next_to_the_prato_demo(settings):
    settings.PASSWORD_HASHERS = MD5
    call_command("load_demo", quiet_accounts=True)
    before = {model: model.objects.count() for model in (User, Idea, Support, Comment, Registration, Action)}
    demo_version = current_version()
    run(anchor=ANCHOR)
    added = {model: model.objects.count() - count for model, count in before.items()}
    assert added == {
        User: S.users,
        Idea: S.ideas,
        Support: S.supports,
        Comment: S.comments,
        Registration: S.registrations,
        Action: S.actions,
    }
    # The generated version is the newest of the instance's plan, and the demo keeps its host entity.
    version = current_version()
    assert version.plan_id == demo_version.plan_id and version.number > demo_version.number
    assert Organisation.objects.filter(is_host_entity=True).count() == 1
    assert counters_recompute() == 0
    connection.check_constraints()


def test_the_scale_table():
    large, medium = SCALES["L"], SCALES["M"]
    assert {name: getattr(large, name) for name in generate.HEADLINE} == {
        "users": 100_000,
        "ideas": 50_000,
        "supports": 1_000_000,
        "comments": 200_000,
        "survey_records": 10_000,
        "actions": 500,
        "measurements": 20_000,
        "meetings": 2_000,
        "registrations": 200_000,
    }
    assert large.registrations == 200_000 and large.meetings == 2_000
    for name in generate.HEADLINE:
        assert getattr(medium, name) * 10 == getattr(large, name)


def test_allocate_is_exact_and_respects_caps():
    parts = allocate(1_000, [5.0, 1.0, 1.0, 0.0], [300, 1_000, 1_000, 1_000])
    assert sum(parts) == 1_000
    assert parts[0] == 300 and parts[1] == parts[2] == 350 and parts[3] == 0
    with pytest.raises(ValueError):
        allocate(10, [1.0], [5])


# --- On one generated database --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """Scale S, generated once for the module into an empty database, and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(PASSWORD_HASHERS=MD5):
        assert not User.objects.exists()
        output = run()
        yield output
        transaction.set_rollback(True)


def test_the_amounts_are_exactly_the_scale_table(generated):
    counts = {
        "users": User.objects.count(),
        "ideas": Idea.objects.count(),
        "supports": Support.objects.count(),
        "comments": Comment.objects.count(),
        "survey_records": SurveyRecord.objects.count(),
        "actions": Action.objects.count(),
        "measurements": Measurement.objects.count(),
        "meetings": Meeting.objects.count(),
        "registrations": Registration.objects.count(),
    }
    assert counts == {name: getattr(S, name) for name in counts}
    assert Organisation.objects.count() == S.organisations
    assert Membership.objects.count() == S.memberships
    assert Process.objects.count() == S.processes
    assert Tour.objects.count() == S.tours and Theme.objects.count() == S.themes


def test_the_summary_lists_the_rows_and_the_time(generated):
    assert "participation.Support" in generated and f"{S.supports:,}" in generated
    assert "meetings.Registration" in generated
    assert accounts.PASSWORD in generated and accounts.email_of(1) in generated
    assert "seconds" in generated


def test_a_second_run_is_refused(generated):
    with pytest.raises(CommandError, match="already holds generated data"):
        run()
    assert User.objects.count() == S.users


def test_counters_equal_the_rows(generated):
    supports = Counter(Support.objects.values_list("idea_id", flat=True))
    counted = Counter(
        Comment.objects.filter(status="published", is_hidden=False, deleted_at__isnull=True).values_list(
            "idea_id", flat=True
        )
    )
    ideas = list(Idea.objects.values_list("pk", "support_count", "comment_count"))
    assert ideas
    for pk, support_count, comment_count in ideas:
        assert support_count == supports[pk], pk
        assert comment_count == counted[pk], pk
    # Some comments do not count (awaiting review, hidden, deleted) and the counters know it.
    assert sum(c for _pk, _s, c in ideas) <= Comment.objects.count()
    # The project's own recount agrees.
    assert counters_recompute() == 0


def test_every_row_is_valid(generated):
    # The database checked the unique and check constraints on insert; the foreign keys are checked here (they
    # are deferred to the commit, which a test never reaches), the fields' own validation below.
    connection.check_constraints()
    for model in GENERATED_MODELS:
        objects = list(model.objects.all())
        assert objects, model
        for obj in objects:
            exclude = ["password"] if model is User else []
            if model is Comment and obj.deleted_at:
                exclude.append(
                    "body"
                )  # a deleted comment keeps its place without its text, as comment_delete does
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def test_the_texts_are_rendered_as_the_services_render_them(generated):
    pairs = [
        *Idea.objects.values_list("body", "body_html"),
        *Process.objects.values_list("description", "description_html"),
        *IdeaAnswer.objects.values_list("text", "text_html"),
        *Tour.objects.values_list("description", "description_html"),
        *Meeting.objects.values_list("description", "description_html"),
        *Meeting.objects.values_list("report", "report_html"),
        *WorkingGroup.objects.values_list("minutes", "minutes_html"),
    ]
    assert len(pairs) > S.ideas
    for text, html in pairs:
        assert html == render_markdown(text)


def test_people_are_synthetic_verified_and_the_first_ones_are_staff(generated):
    emails = list(User.objects.values_list("email", flat=True))
    assert len(set(e.lower() for e in emails)) == len(emails) == S.users
    assert all(e.startswith("utente") and e.endswith("@example.org") for e in emails)
    assert accounts.generated_users().count() == S.users
    named = User.objects.exclude(display_name="").count()
    assert named >= 0.8 * S.users
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == S.users
    assert not User.objects.filter(privacy_accepted_at__isnull=True).exists()
    office, moderator, facilitator = (User.objects.get(email=accounts.email_of(n)) for n in (1, 2, 3))
    assert has_role(office, Role.PLAN_OFFICE)
    assert has_role(moderator, Role.MODERATOR)
    assert has_role(facilitator, Role.FACILITATOR)
    assert not has_role(User.objects.get(email=accounts.email_of(4)), Role.PLAN_OFFICE)


def _phase(process_phases, kind):
    return next(p for p in process_phases if p.kind == kind)


def test_participation_happened_only_when_the_phases_allowed_it(generated):
    phases = defaultdict(list)
    for phase in Phase.objects.all():
        phases[phase.process_id].append(phase)
    processes = {p.pk: p for p in Process.objects.all()}
    local = timezone.localtime
    ideas = {i.pk: i for i in Idea.objects.select_related("author")}
    for idea in ideas.values():
        process = processes[idea.process_id]
        collecting = _phase(phases[process.pk], PhaseKind.COLLECTING)
        assert process.is_published
        assert collecting.starts_on <= local(idea.created_at).date() <= collecting.ends_on
        assert idea.author.date_joined <= idea.created_at
        assert (idea.status == "pending") == (idea.published_at is None)
        if idea.status == "pending":
            assert process.first_post_review
            assert idea.support_count == idea.comment_count == 0
        assert (idea.status == "withdrawn") == (idea.withdrawn_at is not None)
        assert not idea.ambito or idea.ambito in process.ambiti_list
    answered = set(Idea.objects.filter(status="answered").values_list("pk", flat=True))
    assert answered == set(IdeaAnswer.objects.values_list("idea_id", flat=True))
    for support in Support.objects.select_related("user"):
        idea = ideas[support.idea_id]
        collecting = _phase(phases[idea.process_id], PhaseKind.COLLECTING)
        assert idea.status in PUBLIC_IDEA_STATUSES
        assert idea.created_at <= support.created_at
        assert local(support.created_at).date() <= collecting.ends_on
        assert support.user.date_joined <= support.created_at
        if idea.withdrawn_at:
            assert support.created_at <= idea.withdrawn_at
    for comment in Comment.objects.select_related("author", "parent"):
        idea = ideas[comment.idea_id]
        last = max(p.ends_on for p in phases[idea.process_id])
        assert idea.status in PUBLIC_IDEA_STATUSES
        assert idea.created_at <= comment.created_at and local(comment.created_at).date() <= last
        assert comment.author.date_joined <= comment.created_at
        if comment.status == "pending":
            assert processes[idea.process_id].first_post_review
        if comment.parent:
            assert comment.parent.idea_id == comment.idea_id and comment.parent.parent_id is None
            assert comment.parent.created_at < comment.created_at
            assert comment.parent.status == "published" and comment.parent.counts
        assert (comment.deleted_at is None) == (comment.body != "")
    # Every author follows their idea.
    follows = set(Follow.objects.values_list("user_id", "idea_id"))
    assert all((i.author_id, i.pk) in follows for i in ideas.values())


def test_most_content_is_visible_but_not_all(generated):
    public = Idea.objects.filter(status__in=PUBLIC_IDEA_STATUSES, is_hidden=False).count()
    assert public >= 0.8 * S.ideas
    assert len(set(Idea.objects.values_list("status", flat=True))) >= 3
    assert Process.objects.filter(is_published=False).exists()
    assert Meeting.objects.filter(is_published=True).count() >= 0.8 * S.meetings
    assert (
        Comment.objects.filter(status="published", is_hidden=False, deleted_at=None).count()
        >= 0.9 * S.comments
    )
    # The first process collects ideas on the anchor day.
    assert Process.objects.order_by("pk").first().allows("support")


def test_seats_are_given_in_the_order_of_the_queue(generated):
    meetings = {m.pk: m for m in Meeting.objects.all()}
    groups = {g.pk: g for g in WorkingGroup.objects.all()}
    grouped = {g.meeting_id for g in groups.values()}
    registrations = defaultdict(list)
    for registration in Registration.objects.all():
        registrations[registration.meeting_id].append(registration)
    saw_waitlist = False
    for meeting_id, rows in registrations.items():
        meeting = meetings[meeting_id]
        assert meeting.is_published
        assert len({r.user_id for r in rows if r.user_id and r.is_active}) == len(
            [r for r in rows if r.user_id and r.is_active]
        )
        assert len({r.email.lower() for r in rows if r.is_active}) == len([r for r in rows if r.is_active])
        confirmed = [r for r in rows if r.status == "confirmed"]
        waiting = [r for r in rows if r.status == "waitlisted"]
        if meeting.capacity is not None:
            assert len(confirmed) <= meeting.capacity
        by_group = Counter(r.group_id for r in confirmed)
        for group_id, count in by_group.items():
            if group_id is not None and groups[group_id].capacity is not None:
                assert count <= groups[group_id].capacity
        for r in rows:
            assert (r.group_id is not None) == (meeting_id in grouped)
            opened = meeting.registration_opens_at or meeting.created_at
            assert opened <= r.created_at <= meeting.registration_closes
            if r.status in ("confirmed", "waitlisted"):
                assert r.queued_at is not None
            if r.status == "confirmed":
                assert r.confirmed_at is not None
            if r.checked_in_at:
                assert r.status == "confirmed" and meeting.is_past
        meeting_full = meeting.capacity is not None and len(confirmed) >= meeting.capacity
        for w in waiting:
            saw_waitlist = True
            group = groups.get(w.group_id)
            group_full = (
                group is not None and group.capacity is not None and by_group[group.pk] >= group.capacity
            )
            assert meeting_full or group_full
            # Nobody who came later got a seat this person was waiting for.
            assert not [
                c
                for c in confirmed
                if c.queued_at > w.queued_at and (group_full is False or c.group_id == w.group_id)
            ]
    assert saw_waitlist
    assert Registration.objects.filter(status="cancelled").exists()


def test_a_generated_person_logs_in_with_the_documented_password(client, generated):
    email = accounts.email_of(10)
    response = client.post(reverse("account_login"), {"login": email, "password": accounts.PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(email=email).pk


def test_logging_in_does_not_rewrite_the_shared_hash(client, generated):
    # With the production hashers, a salt too short for them would be replaced (and the account written) at
    # each person's first login: under load, a write and a second slow hash per login.
    with override_settings(PASSWORD_HASHERS=DEFAULT_HASHERS):
        encoded = accounts.password_hash()
        assert not get_hasher().must_update(encoded)
    person = User.objects.get(email=accounts.email_of(11))
    client.post(reverse("account_login"), {"login": person.email, "password": accounts.PASSWORD})
    assert "_auth_user_id" in client.session
    assert User.objects.get(pk=person.pk).password == person.password


def test_the_lists_render_on_generated_data(client, generated):
    process = Process.objects.order_by("pk").first()
    idea = (
        Idea.objects.filter(process=process, status="published", is_hidden=False)
        .order_by("-support_count", "-id")
        .first()
    )
    url = reverse("participation:idea_list", kwargs={"slug": process.slug})
    response = client.get(url, {"sort": "supported"})
    assert response.status_code == 200
    assert escape(idea.title) in response.text
    assert client.get(url).status_code == 200
    assert client.get(idea.get_absolute_url()).status_code == 200
    assert client.get(reverse("participation:process", kwargs={"slug": process.slug})).status_code == 200
    meeting = (
        Meeting.objects.filter(is_published=True, starts_at__gt=timezone.now()).order_by("starts_at").first()
    )
    response = client.get(reverse("meetings:home"))
    assert response.status_code == 200
    assert escape(meeting.title) in response.text
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert client.get(current_version().get_absolute_url()).status_code == 200
