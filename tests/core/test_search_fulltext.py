"""The shared text search (``core.search.text_search``) and the site search page built on it.

On SQLite every word of the query must be in one of the fields; on PostgreSQL the Italian full-text search finds
the other forms of a word and puts the most relevant rows first. On both, the page shows only what the person may
see, one section per kind in a fixed order, with a number of queries that does not grow with the results.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cittasmart.core.registry import search_providers
from cittasmart.core.search import MAX_QUERY_LENGTH, clean_query, text_search
from cittasmart.documents import search as documents_search
from cittasmart.documents import services as documents_services
from cittasmart.documents.demo_files import simple_pdf
from cittasmart.documents.models import AccessLevel, DocumentCategory, NewsItem
from cittasmart.meetings import search as meetings_search
from cittasmart.participation import search as participation_search
from cittasmart.plan import search as plan_search
from cittasmart.stakeholders import integrations as stakeholders_search
from cittasmart.stakeholders.models import Organisation
from cittasmart.survey import catalogue
from cittasmart.survey.models import SurveyRecord, Visibility
from tests.factories import (
    ActionFactory,
    IdeaFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    PlanFactory,
    PlanVersionFactory,
    ProcessFactory,
    SurveyRecordFactory,
    TourFactory,
    publish,
)

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL=postgres://…"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the fallback of databases without FTS")


def names(queryset) -> list[str]:
    return [o.name for o in queryset]


def find(query: str, *fields: str, **options) -> list[str]:
    return names(text_search(Organisation.objects.order_by("name"), query, *(fields or ("name",)), **options))


@pytest.fixture
def private_files(settings, tmp_path):
    """The library's files go to a folder of the test (the private storage follows ``PRIVATE_MEDIA_ROOT``)."""
    storages = {name: dict(options) for name, options in settings.STORAGES.items()}
    storages["private"]["OPTIONS"] = {
        **storages["private"].get("OPTIONS", {}),
        "location": tmp_path / "private",
    }
    settings.STORAGES = storages
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path / "private"


# --- The helper, on every database ----------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "\x00", "\x00 \x00", '"', '""'])
def test_an_empty_query_finds_nothing_rather_than_everything(query):
    OrganisationFactory(name="Comune di Prato")

    assert find(query) == []


def test_every_word_must_be_in_one_of_the_fields():
    OrganisationFactory(name="Pista ciclabile", description="Lungo il fiume Bisenzio.")
    OrganisationFactory(name="Pista da sci", description="In montagna.")

    assert find("ciclabile bisenzio", "name", "description") == ["Pista ciclabile"]
    assert find("pista", "name", "description") == ["Pista ciclabile", "Pista da sci"]
    assert find("ciclabile treno", "name", "description") == []


def test_fields_may_follow_a_foreign_key_without_repeating_rows():
    consiag = OrganisationFactory(name="Consiag Servizi")
    SurveyRecordFactory(owner=consiag, title="Sensori per l'acqua")
    SurveyRecordFactory(owner=consiag, title="Contatori intelligenti")
    SurveyRecordFactory(title="Lampioni")

    found = text_search(SurveyRecord.objects.all(), "consiag", "title", "owner__name")

    assert sorted(r.title for r in found) == ["Contatori intelligenti", "Sensori per l'acqua"]
    assert found.count() == 2


@pytest.mark.parametrize(
    "field",
    [
        "memberships__user__email",  # many memberships per organisation: rows would repeat
        "reserved_documents__title",  # a many-to-many relation
        "memberships",  # a relation, not a text
        "no_such_field",
    ],
)
def test_paths_that_are_not_one_text_per_row_are_refused(field):
    with pytest.raises(ValueError):
        text_search(Organisation.objects.all(), "prato", field)


def test_a_query_is_cleaned_of_nul_characters_and_cut_to_the_forms_length():
    assert clean_query("pista\x00ciclabile") == "pista ciclabile"
    assert len(clean_query("x" * 5000)) == MAX_QUERY_LENGTH
    assert clean_query("  piste  ") == "piste"


