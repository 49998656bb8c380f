"""Every write of participation. Each function checks the permission it needs (so the admin, the API and the views
behave alike), validates, writes in one transaction and leaves counters equal to the rows they count."""

from collections.abc import Iterable, Sequence

import rules
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cittasmart.core.ambiti import Ambito
from cittasmart.core.audit import log_action
from cittasmart.core.markup import render_markdown
from cittasmart.participation import notify
from cittasmart.participation.attachments import original_name, store_attachments
from cittasmart.participation.models import (
    Block,
    Comment,
    CommentStatus,
    Follow,
    Idea,
    IdeaAnswer,
    IdeaAttachment,
    IdeaStatus,
    Notification,
    NotificationKind,
    NotificationSettings,
    Outcome,
    Phase,
    Process,
    ProcessAmbito,
    Report,
    ReportResolution,
    Support,
)
from cittasmart.plan.models import Action
from cittasmart.stakeholders.models import Membership, Organisation


def _require(user, perm: str, obj, message: str) -> None:
    # ``rules.has_perm`` rather than ``user.has_perm``: superusers too follow phases and states here.
    if not rules.has_perm(perm, user, obj):
        raise PermissionDenied(message)


def _save(obj, **full_clean_kwargs) -> None:
    obj.full_clean(**full_clean_kwargs)
    obj.save()


def _check_on_behalf(user, organisation: Organisation | None) -> None:
    if (
        organisation is not None
        and not Membership.objects.filter(user=user, organisation=organisation).exists()
    ):
        raise ValidationError(
            {"organisation": _("You can only write on behalf of an organisation you act for.")}
        )


def _needs_review(*, process: Process, user) -> bool:
    """With first-post review on, a person's first idea or comment in the process waits for a moderator."""
    if not process.first_post_review:
        return False
    approved_ideas = Idea.objects.filter(author=user, process=process).exclude(status=IdeaStatus.PENDING)
    approved_comments = Comment.objects.filter(
        author=user, idea__process=process, status=CommentStatus.PUBLISHED
    )
    return not approved_ideas.exists() and not approved_comments.exists()


# --- Processes (plan office) ---------------------------------------------------------------------------


@transaction.atomic
def process_save(
    *,
    actor,
    process: Process | None = None,
    ambiti: Iterable[str] = (),
    actions: Iterable[Action] = (),
    **fields,
) -> Process:
    if not rules.has_perm("participation.manage_processes", actor):
        raise PermissionDenied(_("Only the plan office manages participatory processes."))
    created = process is None
    process = process or Process()
    for name, value in fields.items():
        setattr(process, name, value)
    process.description_html = render_markdown(process.description)
    _save(process)
    ProcessAmbito.objects.filter(process=process).exclude(ambito__in=list(ambiti)).delete()
    for ambito in ambiti:
        ProcessAmbito.objects.get_or_create(process=process, ambito=ambito)
    process.actions.set(list(actions))
    log_action(
        actor, "participation.process.created" if created else "participation.process.changed", process
    )
    return process


def _check_phase_overlap(phase: Phase) -> None:
    others = Phase.objects.filter(process=phase.process).exclude(pk=phase.pk)
    if others.filter(starts_on__lte=phase.ends_on, ends_on__gte=phase.starts_on).exists():
        raise ValidationError(_("The phases of a process cannot overlap."))


@transaction.atomic
def phase_save(*, actor, process: Process, phase: Phase | None = None, **fields) -> Phase:
    if not rules.has_perm("participation.manage_processes", actor):
        raise PermissionDenied(_("Only the plan office manages participatory processes."))
    Process.objects.select_for_update().filter(pk=process.pk).first()
    phase = phase or Phase(process=process)
    for name, value in fields.items():
        setattr(phase, name, value)
    phase.full_clean()
    _check_phase_overlap(phase)
    phase.save()
    log_action(actor, "participation.phase.saved", process, {"phase": phase.pk, "kind": phase.kind})
    return phase


@transaction.atomic
def phase_delete(*, actor, phase: Phase) -> None:
    if not rules.has_perm("participation.manage_processes", actor):
        raise PermissionDenied(_("Only the plan office manages participatory processes."))
    log_action(actor, "participation.phase.deleted", phase.process, {"phase": phase.pk, "kind": phase.kind})
    phase.delete()


