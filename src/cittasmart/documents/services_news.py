"""Every write of the news: create and edit a draft, publish it, take it back.

Publishing tells the followers of the news' domains (``participation.notify.news_published``) in the same
transaction, once in the life of the news: ``notified_at`` is set then, and a news item taken back and published
again tells nobody a second time. The row is locked while it is published, so two clicks at once cannot notify
twice.

The address (slug) is made from the title when the news is created and never changes afterwards: links in
notifications, feeds and e-mails keep working after the title is edited.

Images are public media (``news/``). A new image is stored by the save; if the service fails after that, the file
is removed again. An image that was replaced or removed is deleted after the commit.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cittasmart.core.ambiti import Ambito
from cittasmart.core.audit import log_action
from cittasmart.documents.models import Document, NewsAmbito, NewsItem
from cittasmart.participation import notify

MANAGE_NEWS = "documents.manage_news"
# What a service may set on a news item; publication and notification have their own services.
EDITABLE_FIELDS = frozenset(
    {"title", "summary", "body", "image", "image_alt", "meeting", "process", "action", "is_demo"}
)
SLUG_MAX = NewsItem._meta.get_field("slug").max_length
SLUG_BASE_MAX = SLUG_MAX - 8  # room for a suffix such as "-12"
SLUG_ATTEMPTS = 5


def _require_manage(actor) -> None:
    if not rules.has_perm(MANAGE_NEWS, actor):
        raise PermissionDenied(_("Only the plan office can manage the news."))


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not editable through the news services: {', '.join(sorted(unknown))}")


def _clean_ambiti(ambiti: Iterable[str]) -> list[str]:
    """The domains, without repetitions, in the order of the taxonomy; an unknown one is refused."""
    wanted = set(ambiti)
    unknown = wanted - set(Ambito.values)
    if unknown:
        raise ValidationError(
            {"ambiti": _("Unknown domain: %(value)s.") % {"value": ", ".join(sorted(map(str, unknown)))}}
        )
    return [a for a in Ambito.values if a in wanted]


def _check_image_alt(news: NewsItem) -> None:
    """The database refuses an image without its text alternative (``news_image_has_alt``): say it clearly first."""
    news.image_alt = (news.image_alt or "").strip()
    if news.image and not news.image_alt:
        raise ValidationError(
            {
                "image_alt": _(
                    "Describe the image for people who cannot see it: the text alternative is required "
                    "with an image."
                )
            }
        )


def _unique_slug(title: str) -> str:
    """A free slug made from ``title``: ``title``, else ``title-2``, ``title-3``…"""
    base = slugify(title)[:SLUG_BASE_MAX].strip("-") or "news"
    taken = set(NewsItem.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _insert(news: NewsItem) -> None:
    """Insert a new news item. Two news with the same title created at the same moment may pick the same slug:
    the unique constraint refuses the second, which takes the next free one."""
    for attempt in range(SLUG_ATTEMPTS):
        try:
            with transaction.atomic():
                news.save()
            return
        except IntegrityError:
            clash = NewsItem.objects.filter(slug=news.slug).exists()
            if not clash or attempt == SLUG_ATTEMPTS - 1:
                raise
            news.slug = _unique_slug(news.title)


def _set_ambiti(news: NewsItem, ambiti: list[str]) -> None:
    NewsAmbito.objects.filter(news=news).exclude(ambito__in=ambiti).delete()
    present = set(NewsAmbito.objects.filter(news=news).values_list("ambito", flat=True))
    NewsAmbito.objects.bulk_create([NewsAmbito(news=news, ambito=a) for a in ambiti if a not in present])


def _stored_name(news: NewsItem) -> str:
    """The name of the image in the storage, or "" while there is none or it is not stored yet."""
    image = news.image
    return image.name if image and getattr(image, "_committed", True) else ""


@contextmanager
def _removing_new_image_on_error(news: NewsItem, previous: str = "") -> Iterator[None]:
    try:
        yield
    except BaseException:
        stored = _stored_name(news)
        if stored and stored != previous:
            news.image.storage.delete(stored)
        raise


def _delete_after_commit(name: str) -> None:
    if name:
        storage = NewsItem._meta.get_field("image").storage
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def news_create(
    *, actor, ambiti: Iterable[str] = (), documents: Iterable[Document] = (), **fields
) -> NewsItem:
    """A new draft. ``fields`` are among ``EDITABLE_FIELDS``; nobody hears of it until it is published."""
    _require_manage(actor)
    _check_fields(fields)
    ambiti = _clean_ambiti(ambiti)
    documents = list(documents)
    news = NewsItem(author=actor if actor.is_authenticated else None, **fields)
    news.slug = _unique_slug(news.title or "")
    _check_image_alt(news)
    news.full_clean()
    with _removing_new_image_on_error(news):
        _insert(news)
        _set_ambiti(news, ambiti)
        news.documents.set(documents)
        log_action(actor, "documents.news.created", news, {"ambiti": ambiti})
    return news


@transaction.atomic
def news_update(
    *,
    actor,
    news: NewsItem,
    ambiti: Iterable[str] | None = None,
    documents: Iterable[Document] | None = None,
    **fields,
) -> NewsItem:
    """Change a news item, draft or published (the slug stays). ``ambiti`` and ``documents`` replace the
    current ones when given. Editing a published news item does not notify anyone again."""
    _require_manage(actor)
    _check_fields(fields)
    clean_ambiti = _clean_ambiti(ambiti) if ambiti is not None else None
    locked = NewsItem.objects.select_for_update().get(pk=news.pk)
    previous = locked.image.name or ""
    for name, value in fields.items():
        setattr(locked, name, value)
    _check_image_alt(locked)
    locked.full_clean()
    with _removing_new_image_on_error(locked, previous):
        locked.save()
        if clean_ambiti is not None:
            _set_ambiti(locked, clean_ambiti)
        if documents is not None:
            locked.documents.set(list(documents))
        log_action(actor, "documents.news.updated", locked, {"fields": sorted(fields)})
    if (locked.image.name or "") != previous:
        _delete_after_commit(previous)
    return locked


def _news_path(news: NewsItem) -> str:
    """The page of the news in the site's language: the one every notification and e-mail links to."""
    with translation.override(settings.LANGUAGE_CODE):
        return news.get_absolute_url()


