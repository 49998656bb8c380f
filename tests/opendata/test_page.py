"""The open data page: every dataset with its size, date, theme and formats; the API, the catalogue, the feeds and
the licence; in Italian and English; a bounded number of queries."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse
from django.utils.html import escape

from cittasmart.opendata.datasets import DATASETS
from tests.factories import (
    ActionFactory,
    IdeaFactory,
    IndicatorFactory,
    MeasurementFactory,
    MeetingFactory,
    OrganisationFactory,
    PlanVersionFactory,
    SurveyRecordFactory,
    TourFactory,
    publish,
)
from tests.helpers import english

pytestmark = pytest.mark.django_db

HREF_RE = re.compile(r'href="([^"]+)"')


@pytest.fixture
def content(db):
    OrganisationFactory(name="Comune di Prato", is_host_entity=True, ipa_code="c_g999")
    version = PlanVersionFactory()
    ActionFactory(version=version)
    ActionFactory(version=version)
    indicator = IndicatorFactory(version=version)
    MeasurementFactory(indicator=indicator)
    publish(version)
    SurveyRecordFactory()
    IdeaFactory()
    MeetingFactory(tour=TourFactory(title="Toscana Digitale", slug="toscana-digitale"))
    TourFactory(title="Hidden tour", slug="hidden-tour", is_published=False)


def row_of(html: str, slug: str) -> str:
    match = re.search(rf'<tr id="dataset-{re.escape(slug)}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {slug}"
    return match.group(1)


def test_the_page_lists_every_dataset_with_its_formats(client, content):
    response = client.get("/opendata/")
    assert response.status_code == 200
    assert reverse("opendata:index") == "/opendata/"
    html = response.content.decode()
    assert "<h1>" in html and "<caption>" in html
    for dataset in DATASETS:
        row = row_of(html, dataset.slug)
        assert escape(str(dataset.title)) in row
        assert escape(str(dataset.description)) in row
        for fmt in ("csv", "json", "xlsx"):
            assert f'href="/opendata/{dataset.slug}.{fmt}"' in row
        assert f'href="/api/v1/{dataset.slug}"' in row
        # The theme in words, not the EU code.
        assert "GOVE" not in row
    # Rows and dates come from the datasets (two actions, one measurement; no processes without data).
    actions = row_of(html, "actions")
    assert re.search(r'<td class="text-end">2</td>', actions)
    assert "<time datetime=" in actions
    documents = row_of(html, "documents")
    assert re.search(r'<td class="text-end">0</td>', documents)
    assert "<time" not in documents


def test_the_catalogue_and_feed_links_work(client, content):
    html = client.get("/opendata/").content.decode()
    links = set(HREF_RE.findall(html))
    to_follow = [
        *(reverse("opendata:catalog", kwargs={"fmt": fmt}) for fmt in ("ttl", "rdf", "jsonld")),
        reverse("documents:news_feed_rss"),
        reverse("documents:news_feed_atom"),
        reverse("meetings:tour_ics", kwargs={"slug": "toscana-digitale"}),
        reverse("meetings:home"),
        "/api/v1/openapi.json",
    ]
    for url in to_follow:
        assert url in links, url
        response = client.get(url)
        assert response.status_code == 200, url
    # Only public tours have their calendar listed.
    assert reverse("meetings:tour_ics", kwargs={"slug": "hidden-tour"}) not in links
    # Links the other parts of the open data app serve (exports, API pages) are followed when they exist.
    for url in sorted(links):
        if url.startswith(("/opendata/", "/api/v1/")) and not url.startswith("/opendata/#"):
            try:
                resolve(url.split("?")[0])
            except Resolver404:
                continue
            assert client.get(url).status_code in (200, 202, 302), url


def test_the_licence_and_the_attribution_are_shown(client, db, settings):
    settings.OPENDATA_LICENCE_URL = "https://www.dati.gov.it/iodl/2.0/"
    settings.OPENDATA_LICENCE_NAME = "Italian Open Data License v2.0"
    html = client.get("/opendata/").content.decode()
    assert (
        '<a href="https://www.dati.gov.it/iodl/2.0/" rel="license">Italian Open Data License v2.0</a>' in html
    )


def test_no_link_says_here(client, content):
    html = client.get("/opendata/").content.decode()
    main = html[html.index('<main id="main-content">') : html.index("</main>")]
    texts = [
        re.sub(r"<[^>]+>", "", text).strip().lower() for text in re.findall(r"<a [^>]*>(.*?)</a>", main, re.S)
    ]
    assert len(texts) > 4 * len(DATASETS)
    assert not [text for text in texts if text in {"here", "qui", "click here", "clicca qui", ""}]


def test_the_page_in_english(client, content):
    response = client.get("/en/opendata/")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert english("Open data") in html
    assert english("Government and public sector") in html
    assert 'href="/en/opendata/catalog.ttl"' in html
    for dataset in DATASETS:
        row_of(html, dataset.slug)


def test_only_get(client, db):
    assert client.post("/opendata/").status_code == 405


def test_the_number_of_queries_does_not_grow_with_the_data(client, content, django_assert_max_num_queries):
    client.get("/opendata/")  # site settings and other per-process caches
    cache.clear()  # each dataset's last change is cached until its app writes: measure both runs cold
    with CaptureQueriesContext(connection) as before:
        assert client.get("/opendata/").status_code == 200
    for _ in range(5):
        IdeaFactory()
        MeetingFactory(tour=TourFactory())
        SurveyRecordFactory()
        MeasurementFactory(indicator=IndicatorFactory(version=PlanVersionFactory()))
    cache.clear()
    with CaptureQueriesContext(connection) as after:
        assert client.get("/opendata/").status_code == 200
    assert len(after) == len(before)
    # A count and a Max per dataset (the plan's also look the plan up), the tours, the host organisation and
    # what every page of the site reads.
    with django_assert_max_num_queries(3 * len(DATASETS) + 10):
        assert client.get("/opendata/").status_code == 200
