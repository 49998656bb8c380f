"""The DCAT-AP_IT catalogue: three serialisations of one graph, the mandatory properties of every catalogue,
dataset, distribution and agent, paging with hydra, caching headers and a bounded number of queries."""

import datetime
import math

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF

from cittasmart.opendata.catalog import DCATAPIT, HYDRA, VCARD
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
    publish,
)

pytestmark = pytest.mark.django_db

SITE = "https://smartcity.example.it"
EU = "http://publications.europa.eu/resource/authority/"
# Plain namespaces: rdflib's closed ones warn when pytest inspects the module.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
RDF_FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}
CONTENT_TYPES = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json"}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.OPENDATA_PUBLISHER_NAME = ""
    settings.OPENDATA_PUBLISHER_IPA = ""


@pytest.fixture
def host(db):
    return OrganisationFactory(
        name="Comune di Prato", is_host_entity=True, ipa_code="c_g999", is_public_body=True
    )


@pytest.fixture
def content(host):
    """Some rows in the datasets the issue names (survey records, actions, indicators, measurements, ideas,
    meetings)."""
    version = PlanVersionFactory()
    ActionFactory(version=version)
    indicator = IndicatorFactory(version=version)
    MeasurementFactory(indicator=indicator)
    publish(version)
    SurveyRecordFactory(owner=host)
    IdeaFactory()
    MeetingFactory()


def fetch(client, fmt: str = "ttl", page: int | None = None, **extra):
    url = reverse("opendata:catalog", kwargs={"fmt": fmt})
    return client.get(url, {"page": page} if page else {}, **extra)


def parse(response, fmt: str) -> Graph:
    return Graph().parse(data=response.content.decode(), format=RDF_FORMATS[fmt])


def catalogue(graph: Graph) -> URIRef:
    (node,) = set(graph.subjects(RDF.type, DCAT.Catalog))
    return node


def one(graph: Graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} {predicate}: {values}"
    return values[0]


def languages(graph: Graph, subject, predicate) -> set[str]:
    return {value.language for value in graph.objects(subject, predicate) if isinstance(value, Literal)}


