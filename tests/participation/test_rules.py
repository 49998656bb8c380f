"""Who may do what in participation: every role × every phase situation, and the states of ideas and comments.

The expectations are written out here from the issue (what each kind of phase allows, who answers, who moderates),
never computed by the code under test; ``test_phase_allows_is_the_documented_table`` pins ``PHASE_ALLOWS`` to the
same table, so that a change there shows up as a change of expectations.
"""

import datetime

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from cittasmart.core.roles import Role
from cittasmart.participation.models import PHASE_ALLOWS, Block, Phase, PhaseKind
from tests.factories import (
    CommentFactory,
    IdeaFactory,
    MembershipFactory,
    OrganisationFactory,
    ProcessFactory,
    UserFactory,
)

# --- The table ------------------------------------------------------------------------------------------

ROLES = [
    "anonymous",
    "citizen",
    "blocked",
    "author",
    "org_member",
    "moderator",
    "facilitator",
    "plan_office",
    "administrator",
]
SITUATIONS = ["before", "information", "collecting", "evaluation", "feedback", "after", "unpublished"]
PUBLISHED = [s for s in SITUATIONS if s != "unpublished"]

# What each situation allows (before the first and after the last phase nothing; an unpublished process nothing).
CAN = {
    "before": set(),
    "information": set(),
    "collecting": {"propose", "comment", "support", "answer"},
    "evaluation": {"comment", "answer"},
    "feedback": {"comment", "answer"},
    "after": set(),
    "unpublished": set(),
}

EVERYONE = set(ROLES)
AUTHENTICATED = EVERYONE - {"anonymous"}
PARTICIPANTS = AUTHENTICATED - {"blocked"}
STAFF = {"plan_office", "administrator"}
NOBODY: set[str] = set()


def during(capability: str, roles: set[str]) -> dict[str, set[str]]:
    """``roles`` where the situation allows ``capability``, nobody elsewhere."""
    return {s: roles if capability in CAN[s] else NOBODY for s in SITUATIONS}


def published(roles: set[str], unpublished: set[str] = NOBODY) -> dict[str, set[str]]:
    return {s: unpublished if s == "unpublished" else roles for s in SITUATIONS}


def always(roles: set[str]) -> dict[str, set[str]]:
    return dict.fromkeys(SITUATIONS, roles)


# perm -> situation -> roles allowed. The object each permission is asked on is in ``_target``.
EXPECTED: dict[str, dict[str, set[str]]] = {
    # Reading: everyone in a published process; staff (and moderators for the process) otherwise.
    "participation.view_process": published(EVERYONE, unpublished={"moderator", *STAFF}),
    "participation.view_idea": published(EVERYONE, unpublished=STAFF),
    "participation.view_feedback_report": published(EVERYONE, unpublished=STAFF),
    # Taking part: any logged-in, unblocked person, when the phase allows it.
    "participation.add_idea": during("propose", PARTICIPANTS),
    "participation.comment_idea": during("comment", PARTICIPANTS),
    "participation.reply_comment": during("comment", PARTICIPANTS),
    "participation.support_idea": during("support", PARTICIPANTS),
    # Withdrawing one's support stays possible after the phase moved on (and also for a blocked person).
    "participation.unsupport_idea": published(AUTHENTICATED),
    # Only the author changes the idea, while ideas are collected; the members of the organisation it speaks
    # for do not become authors.
    "participation.change_idea": during("propose", {"author"}),
    "participation.withdraw_idea": published({"author"}),
    # The comment asked on is the author's own, fresh comment.
    "participation.change_comment": always({"author"}),
    "participation.delete_comment": always({"author"}),
    "participation.follow": always(AUTHENTICATED),
    "participation.report": always(PARTICIPANTS),
    # The plan office answers (administrators are not the plan office); moderators moderate, in every phase.
    "participation.answer_idea": during("answer", {"plan_office"}),
    "participation.moderate": always({"moderator"}),
    "participation.manage_processes": always(STAFF),
    # Ideas said at a meeting are recorded by facilitators and staff, in every phase of a published process.
    "participation.record_idea": published({"facilitator", *STAFF}),
}