@pytest.mark.parametrize(
    "query", ["pista\x00", "pista " + "x" * 5000, "pista -", '"pista', "pista or", "!:*&|()<->", "%_\\'"]
)
def test_odd_queries_do_not_fail(query):
    OrganisationFactory(name="Pista ciclabile")

    found = find(query)  # evaluates the query: any database error would raise here

    assert found in ([], ["Pista ciclabile"])


@on_sqlite
def test_without_full_text_search_words_are_parts_of_the_text_and_the_order_is_kept():
    OrganisationFactory(name="Zeta ciclabile")
    OrganisationFactory(name="Alfa", description="Una pista ciclabile.")

    assert find("CICLAB", "name", "description") == ["Alfa", "Zeta ciclabile"]


# --- The helper on PostgreSQL: Italian word forms, common words, ranking ---------------------------------


@on_postgres
@pytest.mark.postgres
@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Progetto per le scuole", "progetti"),
        ("Progetti di quartiere", "progetto"),
        ("Una pista ciclabile", "ciclabili"),
        ("Piste ciclabili in centro", "ciclabile"),
        ("Partecipazione dei cittadini", "partecipare"),
        ("Mobilità sostenibile", "mobilita"),
    ],
)
def test_postgresql_finds_other_forms_of_italian_words(text, query):
    OrganisationFactory(name=text)
    OrganisationFactory(name="Illuminazione pubblica")

    assert find(query) == [text]


@on_postgres
@pytest.mark.postgres
def test_postgresql_reads_the_query_as_a_web_search():
    OrganisationFactory(name="Pista ciclabile lungo il fiume")
    OrganisationFactory(name="Pista lungo la ciclabile")
    OrganisationFactory(name="Linea del tram")

    assert find('"pista ciclabile"') == ["Pista ciclabile lungo il fiume"]
    assert find("pista -fiume") == ["Pista lungo la ciclabile"]
    assert find("fiume or tram") == ["Linea del tram", "Pista ciclabile lungo il fiume"]


@on_postgres
@pytest.mark.postgres
@pytest.mark.parametrize("query", ["il", "e", "della e il", "di la"])
def test_postgresql_finds_nothing_for_common_words_alone(query):
    OrganisationFactory(name="Il piano della città", description="La città e il suo piano.")

    assert find(query, "name", "description") == []


@on_postgres
@pytest.mark.postgres
def test_postgresql_puts_title_matches_first_then_keeps_the_querysets_order():
    OrganisationFactory(name="Alfa", description="Gestisce una ciclovia.")
    OrganisationFactory(name="Beta ciclovia")
    OrganisationFactory(name="Gamma ciclovia")
    OrganisationFactory(name="Delta", description="Nessuna.")

    # The queryset's order (by name) would give Alfa first: its match is only in the description.
    assert find("ciclovia", "name", "description") == ["Beta ciclovia", "Gamma ciclovia", "Alfa"]
    assert find("ciclovia", "name", "description", ranked=False) == [
        "Alfa",
        "Beta ciclovia",
        "Gamma ciclovia",
    ]
    weights = {"name": "A", "description": "A"}
    assert find("ciclovia", "name", "description", weights=weights) == [
        "Alfa",
        "Beta ciclovia",
        "Gamma ciclovia",
    ]


# --- The site search page -------------------------------------------------------------------------------


def test_sections_come_in_the_order_of_the_plan_journey():
    providers = list(search_providers())
    expected = [
        catalogue.search_records,
        plan_search.search_actions,
        participation_search.ideas_and_processes,
        meetings_search.meetings_and_tours,
        documents_search.search_documents,
        documents_search.search_news,
        stakeholders_search.search_organisations,
    ]

    assert [p for p in providers if p in expected] == expected


