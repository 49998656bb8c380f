"""What meetings contribute to the site search: the tours and meetings the person may see."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from cittasmart.core.registry import SearchHit, SearchSection
from cittasmart.core.search import text_search
from cittasmart.meetings import selectors

TITLE = _("Meetings and tours")


def meetings_and_tours(*, query: str, user, limit: int) -> SearchSection:
    """Tours first, then meetings; in each the most relevant first, then the latest."""
    query = query.strip()
    tours = text_search(selectors.tour_list(user=user), query, "title", "summary", "description")
    meetings = text_search(
        selectors.meetings_visible(user=user).order_by("-starts_at", "-id"),
        query,
        "title",
        "summary",
        "description",
        "venue_name",
        "municipality",
        "territory",
    )
    hits = [
        SearchHit(
            title=t.title, url=t.get_absolute_url(), summary=f"{_('Tour')}. {Truncator(t.summary).words(25)}"
        )
        for t in tours[:limit]
    ]
    hits += [
        SearchHit(
            title=m.title,
            url=m.get_absolute_url(),
            summary=f"{_('Meeting')} · {date_format(localtime(m.starts_at), 'DATE_FORMAT')}"
            f"{' · ' + m.municipality if m.municipality else ''}. {Truncator(m.summary).words(20)}".strip(),
        )
        for m in meetings[: max(limit - len(hits), 0)]
    ]
    total = len(hits) if len(hits) < limit else tours.count() + meetings.count()
    return SearchSection(title=TITLE, hits=hits, total=total, more_url=reverse("meetings:home"))
