"""The library and the news of the Prato demo: a document in every section of the plan's site, public and reserved
ones, versions, links to the plan, the survey, the governance and the meetings; marked as demo and idempotent."""

import pytest
from django.urls import reverse

from cittasmart.accounts import demo as accounts_demo
from cittasmart.accounts.models import User
from cittasmart.core.registry import demo_loaders
from cittasmart.documents import demo, selectors
from cittasmart.documents.models import AccessLevel, Document, DocumentVersion, NewsItem

pytestmark = pytest.mark.django_db


def test_the_demo_library_and_news(client):
    for loader in demo_loaders():
        loader()
    documents = Document.objects.select_related("category")
    assert documents.exists() and not documents.filter(is_demo=False).exists()
    sections = {"indagine", "schema-preliminare", "linee-attuative", "governance", "evoluzione-del-piano"}
    sections |= {"stakeholders", "verbali"}
    assert sections <= set(documents.values_list("category__slug", flat=True))
    assert {AccessLevel.PUBLIC, AccessLevel.REGISTERED, AccessLevel.MEMBERS, AccessLevel.STAFF} == set(
        documents.values_list("access", flat=True)
    )
    assert DocumentVersion.objects.filter(number=2).count() >= 2
    for link in ("plan_version", "survey_round", "meeting", "governance_body"):
        assert documents.filter(**{f"{link}__isnull": False}).exists(), link
    guidelines = documents.get(title__startswith="Linee guida")
    assert guidelines.plan_version.approval_date.isoformat() == "2017-07-21"

    member = User.objects.get(email=accounts_demo.demo_email("ricercatrice.pin"))
    citizen = User.objects.get(email=accounts_demo.demo_email("cittadino"))
    reserved_to_member = set(selectors.reserved_area(user=member).values_list("access", flat=True))
    assert reserved_to_member == {AccessLevel.MEMBERS, AccessLevel.REGISTERED}
    assert set(selectors.reserved_area(user=citizen).values_list("access", flat=True)) == {
        AccessLevel.REGISTERED
    }

    # Every demo file passed the upload checks and downloads.
    client.force_login(member)
    for document in selectors.reserved_area(user=member):
        response = client.get(reverse("documents:download", kwargs={"pk": document.pk}))
        assert response.status_code == 200
        assert b"".join(response.streaming_content)[:5] in (b"%PDF-", b"organ")

    news = NewsItem.objects.all()
    assert news.count() == len(demo.NEWS)
    assert all(item.is_demo and item.is_published and item.ambiti.exists() for item in news)
    assert news.filter(meeting__isnull=False).exists() and news.filter(action__isnull=False).exists()

    assert demo.load() == 0
    assert Document.objects.count() == documents.count()