class World:
    """Things of every kind that the search finds by ``WORD``, some of them hidden from the public."""

    WORD = "ciclovia"

    def __init__(self, *, office):
        self.office = office
        self.plan = PlanFactory()
        self.process = ProcessFactory(title="Bilancio partecipativo")
        self.category = DocumentCategory.objects.first()
        self.count = 0

    def _n(self) -> int:
        self.count += 1
        return self.count

    def add(self, n: int) -> None:
        """``n`` visible things of each kind."""
        word = self.WORD
        SurveyRecordFactory.create_batch(n, title=f"Censimento {word}", description="Rilievo.")
        version = PlanVersionFactory(plan=self.plan)
        for _ in range(n):
            ActionFactory(version=version, title=f"Azione {word}", description="Una nuova pista.")
        publish(version)
        ProcessFactory.create_batch(n, title=f"Processo {word}")
        IdeaFactory.create_batch(n, process=self.process, title=f"Idea {word}")
        TourFactory.create_batch(n, title=f"Tour {word}")
        MeetingFactory.create_batch(n, title=f"Incontro {word}")
        for _ in range(n):
            self.document(f"Documento {self._n()}", lines=[f"La {word} lungo il fiume."])
            self.news(f"Notizia {word}", published_at=timezone.now() - datetime.timedelta(days=1))
        for _ in range(n):
            OrganisationFactory(name=f"Associazione {word} {self._n()}")

    def document(self, title: str, *, access=AccessLevel.PUBLIC, lines=(), **fields):
        upload = SimpleUploadedFile(
            "documento.pdf", simple_pdf(title, list(lines)), content_type="application/pdf"
        )
        return documents_services.document_create(
            actor=self.office, file=upload, category=self.category, title=title, access=access, **fields
        )

    def news(self, title: str, *, published_at):
        n = self._n()
        return NewsItem.objects.create(
            title=title, slug=f"notizia-{n}", summary="In breve.", body="Il testo.", published_at=published_at
        )


@pytest.fixture
def world(private_files, plan_office):
    return World(office=plan_office)


def search_page(client, query: str):
    response = client.get(reverse("core:search"), {"q": query})
    assert response.status_code == 200
    return response


@pytest.fixture
def hidden(world):
    """One thing of each kind that the public may not see, and one of each that it may."""
    word = world.WORD
    member_of = OrganisationFactory(name="Gestore della rete")
    public_version = PlanVersionFactory(plan=world.plan)
    published_action = ActionFactory(version=public_version, title=f"Azione pubblica {word}")
    publish(public_version)
    draft_version = PlanVersionFactory(plan=world.plan)
    things = {
        "public_record": SurveyRecordFactory(title=f"Rilievo {word}"),
        "reserved_record": SurveyRecordFactory(
            title=f"Rilievo riservato {word}", owner=member_of, visibility=Visibility.RESERVED
        ),
        "published_action": published_action,
        "draft_action": ActionFactory(version=draft_version, title=f"Azione in bozza {word}"),
        "public_idea": IdeaFactory(process=world.process, title=f"Idea pubblica {word}"),
        "hidden_idea": IdeaFactory(process=world.process, title=f"Idea nascosta {word}", is_hidden=True),
        "public_tour": TourFactory(title=f"Tour pubblico {word}"),
        "unpublished_tour": TourFactory(title=f"Tour in preparazione {word}", is_published=False),
        "public_meeting": MeetingFactory(title=f"Incontro pubblico {word}"),
        "unpublished_meeting": MeetingFactory(title=f"Incontro in preparazione {word}", is_published=False),
        "public_document": world.document("Relazione pubblica", lines=[f"Una {word} nuova."]),
        "members_document": world.document(
            "Relazione riservata",
            access=AccessLevel.MEMBERS,
            lines=[f"La {word} riservata."],
            organisations=[member_of],
        ),
        "staff_document": world.document(
            f"Appunti {word}", access=AccessLevel.STAFF, description="Solo per l'ufficio."
        ),
        "news": world.news(f"Notizia {word}", published_at=timezone.now() - datetime.timedelta(hours=1)),
        "draft_news": world.news(f"Bozza {word}", published_at=None),
        "later_news": world.news(f"Domani {word}", published_at=timezone.now() + datetime.timedelta(days=1)),
    }
    things["member"] = MembershipFactory(organisation=member_of).user
    things["other_member"] = MembershipFactory(organisation=OrganisationFactory(name="Altra")).user
    return things


