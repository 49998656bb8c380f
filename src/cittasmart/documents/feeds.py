"""The RSS 2.0 and Atom feeds of the latest published news, of every domain or of one (``?ambito=mobility``).

Links are absolute, on the address the feed was asked from; a draft never appears (the feeds read
``selectors_news.news_latest``, which only returns published news). An unknown domain answers 404 rather than the
feed of every domain, so that a mistyped subscription does not look right."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cittasmart.core.ambiti import Ambito
from cittasmart.core.services import site_settings_get
from cittasmart.documents import selectors_news
from cittasmart.documents.models import NewsItem

FEED_SIZE = 20


def _query(ambito: str) -> str:
    return f"?{urlencode({'ambito': ambito})}" if ambito else ""


class NewsRssFeed(Feed):
    feed_type = Rss201rev2Feed
    url_name = "documents:news_feed_rss"

    def get_object(self, request, *args, **kwargs) -> str:
        """The domain of the feed ("" for every domain)."""
        ambito = request.GET.get("ambito", "")
        if ambito and ambito not in Ambito.values:
            raise Http404
        return ambito

    def title(self, ambito: str) -> str:
        site = site_settings_get().instance_name
        if ambito:
            return _("%(site)s: news in %(ambito)s") % {"site": site, "ambito": Ambito(ambito).label}
        return _("%(site)s: news") % {"site": site}

    def description(self, ambito: str) -> str:
        if ambito:
            return _("The latest news of the Smart City plan in %(ambito)s.") % {
                "ambito": Ambito(ambito).label
            }
        return _("The latest news of the Smart City plan.")

    def link(self, ambito: str) -> str:
        return reverse("documents:news_list") + _query(ambito)

    def feed_url(self, ambito: str) -> str:
        return reverse(self.url_name) + _query(ambito)

    def items(self, ambito: str) -> list[NewsItem]:
        return selectors_news.news_latest(limit=FEED_SIZE, ambito=ambito)

    def item_title(self, news: NewsItem) -> str:
        return news.title

    def item_description(self, news: NewsItem) -> str:
        return news.summary

    def item_link(self, news: NewsItem) -> str:
        return news.get_absolute_url()

    def item_pubdate(self, news: NewsItem):
        return news.published_at

    def item_updateddate(self, news: NewsItem):
        return news.updated_at

    def item_categories(self, news: NewsItem) -> list[str]:
        return [str(item.get_ambito_display()) for item in news.ambiti.all()]


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed
    url_name = "documents:news_feed_atom"

    def subtitle(self, ambito: str) -> str:
        return self.description(ambito)