ON_PROCESS = {
    "participation.view_process",
    "participation.view_feedback_report",
    "participation.add_idea",
    "participation.follow",
    "participation.manage_processes",
    "participation.moderate",
    "participation.record_idea",
}
ON_COMMENT = {
    "participation.reply_comment",
    "participation.change_comment",
    "participation.delete_comment",
}


def test_phase_allows_is_the_documented_table():
    assert {kind: set(PHASE_ALLOWS[kind]) for kind in PhaseKind.values} == {
        "information": CAN["information"],
        "collecting": CAN["collecting"],
        "evaluation": CAN["evaluation"],
        "feedback": CAN["feedback"],
    }


def test_every_participation_permission_is_in_the_table():
    registered = {name for name in rules.permissions.permissions if name.startswith("participation.")}

    assert registered == set(EXPECTED)


# --- The world ------------------------------------------------------------------------------------------

KINDS = ["information", "collecting", "evaluation", "feedback"]


def add_phases(process, situation: str) -> None:
    """Four ten-day phases in order, placed so that today falls in the one named (or before / after them)."""
    current = {"before": -1, "after": len(KINDS), "unpublished": 1}.get(situation)
    if current is None:
        current = KINDS.index(situation)
    today = timezone.localdate()
    for index, kind in enumerate(KINDS):
        starts = today + datetime.timedelta(days=(index - current) * 10 - 5)
        Phase.objects.create(
            process=process, kind=kind, starts_on=starts, ends_on=starts + datetime.timedelta(days=9)
        )


def make_process(situation: str):
    process = ProcessFactory(phase="", is_published=situation != "unpublished")
    add_phases(process, situation)
    return process


def make_actors(organisation) -> dict:
    blocked = UserFactory()
    Block.objects.create(user=blocked, reason="Insults")
    return {
        "anonymous": AnonymousUser(),
        "citizen": UserFactory(),
        "blocked": blocked,
        "author": MembershipFactory(organisation=organisation).user,
        "org_member": MembershipFactory(organisation=organisation).user,
        "moderator": UserFactory(roles=[Role.MODERATOR]),
        "facilitator": UserFactory(roles=[Role.FACILITATOR]),
        "plan_office": UserFactory(roles=[Role.PLAN_OFFICE]),
        "administrator": UserFactory(roles=[Role.ADMINISTRATOR]),
    }


def fresh(actor):
    """The actor as a new request sees it (no cached roles or block)."""
    if isinstance(actor, AnonymousUser):
        return actor
    return type(actor).objects.get(pk=actor.pk)


@pytest.fixture
def world_factory(db):
    def build(situation: str) -> dict:
        organisation = OrganisationFactory()
        actors = make_actors(organisation)
        process = make_process(situation)
        author = actors["author"]
        idea = IdeaFactory(process=process, author=author, organisation=organisation)
        other_idea = IdeaFactory(process=process)
        comment = CommentFactory(idea=other_idea, author=author)
        return {"actors": actors, "process": process, "idea": idea, "comment": comment}

    return build


def _target(perm: str, world: dict):
    if perm in ON_PROCESS:
        return world["process"]
    if perm in ON_COMMENT:
        return world["comment"]
    return world["idea"]


def _allowed(actor, perm: str, obj) -> bool:
    through_backends = fresh(actor).has_perm(perm, obj)
    predicates_alone = rules.has_perm(perm, fresh(actor), obj)
    assert through_backends is predicates_alone, (perm, "backends and predicates disagree")
    return through_backends