def shown(response, obj) -> bool:
    return f'href="{obj.get_absolute_url()}"' in response.text


PUBLIC = [
    "public_record",
    "published_action",
    "public_idea",
    "public_tour",
    "public_meeting",
    "public_document",
    "news",
]
STAFF_ONLY = ["draft_action", "unpublished_tour", "unpublished_meeting", "staff_document"]
NEVER = ["hidden_idea", "draft_news", "later_news"]


def test_the_public_finds_only_what_is_public(client, hidden):
    response = search_page(client, World.WORD)

    assert all(shown(response, hidden[name]) for name in PUBLIC)
    for name in ["reserved_record", "members_document", *STAFF_ONLY, *NEVER]:
        assert not shown(response, hidden[name]), name
    assert "Relazione riservata" not in response.text  # not even its title


def test_reserved_things_are_found_by_the_members_of_their_organisation_only(client, hidden):
    client.force_login(hidden["other_member"])
    response = search_page(client, World.WORD)
    assert not shown(response, hidden["members_document"])
    assert not shown(response, hidden["reserved_record"])

    client.force_login(hidden["member"])
    response = search_page(client, World.WORD)
    assert shown(response, hidden["members_document"])  # found by the text of its PDF
    assert shown(response, hidden["reserved_record"])  # a record of their own organisation
    for name in [*STAFF_ONLY, *NEVER]:
        assert not shown(response, hidden[name]), name


def test_the_plan_office_finds_drafts_but_never_hidden_ideas_or_unpublished_news(client, hidden, plan_office):
    client.force_login(plan_office)
    response = search_page(client, World.WORD)

    for name in [*PUBLIC, *STAFF_ONLY, "reserved_record", "members_document"]:
        assert shown(response, hidden[name]), name
    for name in NEVER:
        assert not shown(response, hidden[name]), name


def test_each_kind_has_its_section_with_a_total(client, world):
    world.add(2)
    response = search_page(client, World.WORD)

    sections = response.context["sections"]
    assert [len(s.hits) for s in sections if s.hits] == [
        2,
        2,
        4,
        4,
        2,
        2,
        2,
    ]  # processes+ideas, tours+meetings
    assert [s.total for s in sections if s.hits] == [2, 2, 4, 4, 2, 2, 2]


# The whole page for an anonymous visitor, whatever the number of results: per section the rows shown (ten at
# most) and, when there are more than those, their count: 10 queries with a few results, 20 with many.
MAX_QUERIES = 20


def test_the_number_of_queries_does_not_grow_with_the_results(client, world, django_assert_max_num_queries):
    world.add(2)
    search_page(client, World.WORD)  # the site settings are cached after the first request
    with django_assert_max_num_queries(MAX_QUERIES):
        search_page(client, World.WORD)

    world.add(18)
    with CaptureQueriesContext(connection) as twenty, django_assert_max_num_queries(MAX_QUERIES):
        response = search_page(client, World.WORD)
    assert [s.total for s in response.context["sections"] if s.hits] == [20, 20, 40, 40, 20, 20, 20]

    world.add(10)
    with django_assert_max_num_queries(len(twenty)):
        search_page(client, World.WORD)


def test_the_survey_section_counts_the_records_beyond_the_ones_shown():
    SurveyRecordFactory(title="Public water sensors")
    SurveyRecordFactory(title="Host public portal")
    SurveyRecordFactory(title="Public but not validated", is_validated=False)

    section = catalogue.search_records(query="public", user=AnonymousUser(), limit=1)

    assert len(section.hits) == 1
    assert section.total == 2