# --- Ideas ----------------------------------------------------------------------------------------------


def _idea_fields(idea: Idea, *, process: Process, user, fields: dict) -> None:
    allowed = {"title", "body", "ambito", "place_name", "latitude", "longitude", "organisation"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown idea fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(idea, name, value.strip() if isinstance(value, str) else value)
    _check_on_behalf(user, idea.organisation)
    process_ambiti = process.ambiti_list
    if idea.ambito and process_ambiti and idea.ambito not in process_ambiti:
        raise ValidationError({"ambito": _("Choose one of the domains of this process.")})
    if (idea.latitude is None) != (idea.longitude is None):
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
    idea.body_html = render_markdown(idea.body)


def _add_attachments(idea: Idea, files: Sequence) -> None:
    from django.conf import settings

    if idea.attachments.count() + len(files) > settings.ATTACHMENTS_PER_IDEA:
        raise ValidationError(
            {
                "attachments": _("At most %(count)d attachments per idea.")
                % {"count": settings.ATTACHMENTS_PER_IDEA}
            }
        )
    store_attachments(
        files,
        lambda upload, kind, content_type: IdeaAttachment(
            idea=idea,
            kind=kind,
            content_type=content_type,
            original_name=original_name(upload),
            size=upload.size,
        ),
    )


@transaction.atomic
def idea_record(
    *,
    recorder,
    process: Process,
    title: str,
    body: str,
    ambito: str = "",
    organisation: Organisation | None = None,
    said_by: str = "",
    source_title: str,
    source_url: str = "",
) -> Idea:
    """Publish an idea said at a meeting, as a facilitator recorded it: ``recorder`` is its author, ``said_by`` and
    ``organisation`` tell who said it, ``source_title`` and ``source_url`` where. The phase does not matter: the
    meeting took place; first-post review does not apply to a facilitator."""
    _require(
        recorder,
        "participation.record_idea",
        process,
        _("Only facilitators and the plan office record ideas, in a published process."),
    )
    idea = Idea(process=process, author=recorder, organisation=organisation)
    idea.title = title.strip()
    idea.body = body.strip()
    idea.ambito = ambito
    idea.said_by = said_by.strip()
    idea.source_title = source_title.strip()
    idea.source_url = source_url
    if not idea.source_title:
        raise ValidationError({"source_title": _("Say where the idea was collected.")})
    process_ambiti = process.ambiti_list
    if idea.ambito and process_ambiti and idea.ambito not in process_ambiti:
        raise ValidationError({"ambito": _("Choose one of the domains of this process.")})
    idea.body_html = render_markdown(idea.body)
    idea.status = IdeaStatus.PUBLISHED
    idea.published_at = timezone.now()
    _save(idea)
    notify.idea_published(idea)
    return idea


@transaction.atomic
def ideas_forget_said_by(*, idea_ids) -> int:
    """Erasure (GDPR) of someone who said ideas at a meeting: the recorded ideas no longer name them."""
    return (
        Idea.objects.filter(pk__in=idea_ids)
        .exclude(source_title="")
        .update(said_by="", updated_at=timezone.now())
    )


@transaction.atomic
def idea_create(*, user, process: Process, files: Sequence = (), **fields) -> Idea:
    """Publish a person's idea (or leave it awaiting review); the author follows it from now on."""
    _require(
        user, "participation.add_idea", process, _("Ideas cannot be proposed in this phase of the process.")
    )
    idea = Idea(process=process, author=user)
    _idea_fields(idea, process=process, user=user, fields=fields)
    pending = _needs_review(process=process, user=user)
    idea.status = IdeaStatus.PENDING if pending else IdeaStatus.PUBLISHED
    idea.published_at = None if pending else timezone.now()
    _save(idea)
    _add_attachments(idea, files)
    Follow.objects.get_or_create(user=user, idea=idea)
    if not pending:
        notify.idea_published(idea)
    return idea


@transaction.atomic
def idea_update(
    *, user, idea: Idea, files: Sequence = (), remove_attachments: Iterable[int] = (), **fields
) -> Idea:
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    _require(user, "participation.change_idea", idea, _("This idea can no longer be changed."))
    _idea_fields(idea, process=idea.process, user=user, fields=fields)
    _save(idea)
    idea.attachments.filter(pk__in=list(remove_attachments)).delete()
    _add_attachments(idea, files)
    return idea


@transaction.atomic
def idea_withdraw(*, user, idea: Idea) -> Idea:
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    _require(user, "participation.withdraw_idea", idea, _("This idea cannot be withdrawn."))
    idea.status = IdeaStatus.WITHDRAWN
    idea.withdrawn_at = timezone.now()
    _save(idea)
    notify.idea_status_changed(idea, actor=user)
    return idea


@transaction.atomic
def idea_set_evaluating(*, actor, idea: Idea) -> Idea:
    """The plan office takes the idea into evaluation (followers are told)."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    _require(actor, "participation.answer_idea", idea, _("This idea cannot be evaluated now."))
    if idea.status != IdeaStatus.PUBLISHED:
        raise ValidationError(_("Only a published idea can be taken into evaluation."))
    idea.status = IdeaStatus.EVALUATING
    _save(idea)
    log_action(actor, "participation.idea.evaluating", idea)
    notify.idea_status_changed(idea, actor=actor)
    return idea


def answerable_actions():
    """The actions an answer can link: those of published plan versions (which never change)."""
    return (
        Action.objects.filter(version__status="published")
        .select_related("version")
        .order_by("-version__number", "code")
    )


@transaction.atomic
def answer_save(*, actor, idea: Idea, outcome: str, text: str, actions: Iterable[Action] = ()) -> IdeaAnswer:
    """Give or revise the official answer: the idea becomes answered, followers are notified."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    _require(actor, "participation.answer_idea", idea, _("This idea cannot be answered now."))
    actions = list(actions)
    allowed = set(answerable_actions().filter(pk__in=[a.pk for a in actions]).values_list("pk", flat=True))
    if any(a.pk not in allowed for a in actions):
        raise ValidationError({"actions": _("Link only actions of a published version of the plan.")})
    if outcome in (Outcome.ACCEPTED, Outcome.PARTIAL, Outcome.ALREADY_PLANNED) and not actions:
        raise ValidationError({"actions": _("Say which plan actions the idea fed or is covered by.")})
    answer = IdeaAnswer.objects.filter(idea=idea).first()
    created = answer is None
    answer = answer or IdeaAnswer(idea=idea)
    answer.outcome = outcome
    answer.text = text.strip()
    answer.text_html = render_markdown(text)
    answer.answered_by = actor
    _save(answer)
    answer.actions.set(actions)
    idea.status = IdeaStatus.ANSWERED
    _save(idea)
    log_action(
        actor,
        "participation.idea.answered" if created else "participation.idea.answer_changed",
        idea,
        {"outcome": outcome, "actions": [a.code for a in actions]},
    )
    notify.idea_answered(idea, actor=actor)
    return answer


# --- Comments -------------------------------------------------------------------------------------------


def _comment_counter(idea_pk: int, delta: int) -> None:
    Idea.objects.filter(pk=idea_pk).update(comment_count=F("comment_count") + delta)


@transaction.atomic
def comment_create(
    *, user, idea: Idea, body: str, parent: Comment | None = None, organisation: Organisation | None = None
) -> Comment:
    if parent is not None:
        _require(user, "participation.reply_comment", parent, _("You cannot reply to this comment."))
        if parent.idea_id != idea.pk:
            raise ValidationError(_("The reply must be on the same idea."))
    else:
        _require(user, "participation.comment_idea", idea, _("Comments are closed for this idea."))
    _check_on_behalf(user, organisation)
    pending = _needs_review(process=idea.process, user=user)
    comment = Comment(
        idea=idea,
        parent=parent,
        author=user,
        organisation=organisation,
        body=body.strip(),
        status=CommentStatus.PENDING if pending else CommentStatus.PUBLISHED,
    )
    _save(comment)
    if not pending:
        _comment_counter(idea.pk, 1)
        notify.comment_published(comment)
    Follow.objects.get_or_create(user=user, idea=idea)
    return comment


@transaction.atomic
def comment_update(*, user, comment: Comment, body: str) -> Comment:
    comment = Comment.objects.select_for_update().select_related("idea__process").get(pk=comment.pk)
    _require(user, "participation.change_comment", comment, _("This comment can no longer be changed."))
    comment.body = body.strip()
    comment.edited_at = timezone.now()
    _save(comment)
    return comment


@transaction.atomic
def comment_delete(*, user, comment: Comment) -> Comment:
    """The author deletes their comment: the text goes, the place in the thread (and its replies) stays."""
    comment = Comment.objects.select_for_update().select_related("idea__process").get(pk=comment.pk)
    _require(user, "participation.delete_comment", comment, _("This comment cannot be deleted."))
    counted = comment.counts
    comment.deleted_at = timezone.now()
    comment.body = ""
    comment.save(update_fields=["deleted_at", "body", "updated_at"])
    if counted:
        _comment_counter(comment.idea_id, -1)
    return comment


# --- Supports -------------------------------------------------------------------------------------------


def support_add(*, user, idea: Idea) -> bool:
    """Support the idea; True if a support was added, False if the person already supported it.

    The row and the counter change in one transaction, and ``idea.support_count`` is read back in it. The unique
    constraint decides between concurrent requests of the same person, so a double click never counts twice:
    the insert is tried without a read first (the busiest write of a campaign), and a refused insert is a
    support that already exists."""
    _require(user, "participation.support_idea", idea, _("Supports are closed for this idea."))
    try:
        with transaction.atomic():
            Support.objects.create(idea=idea, user=user)
            Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") + 1)
            idea.refresh_from_db(fields=["support_count"])
    except IntegrityError:
        # The unique constraint: the person supported it already (perhaps withdrawn since by a concurrent request,
        # which then came after this one). Anything else means the idea or the person is gone.
        if not (
            Idea.objects.filter(pk=idea.pk).exists() and get_user_model().objects.filter(pk=user.pk).exists()
        ):
            raise
        return False
    return True


def support_remove(*, user, idea: Idea) -> bool:
    """Withdraw the person's support; True if there was one."""
    _require(
        user, "participation.unsupport_idea", idea, _("Supports can no longer be withdrawn for this idea.")
    )
    with transaction.atomic():
        deleted, _rows = Support.objects.filter(idea=idea, user=user).delete()
        if deleted:
            Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") - 1)
            idea.refresh_from_db(fields=["support_count"])
    return bool(deleted)


# --- Follows --------------------------------------------------------------------------------------------


def follow_set(*, user, target: Process | Idea, following: bool) -> bool:
    """Follow or stop following a process or an idea; returns whether the person follows it now."""
    _require(user, "participation.follow", target, _("Log in to follow."))
    lookup = {"process": target} if isinstance(target, Process) else {"idea": target}
    if following:
        try:
            with transaction.atomic():
                Follow.objects.get_or_create(user=user, **lookup)
        except IntegrityError:
            pass  # followed by a concurrent request
    else:
        Follow.objects.filter(user=user, **lookup).delete()
    return following


def _check_ambito(ambito: str) -> None:
    if ambito not in Ambito.values:
        raise ValidationError({"ambiti": _("Unknown domain.")})


def ambito_follow_set(*, user, ambito: str, following: bool) -> bool:
    """Follow or stop following a domain (to hear of the news published in it); returns whether the person
    follows it now."""
    _require(user, "participation.follow", None, _("Log in to follow."))
    _check_ambito(ambito)
    if following:
        try:
            with transaction.atomic():
                Follow.objects.get_or_create(user=user, ambito=ambito)
        except IntegrityError:
            pass  # followed by a concurrent request
    else:
        Follow.objects.filter(user=user, ambito=ambito).delete()
    return following


@transaction.atomic
def ambiti_follow_replace(*, user, ambiti: Iterable[str]) -> list[str]:
    """Follow exactly ``ambiti`` among the domains (the preferences page); returns them in the taxonomy's order."""
    _require(user, "participation.follow", None, _("Log in to follow."))
    wanted = set(ambiti)
    for ambito in wanted:
        _check_ambito(ambito)
    Follow.objects.filter(user=user, process__isnull=True, idea__isnull=True).exclude(
        ambito__in=wanted
    ).delete()
    for ambito in wanted:
        ambito_follow_set(user=user, ambito=ambito, following=True)
    return [a for a in Ambito.values if a in wanted]


# --- Notifications --------------------------------------------------------------------------------------


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def notification_settings_get(*, user) -> NotificationSettings:
    settings_row, _created = NotificationSettings.objects.get_or_create(user=user)
    return settings_row


def notification_settings_update(*, user, email_frequency: str) -> NotificationSettings:
    settings_row = notification_settings_get(user=user)
    settings_row.email_frequency = email_frequency
    _save(settings_row)
    return settings_row


@transaction.atomic
def notification_preferences_save(
    *, user, email_frequency: str, ambiti: Iterable[str]
) -> NotificationSettings:
    """The preferences page: how often to get e-mails, and which domains to hear the news of."""
    settings_row = notification_settings_update(user=user, email_frequency=email_frequency)
    ambiti_follow_replace(user=user, ambiti=ambiti)
    return settings_row


def notification_unsubscribe(*, token: str) -> NotificationSettings | None:
    """The one-click unsubscribe link: no more e-mails for whoever holds the token."""
    settings_row = NotificationSettings.objects.filter(unsubscribe_token=token).first()
    if settings_row is not None and settings_row.email_frequency != "never":
        settings_row.email_frequency = "never"
        settings_row.save(update_fields=["email_frequency"])
    return settings_row


# --- Moderation -----------------------------------------------------------------------------------------


@transaction.atomic
def report_create(
    *, user, reason: str, details: str = "", idea: Idea | None = None, comment: Comment | None = None
) -> Report:
    """Report an idea or a comment. A second report of the same content by the same person is refused."""
    target = idea or comment
    _require(user, "participation.report", target, _("You cannot report content."))
    if Report.objects.filter(reporter=user, idea=idea, comment=comment).exists():
        raise ValidationError(_("You have already reported this content; the moderators will look at it."))
    report = Report(reporter=user, idea=idea, comment=comment, reason=reason, details=details.strip())
    report.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("You have already reported this content; the moderators will look at it.")
        ) from exc
    return report


