"""The DCAT-AP_IT catalogue of the public datasets, as an ``rdflib.Graph`` (the views serialise it).

One ``dcat:Dataset`` per entry of ``datasets.DATASETS``, each with four distributions: the CSV, JSON and XLSX
exports (``/opendata/<slug>.<fmt>``) and the read API (``/api/v1/<slug>``). The publisher and rights holder is the
host organisation (``Organisation.is_host_entity``) with its IPA code, unless ``OPENDATA_PUBLISHER_NAME`` /
``OPENDATA_PUBLISHER_IPA`` say otherwise; without any IPA code the identifier falls back to the site's host name, so
the graph stays valid (a harvester such as dati.gov.it will still want the real code: set it).

Large catalogues come in pages of ``OPENDATA_CATALOG_PAGE_SIZE`` datasets (``?page=N``) described with a
``hydra:PartialCollectionView``, which the CKAN DCAT harvester follows. A catalogue that fits in one page has no
pagination node, so its three serialisations are the same graph.

Subjects are hash URIs on the open data page (``/opendata/#dataset-<slug>``): they resolve to where a person reads
about the dataset. Reads: one ``Max(updated_at)`` per dataset (``Dataset.modified()``) and one for the host
organisation; nothing per row.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from cittasmart.opendata.datasets import DATASETS, Dataset

DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
EU = "http://publications.europa.eu/resource/authority/"
THEME = Namespace(f"{EU}data-theme/")
FREQUENCY = Namespace(f"{EU}frequency/")
FILE_TYPE = Namespace(f"{EU}file-type/")
LANGUAGE = Namespace(f"{EU}language/")
LICENCE_TYPE_ATTRIBUTION = URIRef("http://purl.org/adms/licencetype/Attribution")
IANA = "https://www.iana.org/assignments/media-types/"

# The serialisations: extension in the address → (rdflib format, content type).
FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "rdf": ("xml", "application/rdf+xml; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json"),
}

# The export files of every dataset: extension → (EU file type, media type).
EXPORT_FORMATS = {
    "csv": ("CSV", "text/csv"),
    "json": ("JSON", "application/json"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}

# The languages of the catalogue's descriptions (language tag → EU language code).
LANGUAGES = {"it": "ITA", "en": "ENG"}
# The published values (column names, codes, texts) are in the site's main language.
DATA_LANGUAGE = "ITA"


@dataclass(frozen=True)
class Publisher:
    name: str
    identifier: str
    # False when no IPA code was found and the identifier is the site's host name.
    has_ipa_code: bool
    homepage: str
    email: str


@dataclass(frozen=True)
class CatalogPage:
    number: int
    count: int  # pages in all
    datasets: tuple[Dataset, ...]

    @property
    def total(self) -> int:
        return len(DATASETS)


def page_size() -> int:
    return max(1, int(settings.OPENDATA_CATALOG_PAGE_SIZE))


def page_get(number: int) -> CatalogPage | None:
    """Page ``number`` (from 1) of the catalogue, or None when there is no such page."""
    size = page_size()
    count = max(1, math.ceil(len(DATASETS) / size))
    if number < 1 or number > count:
        return None
    start = (number - 1) * size
    return CatalogPage(number=number, count=count, datasets=DATASETS[start : start + size])


def publisher_get() -> Publisher:
    """Who publishes the data: the settings when set, else the host organisation, else the site itself."""
    from cittasmart.core.services import site_settings_get
    from cittasmart.stakeholders.models import Organisation

    site = site_settings_get()
    host = Organisation.objects.filter(is_host_entity=True).only("name", "ipa_code", "website").first()
    name = (
        settings.OPENDATA_PUBLISHER_NAME
        or (host.name if host else "")
        or site.entity_name
        or site.instance_name
        or urlsplit(settings.SITE_URL).hostname
        or "cittasmart"
    )
    ipa_code = settings.OPENDATA_PUBLISHER_IPA or (host.ipa_code if host else "")
    identifier = ipa_code or urlsplit(settings.SITE_URL).hostname or "cittasmart"
    homepage = (host.website if host else "") or site.entity_url or f"{settings.SITE_URL}/"
    return Publisher(
        name=name,
        identifier=identifier,
        has_ipa_code=bool(ipa_code),
        homepage=homepage,
        email=site.email,
    )


def modified_dates() -> dict[str, date | None]:
    """When each dataset last changed (one aggregate query per dataset)."""
    return {dataset.slug: _as_date(dataset.modified()) for dataset in DATASETS}


def catalogue_modified(modified: dict[str, date | None]) -> date | None:
    known = [value for value in modified.values() if value is not None]
    return max(known) if known else None


def _as_date(value: datetime | None) -> date | None:
    if value is None:
        return None
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


# --- Addresses -----------------------------------------------------------------------------------------------


def _site(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def page_address() -> str:
    return _site("/opendata/")


def catalog_uri() -> URIRef:
    return URIRef(f"{page_address()}#catalog")


def dataset_uri(slug: str) -> URIRef:
    return URIRef(f"{page_address()}#dataset-{slug}")


def export_url(slug: str, fmt: str) -> str:
    return _site(f"/opendata/{slug}.{fmt}")


def api_url(slug: str) -> str:
    return _site(f"/api/v1/{slug}")


def catalog_page_url(fmt: str, number: int) -> str:
    return _site(f"/opendata/catalog.{fmt}?page={number}")


# --- The graph ---------------------------------------------------------------------------------------------


def _texts(make) -> list[Literal]:
    """One literal per catalogue language: ``make()`` is called with that language active."""
    literals = []
    for tag in LANGUAGES:
        with translation.override(tag):
            literals.append(Literal(str(make()), lang=tag))
    return literals


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("dcatapit", DCATAPIT),
        ("hydra", HYDRA),
        ("xsd", XSD),
    ):
        graph.bind(prefix, namespace, override=True)
    return graph


def catalog_graph(
    *, page: CatalogPage, fmt: str = "ttl", modified: dict[str, date | None] | None = None
) -> Graph:
    """The catalogue's page ``page`` (pagination links point to the serialisation ``fmt``)."""
    modified = modified_dates() if modified is None else modified
    publisher = publisher_get()
    graph = new_graph()
    today = timezone.localdate()
    catalogue_date = catalogue_modified(modified) or today

    agent = _add_agent(graph, publisher)
    contact = _add_contact_point(graph, publisher)
    licence = _add_licence(graph)

    catalog = catalog_uri()
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, RDF.type, DCATAPIT.Catalog))
    for literal in _texts(lambda: _("Open data of the Smart City plan")):
        graph.add((catalog, DCTERMS.title, literal))
    for literal in _texts(
        lambda: (
            _(
                "The public data of the Smart City plan published by %(name)s: survey of projects, plan versions, "
                "actions, indicators and measurements, participation, meetings and documents."
            )
            % {"name": publisher.name}
        )
    ):
        graph.add((catalog, DCTERMS.description, literal))
    graph.add((catalog, DCTERMS.publisher, agent))
    graph.add((catalog, DCTERMS.modified, Literal(catalogue_date, datatype=XSD.date)))
    graph.add((catalog, FOAF.homepage, URIRef(page_address())))
    graph.add((catalog, DCAT.themeTaxonomy, URIRef(f"{EU}data-theme")))
    for code in LANGUAGES.values():
        graph.add((catalog, DCTERMS.language, LANGUAGE[code]))

    for dataset in page.datasets:
        node = _add_dataset(
            graph,
            dataset,
            publisher=publisher,
            agent=agent,
            contact=contact,
            licence=licence,
            modified=modified.get(dataset.slug) or catalogue_date,
        )
        graph.add((catalog, DCAT.dataset, node))

    if page.count > 1:
        _add_pagination(graph, page, fmt)
    return graph


