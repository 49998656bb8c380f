"""Who hears of what: each event becomes one ``Notification`` per person concerned (never the one who acted).

Rows are written in the caller's transaction; e-mails to people who want them at once are sent by a background
task after the commit (``tasks.send_notification_emails``); the others get the daily digest.
"""

from collections.abc import Iterable

from django.db import transaction

from cittasmart.core.ambiti import Ambito
from cittasmart.participation.models import (
    Comment,
    EmailFrequency,
    Follow,
    Idea,
    Notification,
    NotificationKind,
    NotificationSettings,
)


def _create(
    kind: str,
    recipient_ids: Iterable[int],
    *,
    actor=None,
    idea=None,
    comment=None,
    process=None,
    reason="",
    subject_title="",
    subject_path="",
    ambito="",
):
    actor_id = getattr(actor, "pk", None)
    ids = sorted({pk for pk in recipient_ids if pk and pk != actor_id})
    if not ids:
        return []
    if idea is not None and process is None:
        process = idea.process
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                actor_id=actor_id,
                process=process,
                idea=idea,
                comment=comment,
                reason=reason[:500],
                subject_title=subject_title[:200],
                subject_path=subject_path[:300],
                ambito=ambito,
            )
            for pk in ids
        ]
    )
    immediate = set(
        NotificationSettings.objects.filter(
            user_id__in=ids, email_frequency=EmailFrequency.IMMEDIATE
        ).values_list("user_id", flat=True)
    )
    # bulk_create returns primary keys on PostgreSQL and SQLite alike.
    to_email = [row.pk for row in rows if row.recipient_id in immediate]
    if to_email:
        from cittasmart.participation.tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.enqueue(to_email))
    return rows


def _idea_followers(idea: Idea) -> list[int]:
    return list(Follow.objects.filter(idea=idea).values_list("user_id", flat=True))


def idea_published(idea: Idea):
    followers = Follow.objects.filter(process_id=idea.process_id).values_list("user_id", flat=True)
    return _create(NotificationKind.NEW_IDEA, followers, actor=idea.author, idea=idea)


def comment_published(comment: Comment):
    idea = comment.idea
    rows = []
    replied_to = comment.parent.author_id if comment.parent_id else None
    if replied_to:
        rows += _create(
            NotificationKind.REPLY, [replied_to], actor=comment.author, idea=idea, comment=comment
        )
    followers = [pk for pk in _idea_followers(idea) if pk != replied_to]
    rows += _create(NotificationKind.NEW_COMMENT, followers, actor=comment.author, idea=idea, comment=comment)
    return rows


def idea_status_changed(idea: Idea, *, actor):
    return _create(NotificationKind.STATUS, _idea_followers(idea), actor=actor, idea=idea)


def idea_answered(idea: Idea, *, actor):
    return _create(NotificationKind.ANSWERED, _idea_followers(idea), actor=actor, idea=idea)


def content_moderated(target, *, actor, kind: str, reason: str = ""):
    """Tell the author that their idea or comment was hidden, shown again or approved."""
    if isinstance(target, Comment):
        return _create(kind, [target.author_id], actor=actor, idea=target.idea, comment=target, reason=reason)
    return _create(kind, [target.author_id], actor=actor, idea=target, reason=reason)


def news_published(*, title: str, path: str, ambiti: Iterable[str], actor=None):
    """Tell the followers of any of ``ambiti`` that news was published: one notification per person, even when
    they follow several of its domains (it names the first of them, in the order of the taxonomy).

    ``path`` is the page of the news, relative to the site; it is stored as it is, with the title, because the
    news is not a thing of participation (the caller, ``documents.services_news``, writes no notification
    itself)."""
    wanted = [a.value for a in Ambito if a.value in set(ambiti)]
    if not wanted:
        return []
    by_ambito: dict[str, list[int]] = {}
    seen: set[int] = set()
    follows = Follow.objects.filter(ambito__in=wanted).values_list("ambito", "user_id")
    for ambito, user_id in sorted(follows, key=lambda row: (wanted.index(row[0]), row[1])):
        if user_id not in seen:
            seen.add(user_id)
            by_ambito.setdefault(ambito, []).append(user_id)
    rows = []
    for ambito in wanted:
        rows += _create(
            NotificationKind.NEWS,
            by_ambito.get(ambito, []),
            actor=actor,
            subject_title=title,
            subject_path=path,
            ambito=ambito,
        )
    return rows