def _resolve_reports(*, actor, idea: Idea | None, comment: Comment | None, resolution: str) -> int:
    return Report.objects.filter(idea=idea, comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=actor, resolution=resolution
    )


def _moderator_required(actor) -> None:
    if not rules.has_perm("participation.moderate", actor):
        raise PermissionDenied(_("Only moderators can do this."))


@transaction.atomic
def content_hide(*, actor, reason: str, idea: Idea | None = None, comment: Comment | None = None):
    """Hide an idea or a comment (never deleted), resolve its reports and tell the author why."""
    _moderator_required(actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the content is hidden: the author will read it.")})
    if idea is not None:
        target = Idea.objects.select_for_update().get(pk=idea.pk)
    else:
        target = Comment.objects.select_for_update().get(pk=comment.pk)
    if target.is_hidden:
        raise ValidationError(_("This content is already hidden."))
    counted = isinstance(target, Comment) and target.counts
    target.is_hidden = True
    target.hidden_reason = reason.strip()
    target.save(update_fields=["is_hidden", "hidden_reason", "updated_at"])
    if counted:
        _comment_counter(target.idea_id, -1)
    resolved = _resolve_reports(
        actor=actor, idea=idea and target, comment=comment and target, resolution=ReportResolution.HIDDEN
    )
    kind = "idea" if idea is not None else "comment"
    log_action(
        actor, f"participation.{kind}.hidden", target, {"reason": target.hidden_reason, "reports": resolved}
    )
    notify.content_moderated(target, actor=actor, kind=NotificationKind.HIDDEN, reason=target.hidden_reason)
    return target


@transaction.atomic
def content_unhide(*, actor, reason: str, idea: Idea | None = None, comment: Comment | None = None):
    _moderator_required(actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the content is shown again.")})
    if idea is not None:
        target = Idea.objects.select_for_update().get(pk=idea.pk)
    else:
        target = Comment.objects.select_for_update().get(pk=comment.pk)
    if not target.is_hidden:
        raise ValidationError(_("This content is not hidden."))
    target.is_hidden = False
    target.hidden_reason = ""
    target.save(update_fields=["is_hidden", "hidden_reason", "updated_at"])
    if isinstance(target, Comment) and target.counts:
        _comment_counter(target.idea_id, 1)
    kind = "idea" if idea is not None else "comment"
    log_action(actor, f"participation.{kind}.unhidden", target, {"reason": reason.strip()})
    notify.content_moderated(target, actor=actor, kind=NotificationKind.UNHIDDEN, reason=reason.strip())
    return target


@transaction.atomic
def reports_dismiss(*, actor, idea: Idea | None = None, comment: Comment | None = None) -> int:
    _moderator_required(actor)
    dismissed = _resolve_reports(
        actor=actor, idea=idea, comment=comment, resolution=ReportResolution.DISMISSED
    )
    log_action(actor, "participation.reports.dismissed", idea or comment, {"reports": dismissed})
    return dismissed


@transaction.atomic
def first_post_approve(*, actor, idea: Idea | None = None, comment: Comment | None = None):
    """Publish a first post that was waiting for review."""
    _moderator_required(actor)
    if idea is not None:
        target = Idea.objects.select_for_update().get(pk=idea.pk)
        if target.status != IdeaStatus.PENDING:
            raise ValidationError(_("This idea is not awaiting review."))
        target.status = IdeaStatus.PUBLISHED
        target.published_at = timezone.now()
        target.save(update_fields=["status", "published_at", "updated_at"])
        notify.idea_published(target)
    else:
        target = Comment.objects.select_for_update().get(pk=comment.pk)
        if target.status != CommentStatus.PENDING:
            raise ValidationError(_("This comment is not awaiting review."))
        target.status = CommentStatus.PUBLISHED
        target.save(update_fields=["status", "updated_at"])
        if target.counts:
            _comment_counter(target.idea_id, 1)
        notify.comment_published(target)
    log_action(actor, "participation.first_post.approved", target)
    notify.content_moderated(target, actor=actor, kind=NotificationKind.APPROVED)
    return target


@transaction.atomic
def first_post_reject(*, actor, reason: str, idea: Idea | None = None, comment: Comment | None = None):
    """A first post that breaks the rules stays hidden (and awaiting review); the author is told why."""
    return content_hide(actor=actor, reason=reason, idea=idea, comment=comment)


@transaction.atomic
def user_block(*, actor, user, reason: str) -> Block:
    _moderator_required(actor)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot block yourself."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the person is blocked.")})
    block, created = Block.objects.get_or_create(
        user=user, defaults={"reason": reason.strip(), "blocked_by": actor}
    )
    if not created:
        raise ValidationError(_("This person is already blocked."))
    log_action(actor, "participation.user.blocked", user, {"reason": block.reason})
    return block


