"""What the stakeholders app contributes to site search and to a person's GDPR data."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from cittasmart.core.registry import SearchHit, SearchSection
from cittasmart.core.search import text_search
from cittasmart.stakeholders import selectors
from cittasmart.stakeholders.models import Membership


def search_organisations(*, query: str, user, limit: int) -> SearchSection:
    """The organisations whose name or description matches ``query``, the most relevant first (all are public)."""
    organisations = text_search(selectors.organisation_list(), query, "name", "description")
    hits = [
        SearchHit(title=o.name, url=o.get_absolute_url(), summary=Truncator(o.description).words(25))
        for o in organisations[:limit]
    ]
    return SearchSection(
        title=_("Organisations"),
        hits=hits,
        total=organisations.count() if len(hits) == limit else len(hits),
        more_url=f"{reverse('stakeholders:list')}?{urlencode({'q': query})}",
    )


def export_memberships(user) -> list[dict]:
    return [
        {"organisation": m.organisation.name, "role": m.role, "since": m.created_at.isoformat()}
        for m in selectors.memberships_for_user(user)
    ]


def erase_memberships(user) -> None:
    Membership.objects.filter(user=user).delete()