def _add_agent(graph: Graph, publisher: Publisher) -> URIRef:
    agent = URIRef(f"{page_address()}#publisher")
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, RDF.type, DCATAPIT.Agent))
    graph.add((agent, DCTERMS.identifier, Literal(publisher.identifier)))
    graph.add((agent, FOAF.name, Literal(publisher.name)))
    return agent


def _add_contact_point(graph: Graph, publisher: Publisher) -> URIRef:
    # The administration's institutional contact (site settings), never a person's address.
    contact = URIRef(f"{page_address()}#contact-point")
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, RDF.type, DCATAPIT.Organization))
    graph.add((contact, VCARD.fn, Literal(publisher.name)))
    if publisher.email:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{publisher.email}")))
    graph.add((contact, VCARD.hasURL, URIRef(publisher.homepage)))
    return contact


def _add_licence(graph: Graph) -> URIRef:
    licence = URIRef(settings.OPENDATA_LICENCE_URL)
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    graph.add((licence, RDF.type, DCATAPIT.LicenseDocument))
    graph.add((licence, DCTERMS.type, LICENCE_TYPE_ATTRIBUTION))
    graph.add((licence, FOAF.name, Literal(settings.OPENDATA_LICENCE_NAME)))
    return licence


def _add_dataset(
    graph: Graph,
    dataset: Dataset,
    *,
    publisher: Publisher,
    agent: URIRef,
    contact: URIRef,
    licence: URIRef,
    modified: date,
) -> URIRef:
    node = dataset_uri(dataset.slug)
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, RDF.type, DCATAPIT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(f"{publisher.identifier}:{dataset.slug}")))
    for literal in _texts(lambda: dataset.title):
        graph.add((node, DCTERMS.title, literal))
    for literal in _texts(lambda: dataset.description):
        graph.add((node, DCTERMS.description, literal))
    graph.add((node, DCTERMS.modified, Literal(modified, datatype=XSD.date)))
    graph.add((node, DCAT.theme, THEME[dataset.theme]))
    graph.add((node, DCTERMS.accrualPeriodicity, FREQUENCY[dataset.periodicity]))
    graph.add((node, DCTERMS.publisher, agent))
    graph.add((node, DCTERMS.rightsHolder, agent))
    graph.add((node, DCAT.contactPoint, contact))
    graph.add((node, DCTERMS.language, LANGUAGE[DATA_LANGUAGE]))
    for keyword in dataset.keywords:
        graph.add((node, DCAT.keyword, Literal(keyword, lang="it")))

    for fmt, (file_type, media_type) in EXPORT_FORMATS.items():
        url = URIRef(export_url(dataset.slug, fmt))
        distribution = _add_distribution(
            graph,
            dataset,
            key=fmt,
            label=file_type,
            file_type=file_type,
            media_type=media_type,
            access=url,
            licence=licence,
        )
        graph.add((distribution, DCAT.downloadURL, url))
        graph.add((node, DCAT.distribution, distribution))
    api = _add_distribution(
        graph,
        dataset,
        key="api",
        label="API",
        file_type="JSON",
        media_type="application/json",
        access=URIRef(api_url(dataset.slug)),
        licence=licence,
    )
    graph.add((api, DCTERMS.conformsTo, URIRef(_site("/api/v1/openapi.json"))))
    graph.add((node, DCAT.distribution, api))
    return node