@transaction.atomic
def user_unblock(*, actor, user, reason: str = "") -> None:
    _moderator_required(actor)
    deleted, _rows = Block.objects.filter(user=user).delete()
    if not deleted:
        raise ValidationError(_("This person is not blocked."))
    log_action(actor, "participation.user.unblocked", user, {"reason": reason.strip()})


# --- Counters -------------------------------------------------------------------------------------------


def counters_recompute(*, process: Process | None = None, dry_run: bool = False) -> int:
    """Set every idea's counters from the rows they count; returns how many ideas were corrected (with
    ``dry_run``, how many are wrong, changing nothing)."""
    from django.db.models import Count, Q

    ideas = Idea.objects.all() if process is None else Idea.objects.filter(process=process)
    fixed = 0
    live = Q(
        comments__status=CommentStatus.PUBLISHED, comments__is_hidden=False, comments__deleted_at__isnull=True
    )
    annotated = ideas.annotate(
        supports_real=Count("supports", distinct=True),
        comments_real=Count("comments", filter=live, distinct=True),
    )
    for idea in annotated.iterator():
        if idea.support_count != idea.supports_real or idea.comment_count != idea.comments_real:
            fixed += 1
            if dry_run:
                continue
            Idea.objects.filter(pk=idea.pk).update(
                support_count=idea.supports_real, comment_count=idea.comments_real
            )
    return fixed