@pytest.mark.parametrize("situation", SITUATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_role_and_phase(world_factory, role, situation):
    world = world_factory(situation)
    actor = world["actors"][role]

    found = {perm: _allowed(actor, perm, _target(perm, world)) for perm in EXPECTED}

    assert found == {perm: role in EXPECTED[perm][situation] for perm in EXPECTED}


def test_the_situations_are_what_their_names_say(world_factory):
    for situation in SITUATIONS:
        process = world_factory(situation)["process"]
        phase = process.current_phase
        if situation in ("before", "after"):
            assert phase is None, situation
            assert process.timing == {"before": "upcoming", "after": "past"}[situation]
        elif situation == "unpublished":
            assert phase.kind == "collecting"
            assert not process.is_published
        else:
            assert phase.kind == situation
            assert process.timing == "open"


# --- States of ideas ------------------------------------------------------------------------------------

IDEA_STATES = ["published", "evaluating", "answered", "withdrawn", "pending", "hidden"]
SEE_ALL = {"author", "moderator", *STAFF}

# In the collecting phase (where everything is allowed), by state of the idea.
EXPECTED_BY_STATE: dict[str, dict[str, set[str]]] = {
    "participation.view_idea": {
        "published": EVERYONE,
        "evaluating": EVERYONE,
        "answered": EVERYONE,
        "withdrawn": EVERYONE,
        "pending": SEE_ALL,
        "hidden": SEE_ALL,
    },
    "participation.comment_idea": {
        "published": PARTICIPANTS,
        "evaluating": PARTICIPANTS,
        "answered": PARTICIPANTS,
        "withdrawn": NOBODY,  # a withdrawn idea stays readable, its discussion is closed
        "pending": NOBODY,
        "hidden": NOBODY,
    },
    "participation.support_idea": {
        "published": PARTICIPANTS,
        "evaluating": PARTICIPANTS,
        "answered": NOBODY,
        "withdrawn": NOBODY,
        "pending": NOBODY,
        "hidden": NOBODY,
    },
    "participation.unsupport_idea": {
        "published": AUTHENTICATED,
        "evaluating": AUTHENTICATED,
        "answered": NOBODY,
        "withdrawn": NOBODY,
        "pending": NOBODY,
        "hidden": NOBODY,
    },
    "participation.change_idea": {
        "published": {"author"},
        "evaluating": {"author"},
        "answered": NOBODY,
        "withdrawn": NOBODY,
        "pending": NOBODY,
        "hidden": NOBODY,
    },
    "participation.withdraw_idea": {
        "published": {"author"},
        "evaluating": {"author"},
        "answered": NOBODY,
        "withdrawn": NOBODY,
        "pending": NOBODY,
        "hidden": NOBODY,
    },
    "participation.answer_idea": {
        "published": {"plan_office"},
        "evaluating": {"plan_office"},
        "answered": {"plan_office"},  # the answer can be revised
        "withdrawn": NOBODY,
        "pending": NOBODY,
        "hidden": NOBODY,
    },
}


def _idea_in_state(state: str, **kwargs):
    if state == "hidden":
        return IdeaFactory(status="published", is_hidden=True, hidden_reason="Spam", **kwargs)
    if state == "pending":
        return IdeaFactory(status="pending", published_at=None, **kwargs)
    return IdeaFactory(status=state, **kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("state", IDEA_STATES)
@pytest.mark.parametrize("role", ROLES)
def test_role_and_idea_state(role, state):
    organisation = OrganisationFactory()
    actors = make_actors(organisation)
    process = make_process("collecting")
    idea = _idea_in_state(state, process=process, author=actors["author"])

    found = {perm: _allowed(actors[role], perm, idea) for perm in EXPECTED_BY_STATE}

    assert found == {perm: role in EXPECTED_BY_STATE[perm][state] for perm in EXPECTED_BY_STATE}


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["pending", "hidden"])
def test_hidden_and_pending_ideas_of_an_unpublished_process_only_for_staff(state):
    actors = make_actors(OrganisationFactory())
    idea = _idea_in_state(state, process=make_process("unpublished"), author=actors["author"])

    allowed = {role for role in ROLES if _allowed(actors[role], "participation.view_idea", idea)}

    assert allowed == STAFF


@pytest.mark.django_db
def test_a_blocked_author_still_sees_their_hidden_idea_but_cannot_touch_it(user):
    idea = _idea_in_state("hidden", process=make_process("collecting"), author=user)
    Block.objects.create(user=user, reason="Spam")
    user = fresh(user)

    assert user.has_perm("participation.view_idea", idea)
    assert not user.has_perm("participation.change_idea", idea)
    assert not user.has_perm("participation.withdraw_idea", idea)


@pytest.mark.django_db
@pytest.mark.parametrize("touch", ["support_count", "comment_count"])
def test_a_supported_or_commented_idea_can_no_longer_be_changed_but_can_be_withdrawn(user, touch):
    idea = IdeaFactory(process=make_process("collecting"), author=user, **{touch: 1})

    assert not user.has_perm("participation.change_idea", idea)
    assert user.has_perm("participation.withdraw_idea", idea)


@pytest.mark.django_db
def test_inactive_and_erased_people_take_no_part(user):
    idea = IdeaFactory(process=make_process("collecting"))
    inactive = UserFactory(is_active=False)
    erased = UserFactory(erased_at=timezone.now())

    for person in (inactive, erased):
        assert not person.has_perm("participation.add_idea", idea.process)
        assert not person.has_perm("participation.comment_idea", idea)
        assert not person.has_perm("participation.support_idea", idea)
        assert not person.has_perm("participation.report", idea)
    assert user.has_perm("participation.support_idea", idea)


# --- Comments -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_replies_go_one_level_deep_only(user):
    idea = IdeaFactory(process=make_process("collecting"))
    top = CommentFactory(idea=idea)
    reply = CommentFactory(idea=idea, parent=top)

    assert user.has_perm("participation.reply_comment", top)
    assert not user.has_perm("participation.reply_comment", reply)


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["deleted", "hidden"])
def test_deleted_or_hidden_comments_take_no_replies_and_no_changes(user, change):
    fields = (
        {"deleted_at": timezone.now(), "body": ""}
        if change == "deleted"
        else {"is_hidden": True, "hidden_reason": "Insults"}
    )
    idea = IdeaFactory(process=make_process("collecting"))
    comment = CommentFactory(idea=idea, author=user, **fields)
    other = UserFactory()

    assert not other.has_perm("participation.reply_comment", comment)
    assert not user.has_perm("participation.change_comment", comment)
    assert not user.has_perm("participation.delete_comment", comment)


