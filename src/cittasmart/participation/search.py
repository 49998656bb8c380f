"""What participation contributes to the site search: the processes and the ideas the person may see."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from cittasmart.core.registry import SearchHit, SearchSection
from cittasmart.core.search import text_search
from cittasmart.participation import selectors

TITLE = _("Participation: processes and ideas")


def ideas_and_processes(*, query: str, user, limit: int) -> SearchSection:
    """Processes first, then ideas (public ones, and the person's own awaiting review), newest first as in their
    lists (not by relevance: a participation's latest contributions matter most)."""
    query = query.strip()
    processes = selectors.processes_visible(user=user).prefetch_related(None).order_by("-created_at", "-id")
    processes = text_search(processes, query, "title", "summary", "description", ranked=False)
    ideas = selectors.ideas_visible(user=user).select_related("process").order_by("-created_at", "-id")
    ideas = text_search(ideas, query, "title", "body", "place_name", ranked=False)
    process_hits = [
        SearchHit(
            title=p.title,
            url=p.get_absolute_url(),
            summary=f"{_('Participatory process')}. {Truncator(p.summary).words(25)}".strip(),
        )
        for p in processes[:limit]
    ]
    idea_rows = list(ideas[: max(limit - len(process_hits), 0)])
    idea_hits = [
        SearchHit(
            title=idea.title,
            url=idea.get_absolute_url(),
            summary=f"{_('Idea')} · {idea.process.title} · {idea.get_status_display()}. "
            f"{Truncator(idea.body).words(20)}".strip(),
        )
        for idea in idea_rows
    ]
    hits = process_hits + idea_hits
    more_url = reverse("participation:home")
    if len(hits) < limit:
        return SearchSection(title=TITLE, hits=hits, total=len(hits), more_url=more_url)
    process_total = processes.count()
    # "See all results": the filtered ideas of the one process that holds them all, else the processes.
    holders = list(ideas.order_by().values_list("process__slug", flat=True).distinct()[:2])
    if process_total == 0 and len(holders) == 1:
        more_url = (
            reverse("participation:idea_list", kwargs={"slug": holders[0]}) + "?" + urlencode({"q": query})
        )
    return SearchSection(title=TITLE, hits=hits, total=process_total + ideas.count(), more_url=more_url)