def _add_distribution(
    graph: Graph,
    dataset: Dataset,
    *,
    key: str,
    label: str,
    file_type: str,
    media_type: str,
    access: URIRef,
    licence: URIRef,
) -> URIRef:
    node = URIRef(f"{page_address()}#dataset-{dataset.slug}-{key}")
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, RDF.type, DCATAPIT.Distribution))
    for tag in LANGUAGES:
        with translation.override(tag):
            if key == "api":
                title = _("%(dataset)s (API, JSON)") % {"dataset": dataset.title}
            else:
                title = _("%(dataset)s (%(format)s)") % {"dataset": dataset.title, "format": label}
        graph.add((node, DCTERMS.title, Literal(title, lang=tag)))
    graph.add((node, DCTERMS.format, FILE_TYPE[file_type]))
    graph.add((node, DCAT.mediaType, URIRef(f"{IANA}{media_type}")))
    graph.add((node, DCAT.accessURL, access))
    graph.add((node, DCTERMS.license, licence))
    return node


def _add_pagination(graph: Graph, page: CatalogPage, fmt: str) -> None:
    view = URIRef(catalog_page_url(fmt, page.number))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.first, URIRef(catalog_page_url(fmt, 1))))
    graph.add((view, HYDRA.last, URIRef(catalog_page_url(fmt, page.count))))
    if page.number < page.count:
        graph.add((view, HYDRA.next, URIRef(catalog_page_url(fmt, page.number + 1))))
    if page.number > 1:
        graph.add((view, HYDRA.previous, URIRef(catalog_page_url(fmt, page.number - 1))))
    graph.add((view, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer)))
    graph.add((view, HYDRA.itemsPerPage, Literal(page_size(), datatype=XSD.integer)))
