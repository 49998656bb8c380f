"""What a notification says, in the language active when it is read: the in-app list and the e-mails share it.

A notification stores only what happened (``kind``, who, on which idea or comment, the moderation reason; for news,
its title, its page and the followed domain it came through); the sentence is made here, so that it follows the
reader's language and the current title of the idea. Reads only what ``selectors.notifications_for`` already
fetched (``actor``, ``idea__process``, ``process``): no queries.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from cittasmart.core.ambiti import Ambito
from cittasmart.participation.models import Notification, NotificationKind


@dataclass(frozen=True)
class NotificationText:
    text: str
    path: str  # the page to open, relative to the site ("" when there is none to show)
    reason: str  # the moderators' reason, for hidden and shown again


def _actor_name(notification: Notification) -> str:
    return notification.actor.public_name if notification.actor_id else _("A participant")


def _idea_title(notification: Notification) -> str:
    idea = notification.idea
    # A hidden idea is named only to its author: its title may be the reason it was hidden.
    if idea.is_hidden and idea.author_id != notification.recipient_id:
        return _("an idea hidden by the moderators")
    return f"“{idea.title}”"


def _path(notification: Notification) -> str:
    idea = notification.idea
    if idea is not None:
        if idea.is_hidden and idea.author_id != notification.recipient_id:
            return ""
        url = idea.get_absolute_url()
        return f"{url}#comment-{notification.comment_id}" if notification.comment_id else url
    if notification.process_id:
        return notification.process.get_absolute_url()
    return ""


def _describe_news(notification: Notification) -> NotificationText:
    names = {"title": notification.subject_title}
    if notification.ambito in Ambito.values:
        names["ambito"] = Ambito(notification.ambito).label
        text = _("New in %(ambito)s: “%(title)s”.") % names
    else:
        text = _("News: “%(title)s”.") % names
    return NotificationText(text=text, path=notification.subject_path, reason="")


def describe(notification: Notification) -> NotificationText:
    """The sentence of ``notification`` and the page it points to."""
    kind = notification.kind
    if kind == NotificationKind.NEWS:
        return _describe_news(notification)
    if notification.idea_id is None:
        # Every kind is about an idea today; a notification whose idea is gone still reads sensibly.
        return NotificationText(
            text=NotificationKind(kind).label if kind in NotificationKind.values else kind,
            path=_path(notification),
            reason=notification.reason,
        )
    names = {"actor": _actor_name(notification), "idea": _idea_title(notification)}
    on_comment = notification.comment_id is not None
    if kind == NotificationKind.NEW_IDEA:
        names["process"] = notification.idea.process.title
        text = _("%(actor)s proposed a new idea in “%(process)s”: %(idea)s.") % names
    elif kind == NotificationKind.NEW_COMMENT:
        text = _("%(actor)s commented on %(idea)s.") % names
    elif kind == NotificationKind.REPLY:
        text = _("%(actor)s replied to your comment on %(idea)s.") % names
    elif kind == NotificationKind.ANSWERED:
        text = _("The plan office has answered %(idea)s.") % names
    elif kind == NotificationKind.STATUS:
        names["state"] = notification.idea.get_status_display()
        text = _("The state of %(idea)s is now: %(state)s.") % names
    elif kind == NotificationKind.HIDDEN:
        if on_comment:
            text = _("Your comment on %(idea)s has been hidden by the moderators.") % names
        else:
            text = _("Your idea %(idea)s has been hidden by the moderators.") % names
    elif kind == NotificationKind.UNHIDDEN:
        if on_comment:
            text = _("Your comment on %(idea)s is visible again.") % names
        else:
            text = _("Your idea %(idea)s is visible again.") % names
    elif kind == NotificationKind.APPROVED:
        if on_comment:
            text = _("Your comment on %(idea)s has been approved and is now public.") % names
        else:
            text = _("Your idea %(idea)s has been approved and is now public.") % names
    else:
        text = kind
    reason = notification.reason if kind in (NotificationKind.HIDDEN, NotificationKind.UNHIDDEN) else ""
    return NotificationText(text=text, path=_path(notification), reason=reason)
