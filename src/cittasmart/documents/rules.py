"""Who may do what with documents and news. Views, templates and services all ask these permissions.

Who may read a document is decided in one place, ``selectors.documents_visible``: the permission asks it, so the
library, the reserved area, the search and a document's page can never disagree."""

import rules

from cittasmart.core.roles import is_staff_member
from cittasmart.documents.models import Document, NewsItem


@rules.predicate
def may_read_document(user, document) -> bool:
    from cittasmart.documents.selectors import documents_visible

    return isinstance(document, Document) and documents_visible(user=user).filter(pk=document.pk).exists()


@rules.predicate
def news_is_published(user, news) -> bool:
    return isinstance(news, NewsItem) and news.is_published


rules.add_perm("documents.view_document", may_read_document)
rules.add_perm("documents.manage", is_staff_member)
rules.add_perm("documents.view_news", news_is_published | is_staff_member)
rules.add_perm("documents.manage_news", is_staff_member)
