"""What the plan contributes to the site search: the actions of the plan versions the person may see.

Each version holds its own copy of the actions (the copies share a ``key``): an action is found once, in the newest
version the person may see that has it (the current plan for the public, the draft too for the plan office), and
the summary says which version that is."""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from cittasmart.core.registry import SearchHit, SearchSection
from cittasmart.core.search import text_search
from cittasmart.plan import selectors
from cittasmart.plan.models import Action

TITLE = _("Plan actions")


def _summary(action: Action) -> str:
    version = action.version.title
    if not action.version.is_published:
        version = f"{version} ({action.version.get_status_display()})"
    return (
        f"{_('Action')} {action.code} · {version} · {action.get_status_display()}. "
        f"{Truncator(action.description).words(20)}"
    ).strip()


def search_actions(*, query: str, user, limit: int) -> SearchSection:
    """The newest copy of each action among the versions ``user`` may see (published ones; the draft too for the
    plan office), by relevance, then the newest version first, then by code."""
    visible = selectors.versions_visible(user=user)
    newer_copy = Action.objects.filter(
        key=OuterRef("key"), version__in=visible, version__number__gt=OuterRef("version__number")
    )
    actions = text_search(
        Action.objects.filter(version__in=visible)
        .exclude(Exists(newer_copy))
        .select_related("version")
        .order_by("-version__number", "code", "id"),
        query,
        "code",
        "title",
        "description",
        weights={"code": "A", "title": "A", "description": "B"},
    )
    hits = [
        SearchHit(title=action.title, url=action.get_absolute_url(), summary=_summary(action))
        for action in actions[:limit]
    ]
    return SearchSection(
        title=TITLE,
        hits=hits,
        total=actions.count() if len(hits) == limit else len(hits),
        more_url=reverse("plan:home"),
    )
