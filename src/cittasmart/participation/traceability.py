"""Participation in other apps' pages (``core.registry.register_panel``): the ideas that fed a plan action, the
plan office's card in the management page, the moderators' card in the profile.

Each provider answers "" when it has nothing for the person, so the page shows nothing of it."""

import rules
from django.template.loader import render_to_string

from cittasmart.participation import moderation, selectors


def action_ideas(request, *, action=None, **context) -> str:
    """The "plan.action" panel: the answered public ideas that fed this action, in any version of the plan
    (the same action keeps its key from one version to the next)."""
    if action is None:
        return ""
    ideas = selectors.answered_ideas_for_action(action=action)
    return render_to_string("participation/_action_ideas.html", {"ideas": ideas, "action": action}, request)


def manage_card(request, **context) -> str:
    """The "core.manage" card of the plan office: processes and the ideas waiting for an answer."""
    if not rules.has_perm("participation.manage_processes", request.user):
        return ""
    return render_to_string(
        "participation/_manage_card.html",
        {"awaiting": moderation.ideas_awaiting_answer().count()},
        request,
    )


def moderation_card(request, **context) -> str:
    """The "accounts.profile" card of the moderators: the queue and how many reports are open."""
    if not rules.has_perm("participation.moderate", request.user):
        return ""
    return render_to_string(
        "participation/_moderation_card.html",
        {"open_reports": moderation.open_reports().count()},
        request,
    )