@transaction.atomic
def news_publish(*, actor, news: NewsItem) -> NewsItem:
    """Make the news public now (unless it already is) and, the first time, tell the followers of its domains.

    The actor is never told of their own news."""
    _require_manage(actor)
    locked = NewsItem.objects.select_for_update().get(pk=news.pk)
    now = timezone.now()
    was_public = locked.is_published
    first_time = locked.notified_at is None
    if was_public and not first_time:
        return locked
    if not was_public:
        locked.published_at = now
    if first_time:
        locked.notified_at = now
    locked.full_clean()
    locked.save()
    notified = 0
    if first_time:
        rows = notify.news_published(
            title=locked.title,
            path=_news_path(locked),
            ambiti=[a.ambito for a in NewsAmbito.objects.filter(news=locked)],
            actor=actor,
        )
        notified = len(rows)
    log_action(actor, "documents.news.published", locked, {"notified": notified})
    return locked


@transaction.atomic
def news_unpublish(*, actor, news: NewsItem) -> NewsItem:
    """Take the news back: it is a draft again, seen only by the plan office. Publishing it again does not notify
    its followers a second time."""
    _require_manage(actor)
    locked = NewsItem.objects.select_for_update().get(pk=news.pk)
    if locked.published_at is None:
        return locked
    locked.published_at = None
    locked.full_clean()
    locked.save()
    log_action(actor, "documents.news.unpublished", locked)
    return locked
