"""Who may do what in participation. The phase decides what a process allows (``PHASE_ALLOWS``); the role and the
state of the content decide who. Views, templates and services all ask these permissions."""

import datetime

import rules
from django.conf import settings
from django.utils import timezone

from cittasmart.core.roles import is_facilitator, is_moderator, is_plan_office, is_staff_member
from cittasmart.participation.models import (
    OPEN_IDEA_STATUSES,
    Capability,
    Comment,
    CommentStatus,
    Idea,
    IdeaStatus,
    Process,
)


def _process_of(obj) -> Process | None:
    if isinstance(obj, Process):
        return obj
    if isinstance(obj, Idea):
        return obj.process
    if isinstance(obj, Comment):
        return obj.idea.process
    return None


def _idea_of(obj) -> Idea | None:
    if isinstance(obj, Idea):
        return obj
    if isinstance(obj, Comment):
        return obj.idea
    return None


def _phase_allows(capability: str):
    @rules.predicate(name=f"phase_allows_{capability}")
    def predicate(user, obj) -> bool:
        process = _process_of(obj)
        return process is not None and process.allows(capability)

    return predicate


phase_allows_propose = _phase_allows(Capability.PROPOSE)
phase_allows_comment = _phase_allows(Capability.COMMENT)
phase_allows_support = _phase_allows(Capability.SUPPORT)
phase_allows_answer = _phase_allows(Capability.ANSWER)


# Moderators and staff see hidden content and content awaiting review (flagged as such).
sees_everything = is_moderator | is_staff_member


@rules.predicate
def is_participant(user) -> bool:
    """A logged-in, active person who has not been blocked from participating."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.erased_at:
        return False
    blocked = getattr(user, "_cittasmart_blocked", None)
    if blocked is None:
        from cittasmart.participation.models import Block

        blocked = Block.objects.filter(user=user).exists()
        user._cittasmart_blocked = blocked
    return not blocked


@rules.predicate
def is_authenticated(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


@rules.predicate
def process_is_published(user, obj) -> bool:
    process = _process_of(obj)
    return process is not None and process.is_published


@rules.predicate
def idea_is_public(user, obj) -> bool:
    idea = _idea_of(obj)
    return idea is not None and idea.is_public and idea.process.is_published


@rules.predicate
def idea_is_open(user, obj) -> bool:
    """Published or under evaluation: not yet answered, withdrawn or hidden."""
    idea = _idea_of(obj)
    return (
        idea is not None
        and not idea.is_hidden
        and idea.status in OPEN_IDEA_STATUSES
        and idea.process.is_published
    )


@rules.predicate
def idea_is_answerable(user, obj) -> bool:
    """Open or already answered (the answer can be revised); not withdrawn, pending or hidden."""
    idea = _idea_of(obj)
    return (
        idea is not None
        and not idea.is_hidden
        and idea.status in (*OPEN_IDEA_STATUSES, IdeaStatus.ANSWERED)
        and idea.process.is_published
    )


@rules.predicate
def is_idea_author(user, obj) -> bool:
    idea = _idea_of(obj)
    return idea is not None and getattr(user, "pk", None) == idea.author_id


@rules.predicate
def idea_untouched(user, idea) -> bool:
    """Nobody has supported or commented the idea yet, so changing it changes nobody's support."""
    return isinstance(idea, Idea) and idea.support_count == 0 and idea.comment_count == 0


@rules.predicate
def is_comment_author(user, comment) -> bool:
    return isinstance(comment, Comment) and getattr(user, "pk", None) == comment.author_id


@rules.predicate
def comment_is_live(user, comment) -> bool:
    return isinstance(comment, Comment) and comment.deleted_at is None and not comment.is_hidden


@rules.predicate
def comment_is_published(user, comment) -> bool:
    return isinstance(comment, Comment) and comment.status == CommentStatus.PUBLISHED


@rules.predicate
def idea_accepts_comments(user, obj) -> bool:
    """Public and not withdrawn: a withdrawn idea stays readable, its discussion is closed."""
    idea = _idea_of(obj)
    return idea is not None and idea.status != IdeaStatus.WITHDRAWN


@rules.predicate
def comment_in_edit_window(user, comment) -> bool:
    window = datetime.timedelta(minutes=settings.COMMENT_EDIT_MINUTES)
    return isinstance(comment, Comment) and timezone.now() - comment.created_at <= window


@rules.predicate
def is_top_level_comment(user, comment) -> bool:
    return isinstance(comment, Comment) and comment.parent_id is None


# Reading.
rules.add_perm("participation.view_process", process_is_published | is_staff_member | is_moderator)
rules.add_perm(
    "participation.view_idea",
    (process_is_published & (idea_is_public | is_idea_author | is_moderator)) | is_staff_member,
)

# Taking part: the phase decides what, the role and the state decide who.
rules.add_perm("participation.add_idea", is_participant & process_is_published & phase_allows_propose)
rules.add_perm(
    "participation.change_idea",
    is_participant & is_idea_author & idea_is_open & idea_untouched & phase_allows_propose,
)
rules.add_perm("participation.withdraw_idea", is_participant & is_idea_author & idea_is_open)
rules.add_perm(
    "participation.comment_idea",
    is_participant & idea_is_public & idea_accepts_comments & phase_allows_comment,
)
rules.add_perm(
    "participation.reply_comment",
    is_participant
    & is_top_level_comment
    & comment_is_live
    & comment_is_published
    & idea_is_public
    & idea_accepts_comments
    & phase_allows_comment,
)
rules.add_perm(
    "participation.change_comment",
    is_participant & is_comment_author & comment_is_live & comment_in_edit_window,
)
rules.add_perm("participation.delete_comment", is_authenticated & is_comment_author & comment_is_live)
rules.add_perm("participation.support_idea", is_participant & idea_is_open & phase_allows_support)
# Withdrawing a support is always possible while the idea is open, also when the phase has moved on.
rules.add_perm("participation.unsupport_idea", is_authenticated & idea_is_open)
rules.add_perm("participation.follow", is_authenticated)
rules.add_perm("participation.report", is_participant)

# Ideas said at a meeting are recorded by its facilitators (or the plan office), whatever the phase.
rules.add_perm(
    "participation.record_idea", process_is_published & (is_facilitator | is_staff_member) & is_participant
)

# The plan office answers, in the phases that allow it.
rules.add_perm("participation.answer_idea", is_plan_office & idea_is_answerable & phase_allows_answer)
rules.add_perm("participation.view_feedback_report", process_is_published | is_staff_member)

# Moderation does not depend on phases.
rules.add_perm("participation.moderate", is_moderator)
rules.add_perm("participation.manage_processes", is_staff_member)