def without_pagination(graph: Graph) -> Graph:
    result = Graph()
    views = set(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
    for triple in graph:
        if triple[0] not in views:
            result.add(triple)
    return result


# --- Formats ---------------------------------------------------------------------------------------------


def test_the_three_formats_parse_and_are_the_same_graph(client, content):
    graphs = {}
    for fmt in RDF_FORMATS:
        response = fetch(client, fmt)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(CONTENT_TYPES[fmt])
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "public" in response["Cache-Control"]
        assert "max-age" in response["Cache-Control"]
        graphs[fmt] = parse(response, fmt)
        assert len(graphs[fmt]) > 100
    assert isomorphic(graphs["ttl"], graphs["rdf"])
    assert isomorphic(graphs["ttl"], graphs["jsonld"])


def test_the_addresses_are_not_translated_and_english_gives_the_same_graph(client, content):
    assert reverse("opendata:catalog", kwargs={"fmt": "ttl"}) == "/opendata/catalog.ttl"
    italian = parse(client.get("/opendata/catalog.ttl"), "ttl")
    english = parse(client.get("/en/opendata/catalog.ttl"), "ttl")
    assert isomorphic(italian, english)


def test_an_unknown_format_is_not_found(client, db):
    assert client.get("/opendata/catalog.xml").status_code == 404
    assert client.get("/opendata/catalog.n3").status_code == 404


def test_only_get_is_allowed(client, db):
    assert client.post("/opendata/catalog.ttl").status_code == 405


# --- Mandatory properties ------------------------------------------------------------------------------------


def test_the_catalogue_has_its_mandatory_properties(client, content):
    graph = parse(fetch(client), "ttl")
    node = catalogue(graph)
    assert (node, RDF.type, DCATAPIT.Catalog) in graph
    assert languages(graph, node, DCTERMS.title) == {"it", "en"}
    assert languages(graph, node, DCTERMS.description) == {"it", "en"}
    publisher = one(graph, node, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    modified = one(graph, node, DCTERMS.modified)
    assert modified.datatype == XSD.date
    assert modified.toPython() == datetime.date.today()
    assert str(one(graph, node, FOAF.homepage)) == f"{SITE}/opendata/"
    assert URIRef(f"{EU}language/ITA") in set(graph.objects(node, DCTERMS.language))
    datasets = set(graph.objects(node, DCAT.dataset))
    assert datasets == set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == len(DATASETS)


def test_the_catalogue_date_is_the_latest_change(client, host):
    from cittasmart.stakeholders.models import Organisation

    Organisation.objects.filter(pk=host.pk).update(
        updated_at=datetime.datetime(2021, 3, 4, 12, tzinfo=datetime.UTC)
    )
    graph = parse(fetch(client), "ttl")
    assert one(graph, catalogue(graph), DCTERMS.modified).toPython() == datetime.date(2021, 3, 4)
    organisations = URIRef(f"{SITE}/opendata/#dataset-organisations")
    assert one(graph, organisations, DCTERMS.modified).toPython() == datetime.date(2021, 3, 4)


DATASET_PROPERTIES = (
    DCTERMS.identifier,
    DCTERMS.title,
    DCTERMS.description,
    DCTERMS.modified,
    DCAT.theme,
    DCTERMS.rightsHolder,
    DCTERMS.accrualPeriodicity,
    DCAT.distribution,
    DCAT.keyword,
    DCTERMS.publisher,
    DCAT.contactPoint,
    DCTERMS.language,
)


def test_every_dataset_has_the_mandatory_properties(client, content):
    graph = parse(fetch(client), "ttl")
    by_uri = {URIRef(f"{SITE}/opendata/#dataset-{d.slug}"): d for d in DATASETS}
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == set(by_uri)
    for node, dataset in by_uri.items():
        assert (node, RDF.type, DCATAPIT.Dataset) in graph
        missing = [str(p) for p in DATASET_PROPERTIES if graph.value(node, p) is None]
        assert not missing, f"{dataset.slug} lacks {missing}"
        assert str(one(graph, node, DCTERMS.identifier)) == f"c_g999:{dataset.slug}"
        assert languages(graph, node, DCTERMS.title) == {"it", "en"}
        assert languages(graph, node, DCTERMS.description) == {"it", "en"}
        assert one(graph, node, DCTERMS.modified).datatype == XSD.date
        assert one(graph, node, DCAT.theme) == URIRef(f"{EU}data-theme/{dataset.theme}")
        assert one(graph, node, DCTERMS.accrualPeriodicity) == URIRef(f"{EU}frequency/{dataset.periodicity}")
        assert one(graph, node, DCTERMS.language) == URIRef(f"{EU}language/ITA")
        assert {str(k) for k in graph.objects(node, DCAT.keyword)} == set(dataset.keywords)
        for predicate in (DCTERMS.publisher, DCTERMS.rightsHolder):
            agent = one(graph, node, predicate)
            assert (agent, RDF.type, FOAF.Agent) in graph
            assert (agent, RDF.type, DCATAPIT.Agent) in graph
            assert str(one(graph, agent, DCTERMS.identifier)) == "c_g999"
            assert str(one(graph, agent, FOAF.name)) == "Comune di Prato"
        contact = one(graph, node, DCAT.contactPoint)
        assert (contact, RDF.type, VCARD.Organization) in graph
        assert (contact, RDF.type, DCATAPIT.Organization) in graph
        assert str(one(graph, contact, VCARD.fn)) == "Comune di Prato"
        assert graph.value(contact, VCARD.hasEmail) or graph.value(contact, VCARD.hasURL)


def test_the_mandatory_properties_hold_by_sparql_too(client, content):
    """The same check as a query a harvester could run: no dataset lacks any mandatory property."""
    graph = parse(fetch(client, "rdf"), "rdf")
    for predicate in DATASET_PROPERTIES:
        query = f"ASK {{ ?d a dcat:Dataset . FILTER NOT EXISTS {{ ?d <{predicate}> ?v }} }}"
        assert not graph.query(query, initNs={"dcat": DCAT}).askAnswer, predicate


def test_every_distribution_has_the_mandatory_properties(client, content):
    graph = parse(fetch(client), "ttl")
    for dataset in DATASETS:
        node = URIRef(f"{SITE}/opendata/#dataset-{dataset.slug}")
        distributions = list(graph.objects(node, DCAT.distribution))
        assert len(distributions) == 4
        formats = {}
        for distribution in distributions:
            assert (distribution, RDF.type, DCAT.Distribution) in graph
            assert (distribution, RDF.type, DCATAPIT.Distribution) in graph
            assert languages(graph, distribution, DCTERMS.title) == {"it", "en"}
            assert graph.value(distribution, DCAT.mediaType) is not None
            file_type = str(one(graph, distribution, DCTERMS.format))
            access = str(one(graph, distribution, DCAT.accessURL))
            formats[access] = file_type
            licence = one(graph, distribution, DCTERMS.license)
            assert str(licence) == "https://creativecommons.org/licenses/by/4.0/"
            assert (licence, RDF.type, DCTERMS.LicenseDocument) in graph
            assert (licence, RDF.type, DCATAPIT.LicenseDocument) in graph
            assert str(one(graph, licence, DCTERMS.type)) == "http://purl.org/adms/licencetype/Attribution"
            assert "CC BY 4.0" in str(one(graph, licence, FOAF.name))
            download = graph.value(distribution, DCAT.downloadURL)
            if access.startswith(f"{SITE}/api/"):
                assert download is None
            else:
                assert str(download) == access
        assert formats == {
            f"{SITE}/opendata/{dataset.slug}.csv": f"{EU}file-type/CSV",
            f"{SITE}/opendata/{dataset.slug}.json": f"{EU}file-type/JSON",
            f"{SITE}/opendata/{dataset.slug}.xlsx": f"{EU}file-type/XLSX",
            f"{SITE}/api/v1/{dataset.slug}": f"{EU}file-type/JSON",
        }


def test_the_licence_comes_from_the_settings(client, content, settings):
    settings.OPENDATA_LICENCE_URL = "https://www.dati.gov.it/iodl/2.0/"
    settings.OPENDATA_LICENCE_NAME = "Italian Open Data License v2.0"
    graph = parse(fetch(client), "ttl")
    licences = set(graph.objects(None, DCTERMS.license))
    assert licences == {URIRef("https://www.dati.gov.it/iodl/2.0/")}
    assert (
        str(one(graph, URIRef("https://www.dati.gov.it/iodl/2.0/"), FOAF.name))
        == "Italian Open Data License v2.0"
    )


def test_the_contact_point_is_the_institutional_address(client, host):
    from cittasmart.core.services import site_settings_update

    site_settings_update(actor=None, entity_name="Comune di Prato", email="urp@comune.prato.it")
    graph = parse(fetch(client), "ttl")
    (contact,) = set(graph.subjects(RDF.type, VCARD.Organization))
    assert one(graph, contact, VCARD.hasEmail) == URIRef("mailto:urp@comune.prato.it")


# --- The publisher ---------------------------------------------------------------------------------------------


def test_the_settings_name_the_publisher(client, host, settings):
    settings.OPENDATA_PUBLISHER_NAME = "Regione Toscana"
    settings.OPENDATA_PUBLISHER_IPA = "r_toscan"
    graph = parse(fetch(client), "ttl")
    agent = one(graph, catalogue(graph), DCTERMS.publisher)
    assert str(one(graph, agent, FOAF.name)) == "Regione Toscana"
    assert str(one(graph, agent, DCTERMS.identifier)) == "r_toscan"
    node = URIRef(f"{SITE}/opendata/#dataset-ideas")
    assert str(one(graph, node, DCTERMS.identifier)) == "r_toscan:ideas"


def test_without_any_ipa_code_the_graph_is_still_valid(client, db):
    OrganisationFactory(name="Comune di Nessuno", is_host_entity=True, ipa_code="")
    graph = parse(fetch(client, "jsonld"), "jsonld")
    agent = one(graph, catalogue(graph), DCTERMS.publisher)
    assert str(one(graph, agent, FOAF.name)) == "Comune di Nessuno"
    assert str(one(graph, agent, DCTERMS.identifier)) == "smartcity.example.it"
    assert str(one(graph, URIRef(f"{SITE}/opendata/#dataset-ideas"), DCTERMS.identifier)) == (
        "smartcity.example.it:ideas"
    )


def test_without_a_host_organisation_the_site_publishes(client, db):
    graph = parse(fetch(client), "ttl")
    agent = one(graph, catalogue(graph), DCTERMS.publisher)
    assert str(one(graph, agent, FOAF.name))  # the instance's name, never empty
    assert str(one(graph, agent, DCTERMS.identifier)) == "smartcity.example.it"


# --- Paging ------------------------------------------------------------------------------------------------------


def test_pages_link_to_each_other_and_hold_every_dataset_once(client, content, settings):
    settings.OPENDATA_CATALOG_PAGE_SIZE = 2
    last = math.ceil(len(DATASETS) / 2)
    assert last >= 3
    seen = []
    for number in range(1, last + 1):
        response = fetch(client, "ttl", page=number)
        assert response.status_code == 200
        graph = parse(response, "ttl")
        (view,) = set(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
        assert str(view) == f"{SITE}/opendata/catalog.ttl?page={number}"
        assert str(one(graph, view, HYDRA.first)) == f"{SITE}/opendata/catalog.ttl?page=1"
        assert str(one(graph, view, HYDRA.last)) == f"{SITE}/opendata/catalog.ttl?page={last}"
        assert one(graph, view, HYDRA.totalItems).toPython() == len(DATASETS)
        assert one(graph, view, HYDRA.itemsPerPage).toPython() == 2
        following = graph.value(view, HYDRA.next)
        previous = graph.value(view, HYDRA.previous)
        if number < last:
            assert str(following) == f"{SITE}/opendata/catalog.ttl?page={number + 1}"
        else:
            assert following is None
        if number > 1:
            assert str(previous) == f"{SITE}/opendata/catalog.ttl?page={number - 1}"
        else:
            assert previous is None
        in_page = list(graph.objects(catalogue(graph), DCAT.dataset))
        assert 1 <= len(in_page) <= 2
        assert set(in_page) == set(graph.subjects(RDF.type, DCAT.Dataset))
        seen.extend(str(node) for node in in_page)
    assert sorted(seen) == sorted(f"{SITE}/opendata/#dataset-{d.slug}" for d in DATASETS)
    assert len(seen) == len(set(seen))


def test_pages_in_each_format_point_to_the_same_format(client, content, settings):
    settings.OPENDATA_CATALOG_PAGE_SIZE = 2
    graphs = {fmt: parse(fetch(client, fmt, page=2), fmt) for fmt in RDF_FORMATS}
    for fmt, graph in graphs.items():
        (view,) = set(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
        assert str(one(graph, view, HYDRA.next)) == f"{SITE}/opendata/catalog.{fmt}?page=3"
    assert isomorphic(without_pagination(graphs["ttl"]), without_pagination(graphs["rdf"]))
    assert isomorphic(without_pagination(graphs["ttl"]), without_pagination(graphs["jsonld"]))


def test_one_page_has_no_pagination_node(client, content):
    graph = parse(fetch(client), "ttl")
    assert not set(graph.subjects(RDF.type, HYDRA.PartialCollectionView))


@pytest.mark.parametrize("page", ["0", "-1", "x", "1.5", "", "99999999999", "6"])
def test_a_page_that_does_not_exist_is_not_found(client, db, settings, page):
    settings.OPENDATA_CATALOG_PAGE_SIZE = 2  # five pages of ten datasets
    assert len(DATASETS) <= 10
    response = client.get("/opendata/catalog.ttl", {"page": page})
    assert response.status_code == 404


# --- Caching and queries --------------------------------------------------------------------------------------


def test_last_modified_and_not_modified(client, host):
    from cittasmart.stakeholders.models import Organisation

    Organisation.objects.filter(pk=host.pk).update(
        updated_at=datetime.datetime(2021, 3, 4, 12, tzinfo=datetime.UTC)
    )
    response = fetch(client)
    assert response["Last-Modified"] == "Thu, 04 Mar 2021 23:59:59 GMT"
    again = fetch(client, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*"
    later = http_date(datetime.datetime(2021, 3, 3, tzinfo=datetime.UTC).timestamp())
    assert fetch(client, HTTP_IF_MODIFIED_SINCE=later).status_code == 200


def test_the_number_of_queries_does_not_grow_with_the_data(client, content, django_assert_max_num_queries):
    # One Max(updated_at) per dataset (the plan's datasets also look the plan up), the host organisation and the
    # site settings (created and cached on the first request): nothing per row or per page of datasets.
    bound = 2 * len(DATASETS) + 5
    with django_assert_max_num_queries(bound):
        assert fetch(client).status_code == 200
    cache.clear()  # each dataset's last change is cached until its app writes: measure both runs cold
    with CaptureQueriesContext(connection) as before:
        assert fetch(client, "rdf").status_code == 200
    for _ in range(5):
        IdeaFactory()
        MeetingFactory()
        SurveyRecordFactory()
        MeasurementFactory(indicator=IndicatorFactory(version=PlanVersionFactory()))
    cache.clear()
    with CaptureQueriesContext(connection) as after:
        assert fetch(client, "jsonld").status_code == 200
    assert len(after) == len(before) <= len(DATASETS) + 6


# --- The Prato demo ---------------------------------------------------------------------------------------------


@pytest.fixture
def no_demo_accounts(monkeypatch):
    """The organisations of the stakeholders demo without the memberships of the demo accounts."""
    from cittasmart.core.demo import prato

    monkeypatch.setattr(prato, "ACCOUNTS", [])


def test_the_demo_gives_the_comune_its_ipa_code_once(client, db, no_demo_accounts):
    from cittasmart.stakeholders import demo
    from cittasmart.stakeholders.models import Organisation

    assert demo.load() > 0
    comune = Organisation.objects.get(is_host_entity=True)
    assert (comune.name, comune.ipa_code) == ("Comune di Prato", "c_g999")
    assert demo.load() == 0  # idempotent
    graph = parse(fetch(client), "ttl")
    node = URIRef(f"{SITE}/opendata/#dataset-measurements")
    assert str(one(graph, node, DCTERMS.identifier)) == "c_g999:measurements"


def test_the_demo_completes_an_existing_comune_without_a_code(db, no_demo_accounts):
    from cittasmart.stakeholders import demo
    from cittasmart.stakeholders.models import Organisation

    OrganisationFactory(name="Comune di Prato", is_host_entity=True, ipa_code="")
    demo.load()
    assert Organisation.objects.get(name="Comune di Prato").ipa_code == "c_g999"
    assert demo.load() == 0


def test_the_demo_leaves_a_code_another_organisation_holds(db, no_demo_accounts):
    from cittasmart.stakeholders import demo
    from cittasmart.stakeholders.models import Organisation

    OrganisationFactory(name="Altro ente", ipa_code="c_g999")
    demo.load()
    assert Organisation.objects.get(name="Comune di Prato").ipa_code == ""
    assert demo.load() == 0


@pytest.mark.parametrize("page", ["²", "①", "１"])
def test_a_page_number_in_other_digits_is_a_404(client, page):
    # str.isdigit() accepts "²" and "①", which int() refused with ValueError (a 500).
    assert client.get(reverse("opendata:catalog", kwargs={"fmt": "ttl"}), {"page": page}).status_code == 404
