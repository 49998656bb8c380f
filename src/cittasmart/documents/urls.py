from django.urls import path
from django.utils.translation import gettext_lazy as _

from cittasmart.documents import feeds, views_documents, views_news

app_name = "documents"

urlpatterns = [
    # The document library and the reserved area
    path(_("documents/"), views_documents.library, name="library"),
    path(_("documents/new/"), views_documents.document_create, name="create"),
    path(_("documents/<int:pk>/"), views_documents.detail, name="detail"),
    path(_("documents/<int:pk>/edit/"), views_documents.document_edit, name="edit"),
    path(_("documents/<int:pk>/new-version/"), views_documents.version_create, name="version_create"),
    path(_("documents/<int:pk>/download/"), views_documents.download, name="download"),
    path(
        _("documents/<int:pk>/versions/<int:number>/download/"),
        views_documents.download,
        name="download_version",
    ),
    path(_("documents/<int:pk>/downloads/"), views_documents.download_log, name="download_log"),
    path(_("reserved-area/"), views_documents.reserved_area, name="reserved_area"),
    # News
    path(_("news/"), views_news.news_list, name="news_list"),
    path(_("news/feed/rss/"), feeds.NewsRssFeed(), name="news_feed_rss"),
    path(_("news/feed/atom/"), feeds.NewsAtomFeed(), name="news_feed_atom"),
    path(_("news/<slug:slug>/"), views_news.news_detail, name="news_detail"),
    # (the plan office's pages live apart, so that no title can make a slug that hides one of them)
    path(_("manage/news/"), views_news.news_manage, name="news_manage"),
    path(_("manage/news/new/"), views_news.news_create, name="news_create"),
    path(_("manage/news/<slug:slug>/edit/"), views_news.news_edit, name="news_edit"),
    path(_("manage/news/<slug:slug>/publish/"), views_news.news_publish, name="news_publish"),
]
