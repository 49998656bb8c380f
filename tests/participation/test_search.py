"""Participation in the site search: processes and the ideas each person may see."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from cittasmart.participation.search import ideas_and_processes
from tests.factories import IdeaFactory, ProcessFactory, UserFactory

pytestmark = pytest.mark.django_db


def hit_titles(section) -> list[str]:
    return [hit.title for hit in section.hits]


@pytest.fixture
def content(db):
    process = ProcessFactory(title="Tramway for Prato", summary="Where should the tramway go?")
    draft = ProcessFactory(title="Tramway draft process", is_published=False)
    return {
        "process": process,
        "draft": draft,
        "public": IdeaFactory(process=process, title="Tramway to the hospital"),
        "answered": IdeaFactory(process=process, title="Tramway stop", status="answered"),
        "body": IdeaFactory(process=process, title="A line", body="The tramway along the river."),
        "hidden": IdeaFactory(process=process, title="Tramway spam", is_hidden=True),
        "pending": IdeaFactory(process=process, title="Tramway pending", status="pending", published_at=None),
        "in_draft": IdeaFactory(process=draft, title="Tramway in a draft"),
        "other": IdeaFactory(process=process, title="Bike lanes", body="Bikes."),
    }


def test_processes_and_public_ideas_anyone_may_see(content):
    section = ideas_and_processes(query="tramway", user=AnonymousUser(), limit=10)
    assert hit_titles(section) == [
        "Tramway for Prato",
        "A line",
        "Tramway stop",
        "Tramway to the hospital",
    ]
    assert section.total == 4
    urls = {hit.title: hit.url for hit in section.hits}
    assert urls["Tramway for Prato"] == content["process"].get_absolute_url()
    assert urls["Tramway stop"] == content["answered"].get_absolute_url()


def test_the_author_finds_their_own_pending_idea(content):
    section = ideas_and_processes(query="tramway", user=content["pending"].author, limit=10)
    assert "Tramway pending" in hit_titles(section)
    section = ideas_and_processes(query="tramway", user=UserFactory(), limit=10)
    assert "Tramway pending" not in hit_titles(section)


def test_staff_find_unpublished_processes_but_never_hidden_ideas(content, plan_office):
    section = ideas_and_processes(query="tramway", user=plan_office, limit=10)
    assert "Tramway draft process" in hit_titles(section)
    assert "Tramway spam" not in hit_titles(section)


def test_every_word_must_match(content):
    assert hit_titles(ideas_and_processes(query="tramway hospital", user=AnonymousUser(), limit=10)) == [
        "Tramway to the hospital"
    ]
    assert ideas_and_processes(query="nothing like this", user=AnonymousUser(), limit=10).hits == []


def test_limit_and_total(content):
    section = ideas_and_processes(query="tramway", user=AnonymousUser(), limit=2)
    assert len(section.hits) == 2
    assert section.total == 4
    assert section.more_url == reverse("participation:home")


def test_more_results_of_one_process_lead_to_its_filtered_ideas():
    process = ProcessFactory(title="Prato digitale")
    IdeaFactory.create_batch(3, process=process, title="Bench in the park")
    section = ideas_and_processes(query="bench", user=AnonymousUser(), limit=2)
    assert section.total == 3
    expected = (
        reverse("participation:idea_list", kwargs={"slug": process.slug}) + "?" + urlencode({"q": "bench"})
    )
    assert section.more_url == expected


def test_site_search_page_lists_them_escaped(client):
    process = ProcessFactory(title="Tramway <script>alert(1)</script>")
    IdeaFactory(process=process, title="Tramway idea <b>bold</b>")
    response = client.get(reverse("core:search"), {"q": "tramway"})
    assert response.status_code == 200
    text = response.content.decode()
    assert process.get_absolute_url() in text
    assert "Tramway idea &lt;b&gt;bold&lt;/b&gt;" in text
    assert "<script>alert(1)</script>" not in text
