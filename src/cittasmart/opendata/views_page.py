"""The open data page (``/opendata/``): every dataset with its size, last change, theme and formats; the API, the
DCAT-AP_IT catalogue, the feeds (news, tour calendars) and the licence.

Reads: per dataset one ``count()`` and one ``Max(updated_at)`` (both through ``datasets.py``, as the anonymous
public sees the rows), plus one query for the tours' calendars: the number does not grow with the data."""

from django.conf import settings
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cittasmart.opendata import catalog
from cittasmart.opendata.datasets import ANONYMOUS, DATASETS

# The EU data themes (http://publications.europa.eu/resource/authority/data-theme/) by code.
THEMES = {
    "AGRI": _("Agriculture, fisheries, forestry and food"),
    "ECON": _("Economy and finance"),
    "EDUC": _("Education, culture and sport"),
    "ENER": _("Energy"),
    "ENVI": _("Environment"),
    "GOVE": _("Government and public sector"),
    "HEAL": _("Health"),
    "INTR": _("International issues"),
    "JUST": _("Justice, legal system and public safety"),
    "REGI": _("Regions and cities"),
    "SOCI": _("Population and society"),
    "TECH": _("Science and technology"),
    "TRAN": _("Transport"),
}
# The EU frequencies the datasets use.
PERIODICITIES = {
    "ANNUAL": _("Yearly"),
    "CONT": _("Continuously"),
    "IRREG": _("Irregularly"),
    "MONTHLY": _("Monthly"),
    "WEEKLY": _("Weekly"),
    "DAILY": _("Daily"),
}
CATALOG_FORMATS = (("ttl", "Turtle"), ("rdf", "RDF/XML"), ("jsonld", "JSON-LD"))
# Tours whose calendar feed the page lists (the newest first); the meetings page lists them all.
MAX_TOURS = 20


def _reverse(name: str, fallback: str, **kwargs) -> str:
    """The address of a page another part of the app provides, or ``fallback`` when it is not there (yet)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return fallback


def _datasets() -> list[dict]:
    rows = []
    for dataset in DATASETS:
        rows.append(
            {
                "slug": dataset.slug,
                "title": dataset.title,
                "description": dataset.description,
                "theme": THEMES.get(dataset.theme, dataset.theme),
                "periodicity": PERIODICITIES.get(dataset.periodicity, dataset.periodicity),
                "rows": dataset.queryset().count(),
                "modified": dataset.modified(),
                "formats": [
                    {"label": label, "url": f"/opendata/{dataset.slug}.{fmt}"}
                    for fmt, label in (("csv", "CSV"), ("json", "JSON"), ("xlsx", "XLSX"))
                ],
                "api": f"/api/v1/{dataset.slug}",
            }
        )
    return rows


def _calendars() -> list[dict]:
    from cittasmart.meetings.selectors import tour_list

    tours = tour_list(user=ANONYMOUS).only("slug", "title")[:MAX_TOURS]
    return [
        {"title": tour.title, "url": reverse("meetings:tour_ics", kwargs={"slug": tour.slug})}
        for tour in tours
    ]


@require_GET
def index(request):
    return render(
        request,
        "opendata/index.html",
        {
            "datasets": _datasets(),
            "api_docs_url": _reverse("opendata:api_docs", "/opendata/api/"),
            "openapi_url": _reverse("api:openapi-json", "/api/v1/openapi.json"),
            "catalog_formats": [
                {
                    "label": label,
                    "url": reverse("opendata:catalog", kwargs={"fmt": fmt}),
                    "type": catalog.FORMATS[fmt][1].split(";")[0],
                }
                for fmt, label in CATALOG_FORMATS
            ],
            "news_feeds": [
                {"label": "RSS", "type": "application/rss+xml", "url": reverse("documents:news_feed_rss")},
                {"label": "Atom", "type": "application/atom+xml", "url": reverse("documents:news_feed_atom")},
            ],
            "calendars": _calendars(),
            "meetings_url": reverse("meetings:home"),
            "licence": {"name": settings.OPENDATA_LICENCE_NAME, "url": settings.OPENDATA_LICENCE_URL},
            "publisher": catalog.publisher_get().name,
        },
    )