@pytest.mark.django_db
def test_a_comment_can_be_changed_only_within_the_edit_window(user, settings):
    settings.COMMENT_EDIT_MINUTES = 15
    idea = IdeaFactory(process=make_process("collecting"))
    comment = CommentFactory(idea=idea, author=user)
    type(comment).objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=14)
    )
    comment.refresh_from_db()
    assert user.has_perm("participation.change_comment", comment)

    type(comment).objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    comment.refresh_from_db()
    assert not user.has_perm("participation.change_comment", comment)
    assert user.has_perm("participation.delete_comment", comment)  # deleting has no window


@pytest.mark.django_db
def test_a_blocked_author_may_delete_but_not_change_their_comment(user):
    comment = CommentFactory(idea=IdeaFactory(process=make_process("collecting")), author=user)
    Block.objects.create(user=user, reason="Insults")
    user = fresh(user)

    assert user.has_perm("participation.delete_comment", comment)
    assert not user.has_perm("participation.change_comment", comment)


@pytest.mark.django_db
def test_comments_on_a_pending_or_hidden_idea_take_no_replies(user):
    for idea in (
        _idea_in_state("pending", process=make_process("collecting")),
        _idea_in_state("hidden", process=make_process("collecting")),
    ):
        comment = CommentFactory(idea=idea)
        assert not user.has_perm("participation.reply_comment", comment)


@pytest.mark.django_db
def test_a_comment_awaiting_review_takes_no_replies(user):
    idea = IdeaFactory(process=make_process("collecting"))
    pending = CommentFactory(idea=idea, status="pending")

    assert not user.has_perm("participation.reply_comment", pending)


@pytest.mark.django_db
def test_the_author_may_still_change_or_delete_a_comment_awaiting_review(user):
    pending = CommentFactory(
        idea=IdeaFactory(process=make_process("collecting")), author=user, status="pending"
    )

    assert user.has_perm("participation.change_comment", pending)
    assert user.has_perm("participation.delete_comment", pending)
