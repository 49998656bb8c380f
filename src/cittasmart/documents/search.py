"""What the library contributes to the site search: the documents the person may read (their title, description
and the text of the current version's PDF) and the published news."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from cittasmart.core.registry import SearchHit, SearchSection
from cittasmart.core.search import text_search
from cittasmart.documents import selectors_news
from cittasmart.documents.models import Document
from cittasmart.documents.selectors import documents_visible


def _document_summary(document: Document) -> str:
    parts = [document.category.name, date_format(document.date, "DATE_FORMAT")]
    if document.is_reserved:
        parts.append(str(_("Reserved")))
    return f"{' · '.join(parts)}. {Truncator(document.description).words(20)}".strip()


def search_documents(*, query: str, user, limit: int) -> SearchSection:
    """Only what ``documents_visible`` gives ``user``; the most relevant first, then the latest."""
    documents = text_search(
        documents_visible(user=user).select_related("category").order_by("-date", "-id"),
        query,
        "title",
        "description",
        "current_version__text",
    )
    hits = [
        SearchHit(title=d.title, url=d.get_absolute_url(), summary=_document_summary(d))
        for d in documents[:limit]
    ]
    return SearchSection(
        title=_("Documents"),
        hits=hits,
        total=documents.count() if len(hits) == limit else len(hits),
        more_url=f"{reverse('documents:library')}?{urlencode({'q': query})}",
    )


def search_news(*, query: str, user, limit: int) -> SearchSection:
    """Published news only (drafts and news scheduled for later are not found), the most relevant first, then the
    latest."""
    news = text_search(
        selectors_news.news_published().prefetch_related(None),
        query,
        "title",
        "summary",
        "body",
    )
    hits = [
        SearchHit(
            title=item.title,
            url=item.get_absolute_url(),
            summary=f"{_('News')} · {date_format(timezone.localtime(item.published_at), 'DATE_FORMAT')}. "
            f"{Truncator(item.summary).words(30)}".strip(),
        )
        for item in news[:limit]
    ]
    return SearchSection(
        title=_("News"),
        hits=hits,
        total=news.count() if len(hits) == limit else len(hits),
        more_url=reverse("documents:news_list"),
    )
