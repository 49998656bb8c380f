"""GDPR: what participation stores about a person, to export it and to erase it (see ``accounts/gdpr.py``).

What erasure keeps and what it removes, and why:

- Ideas and comments that were public stay, with their text: other people supported them, replied to them, and
  the plan office may have answered an idea and linked it to plan actions. The public record must stay coherent,
  so they are anonymised instead: the account itself is erased by ``accounts`` and then signs everything as
  "Former participant". What could still locate or identify the person goes: the place name and coordinates
  of their ideas and every attachment of their ideas (the files are deleted from storage after the commit).
- Ideas and comments still awaiting review were never public (nobody could support, answer or reply to them), so
  they are not part of the record: they are deleted.
- Supports stay (anonymous rows): the counters shown on the ideas stay equal to the rows they count.
- Follows (of processes, ideas and domains), notifications received, e-mail settings and the reports the person made are removed: they are about the
  person only and have no public meaning. A participation block is removed too (the audit log keeps the history).
- Notifications of other people that name the person as the one who acted keep pointing to the anonymised row.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

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
    NotificationSettings,
    Report,
    Support,
)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _answer(idea: Idea) -> dict[str, Any] | None:
    try:
        answer = idea.answer
    except IdeaAnswer.DoesNotExist:
        return None
    return {"outcome": answer.outcome, "text": answer.text, "answered_at": _iso(answer.created_at)}


def _export_ideas(user) -> list[dict[str, Any]]:
    ideas = (
        Idea.objects.filter(author=user)
        .select_related("process", "organisation", "answer")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    return [
        {
            "id": idea.pk,
            "process": idea.process.title,
            "title": idea.title,
            "body": idea.body,
            "domain": idea.ambito,
            "place": idea.place_name,
            "latitude": str(idea.latitude) if idea.latitude is not None else None,
            "longitude": str(idea.longitude) if idea.longitude is not None else None,
            "on_behalf_of": idea.organisation.name if idea.organisation_id else None,
            "state": idea.status,
            "hidden_by_moderation": idea.is_hidden,
            "hidden_reason": idea.hidden_reason,
            "created_at": _iso(idea.created_at),
            "updated_at": _iso(idea.updated_at),
            "published_at": _iso(idea.published_at),
            "withdrawn_at": _iso(idea.withdrawn_at),
            "supports": idea.support_count,
            "comments": idea.comment_count,
            "attachments": [
                {"name": a.original_name, "kind": a.kind, "size": a.size, "uploaded_at": _iso(a.created_at)}
                for a in idea.attachments.all()
            ],
            "official_answer": _answer(idea),
        }
        for idea in ideas
    ]


def _export_comments(user) -> list[dict[str, Any]]:
    comments = (
        Comment.objects.filter(author=user)
        .select_related("idea__process", "organisation")
        .order_by("created_at", "id")
    )
    return [
        {
            "id": comment.pk,
            "process": comment.idea.process.title,
            "idea": comment.idea.title,
            "idea_id": comment.idea_id,
            "in_reply_to": comment.parent_id,
            "body": comment.body,
            "on_behalf_of": comment.organisation.name if comment.organisation_id else None,
            "state": comment.status,
            "hidden_by_moderation": comment.is_hidden,
            "hidden_reason": comment.hidden_reason,
            "created_at": _iso(comment.created_at),
            "edited_at": _iso(comment.edited_at),
            "deleted_at": _iso(comment.deleted_at),
        }
        for comment in comments
    ]


def _export_supports(user) -> list[dict[str, Any]]:
    supports = Support.objects.filter(user=user).select_related("idea__process").order_by("created_at", "id")
    return [
        {
            "idea": s.idea.title,
            "idea_id": s.idea_id,
            "process": s.idea.process.title,
            "created_at": _iso(s.created_at),
        }
        for s in supports
    ]


def _export_follows(user) -> list[dict[str, Any]]:
    follows = Follow.objects.filter(user=user).select_related("process", "idea").order_by("created_at", "id")
    return [
        {
            "process": f.process.title if f.process_id else None,
            "idea": f.idea.title if f.idea_id else None,
            "idea_id": f.idea_id,
            "domain": f.ambito or None,
            "created_at": _iso(f.created_at),
        }
        for f in follows
    ]


def _export_reports(user) -> list[dict[str, Any]]:
    reports = Report.objects.filter(reporter=user).order_by("created_at", "id")
    return [
        {
            "idea_id": r.idea_id,
            "comment_id": r.comment_id,
            "reason": r.reason,
            "details": r.details,
            "created_at": _iso(r.created_at),
            "resolved_at": _iso(r.resolved_at),
            "resolution": r.resolution,
        }
        for r in reports
    ]


def _export_notifications(user) -> list[dict[str, Any]]:
    rows = Notification.objects.filter(recipient=user).order_by("created_at", "id")
    return [
        {
            "kind": n.kind,
            "idea_id": n.idea_id,
            "comment_id": n.comment_id,
            "reason": n.reason,
            "subject": n.subject_title or None,
            "domain": n.ambito or None,
            "created_at": _iso(n.created_at),
            "read_at": _iso(n.read_at),
            "emailed_at": _iso(n.emailed_at),
        }
        for n in rows.iterator()
    ]


def export(user) -> dict[str, Any]:
    settings_row = NotificationSettings.objects.filter(user=user).first()
    block = Block.objects.filter(user=user).first()
    return {
        "ideas": _export_ideas(user),
        "comments": _export_comments(user),
        "supports": _export_supports(user),
        "follows": _export_follows(user),
        "reports": _export_reports(user),
        "notifications": _export_notifications(user),
        "notification_settings": (
            {
                "email_frequency": settings_row.email_frequency,
                "last_digest_at": _iso(settings_row.last_digest_at),
            }
            if settings_row
            else None
        ),
        "block": (
            {"reason": block.reason, "blocked_at": _iso(block.created_at)} if block is not None else None
        ),
    }


def _delete_files_after_commit(attachments) -> None:
    files = [a.file for a in attachments if a.file]

    def delete() -> None:
        for file in files:
            file.delete(save=False)

    transaction.on_commit(delete)


@transaction.atomic
def erase(user) -> None:
    """Anonymise the person's participation (the module docstring says what stays and what goes)."""
    pending_ideas = Idea.objects.filter(author=user, status=IdeaStatus.PENDING)
    attachments = list(IdeaAttachment.objects.filter(idea__author=user))
    _delete_files_after_commit(attachments)
    IdeaAttachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    pending_ideas.delete()
    Idea.objects.filter(author=user).update(
        place_name="", latitude=None, longitude=None, updated_at=timezone.now()
    )
    Comment.objects.filter(author=user, status=CommentStatus.PENDING).delete()
    Follow.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    NotificationSettings.objects.filter(user=user).delete()
    Report.objects.filter(reporter=user).delete()
    Block.objects.filter(user=user).delete()
