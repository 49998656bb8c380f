"""Every read of the news: the public list (by domain), the latest for the home page and the feeds, the plan office's
list with the drafts, one news item with what its page links to.

A news item is public from its ``published_at`` on; a draft (or one published later) answers 404 to everyone but
the plan office, so its existence does not leak. The documents a news item links are filtered by
``selectors.documents_visible``: a reserved document appears only to whoever may read it.
"""

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from cittasmart.core.ambiti import Ambito
from cittasmart.documents.models import Document, NewsAmbito, NewsItem
from cittasmart.documents.selectors import LIST_RELATED, documents_visible

AMBITI_PREFETCH = Prefetch("ambiti", queryset=NewsAmbito.objects.order_by("id"))


def _with_ambiti(news: QuerySet[NewsItem]) -> QuerySet[NewsItem]:
    return news.prefetch_related(AMBITI_PREFETCH)


def clean_ambito(value) -> str:
    """``value`` when it is a known domain, else "" (a filter read from a query string)."""
    return value if isinstance(value, str) and value in Ambito.values else ""


def news_published(*, ambito: str = "") -> QuerySet[NewsItem]:
    """The public news, newest first, with their domains; only those of ``ambito`` when given."""
    news = NewsItem.objects.filter(published_at__lte=timezone.now())
    if ambito:
        news = news.filter(ambiti__ambito=ambito)  # one row per news: (news, ambito) is unique
    return _with_ambiti(news).order_by("-published_at", "-id")


def news_latest(*, limit: int = 3, ambito: str = "") -> list[NewsItem]:
    return list(news_published(ambito=ambito)[:limit])


def news_for_staff(*, ambito: str = "") -> QuerySet[NewsItem]:
    """Every news item for the plan office: drafts first (newest created first), then by publication."""
    news = NewsItem.objects.all()
    if ambito:
        news = news.filter(ambiti__ambito=ambito)
    return _with_ambiti(news.select_related("author")).order_by(
        F("published_at").desc(nulls_first=True), "-created_at", "-id"
    )


def news_for_user(*, user, slug: str) -> NewsItem:
    """The news item with what its page shows; 404 when it is missing, and when it is not public and ``user`` is
    not of the plan office."""
    news = (
        _with_ambiti(NewsItem.objects.filter(slug=slug))
        .select_related("meeting__tour", "process", "action__version", "author")
        .first()
    )
    if news is None or not user.has_perm("documents.view_news", news):
        raise Http404
    return news


def news_for_staff_get(*, slug: str) -> NewsItem:
    """A news item to edit (the view has already asked ``documents.manage_news``); 404 when missing."""
    news = _with_ambiti(NewsItem.objects.filter(slug=slug)).first()
    if news is None:
        raise Http404
    return news


def news_documents(*, user, news: NewsItem) -> list[Document]:
    """The documents linked to ``news`` that ``user`` may read (one query)."""
    return list(
        documents_visible(user=user).filter(news=news).select_related(*LIST_RELATED).order_by("-date", "-id")
    )
