"""Publishing a news item under real concurrency (PostgreSQL, real threads): ten clicks on "publish" at once notify
each follower of its domains exactly once. On SQLite (one writer at a time) this is skipped."""

import pytest
from django.db import connection

from cittasmart.core.roles import Role
from cittasmart.documents import services_news
from cittasmart.documents.models import NewsItem
from cittasmart.participation import services as participation_services
from cittasmart.participation.models import Notification, NotificationKind
from tests.factories import UserFactory
from tests.helpers import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")


def test_ten_simultaneous_publications_notify_each_follower_once():
    office = UserFactory(roles=[Role.PLAN_OFFICE])
    followers = [UserFactory() for _ in range(3)]
    for user in followers:
        participation_services.ambito_follow_set(user=user, ambito="mobility", following=True)
    participation_services.ambito_follow_set(user=followers[0], ambito="ict", following=True)
    news = services_news.news_create(
        actor=office, title="Nuove piste ciclabili", summary="In breve.", ambiti=["mobility", "ict"]
    )

    def publish():
        return services_news.news_publish(actor=office, news=NewsItem.objects.get(pk=news.pk)).pk

    run_together([publish] * 10)

    recipients = sorted(
        Notification.objects.filter(kind=NotificationKind.NEWS).values_list("recipient_id", flat=True)
    )
    assert recipients == sorted(user.pk for user in followers)
    assert NewsItem.objects.get(pk=news.pk).is_published


def test_simultaneous_new_versions_get_consecutive_numbers(settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cittasmart.documents import services
    from cittasmart.documents.demo_files import simple_pdf
    from cittasmart.documents.models import Document, DocumentCategory
    from tests.documents.conftest import ensure_default_categories

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    ensure_default_categories()
    office = UserFactory(roles=[Role.PLAN_OFFICE])
    document = services.document_create(
        actor=office,
        file=SimpleUploadedFile("v1.pdf", simple_pdf("v1")),
        title="Specifiche",
        category=DocumentCategory.objects.first(),
    )

    def upload(n):
        return lambda: (
            services.version_add(
                actor=office, document=document, file=SimpleUploadedFile(f"v{n}.pdf", simple_pdf(f"v{n}"))
            ).number
        )

    numbers = run_together([upload(n) for n in range(2, 10)])
    assert sorted(numbers) == list(range(2, 10))
    document = Document.objects.get(pk=document.pk)
    assert document.current_version.number == 9
    assert sorted(document.versions.values_list("number", flat=True)) == list(range(1, 10))
