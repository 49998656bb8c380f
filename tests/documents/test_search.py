"""The library in the site search: documents by title, description and the text of their current PDF, only to
whoever may read them, with their category, date and a note when reserved; published news only."""

import datetime
import hashlib
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from cittasmart.core.roles import Role
from cittasmart.documents import selectors, services
from cittasmart.documents.models import AccessLevel, DocumentVersion, NewsItem, ReaderGroup
from cittasmart.documents.search import search_documents, search_news
from tests.documents.conftest import pdf
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL=postgres://…"
)


def titles(section) -> list[str]:
    return [hit.title for hit in section.hits]


def documents(query: str, user=None, limit: int = 10):
    return search_documents(query=query, user=user or AnonymousUser(), limit=limit)


# --- Documents ------------------------------------------------------------------------------------------


def test_documents_are_found_by_title_description_and_the_text_of_their_pdf(make_document):
    make_document(title="Ciclovia del Bisenzio")
    make_document(title="Relazione annuale", description="Lo stato della ciclovia.")
    make_document(title="Verbale del tavolo", lines=["Si discute la ciclovia lungo il fiume."])
    make_document(title="Illuminazione pubblica", lines=["Nuovi lampioni."])

    section = documents("ciclovia")

    assert sorted(titles(section)) == ["Ciclovia del Bisenzio", "Relazione annuale", "Verbale del tavolo"]
    assert section.total == 3
    assert documents("lampioni").total == 1  # the PDF's text only


def test_only_the_text_of_the_current_version_is_searched(make_document, office):
    document = make_document(title="Programma", lines=["Prima stesura sul teleriscaldamento."])
    assert titles(documents("teleriscaldamento")) == ["Programma"]

    services.version_add(
        actor=office, document=document, file=pdf(title="Programma", lines=["Fotovoltaico."])
    )

    assert titles(documents("teleriscaldamento")) == []
    assert titles(documents("fotovoltaico")) == ["Programma"]


@pytest.fixture
def audience(db):
    chosen = OrganisationFactory(name="Estra S.p.A.")
    in_group = OrganisationFactory(name="Publiacqua S.p.A.")
    group = ReaderGroup.objects.create(name="Tavolo del piano")
    group.organisations.add(in_group)
    return {
        "chosen": chosen,
        "group": group,
        "anonymous": AnonymousUser(),
        "citizen": UserFactory(),
        "member": MembershipFactory(organisation=chosen).user,
        "group_member": MembershipFactory(organisation=in_group).user,
        "other_member": MembershipFactory(organisation=OrganisationFactory(name="Alia S.p.A.")).user,
        "inactive_member": MembershipFactory(organisation=chosen, user=UserFactory(is_active=False)).user,
        "plan_office": UserFactory(roles=[Role.PLAN_OFFICE]),
        "administrator": UserFactory(roles=[Role.ADMINISTRATOR]),
    }


READERS = {
    AccessLevel.PUBLIC: {
        "anonymous",
        "citizen",
        "member",
        "group_member",
        "other_member",
        "inactive_member",
        "plan_office",
        "administrator",
    },
    AccessLevel.REGISTERED: {
        "citizen",
        "member",
        "group_member",
        "other_member",
        "plan_office",
        "administrator",
    },
    AccessLevel.MEMBERS: {"member", "group_member", "plan_office", "administrator"},
    AccessLevel.STAFF: {"plan_office", "administrator"},
}


@pytest.mark.parametrize("access", list(READERS))
def test_a_document_is_found_only_by_whoever_may_read_it(make_document, audience, access):
    make_document(
        title="Piano del teleriscaldamento",
        access=access,
        lines=["Reti di calore."],
        organisations=[audience["chosen"]] if access == AccessLevel.MEMBERS else [],
        reader_groups=[audience["group"]] if access == AccessLevel.MEMBERS else [],
    )

    for who in READERS[AccessLevel.PUBLIC]:
        for query in ("teleriscaldamento", "calore"):  # by the title and by the PDF's text
            section = documents(query, user=audience[who])
            expected = ["Piano del teleriscaldamento"] if who in READERS[access] else []
            assert titles(section) == expected, (access, who, query)
            assert section.total == len(expected)


def test_the_summary_gives_the_category_the_date_and_says_when_it_is_reserved(make_document, office):
    public = make_document(title="Linee attuative pubbliche", date=datetime.date(2019, 3, 4))
    reserved = make_document(
        title="Linee attuative riservate", access=AccessLevel.REGISTERED, description="Bozza per il tavolo."
    )

    hits = {hit.title: hit for hit in documents("attuative", user=office).hits}

    public_summary = hits[public.title].summary
    assert public.category.name in public_summary
    assert date_format(datetime.date(2019, 3, 4), "DATE_FORMAT") in public_summary
    assert gettext("Reserved") not in public_summary
    assert hits[reserved.title].summary.startswith(f"{reserved.category.name} · ")
    assert gettext("Reserved") in hits[reserved.title].summary
    assert "Bozza per il tavolo." in hits[reserved.title].summary
    assert hits[reserved.title].url == reserved.get_absolute_url()


def test_the_section_counts_beyond_the_limit_and_links_to_the_filtered_library(make_document):
    for n in range(3):
        make_document(title=f"Verbale {n + 1}", lines=["Ordine del giorno: la ciclovia."])

    section = documents("ciclovia", limit=2)

    assert len(section.hits) == 2
    assert section.total == 3
    assert section.more_url == f"{reverse('documents:library')}?{urlencode({'q': 'ciclovia'})}"


def test_the_library_filter_finds_by_the_pdf_text_too_and_keeps_the_date_order(make_document):
    make_document(title="Vecchio verbale", date=datetime.date(2018, 1, 1), lines=["La ciclovia."])
    make_document(title="Ciclovia", date=datetime.date(2020, 1, 1))
    make_document(title="Nuovo verbale", date=datetime.date(2022, 1, 1), lines=["Altro."])

    found = selectors.document_list(user=AnonymousUser(), filters=selectors.DocumentFilters(query="ciclovia"))

    assert [d.title for d in found] == ["Ciclovia", "Vecchio verbale"]


@on_postgres
@pytest.mark.postgres
def test_on_postgresql_the_title_weighs_more_than_the_pdf_and_word_forms_match(make_document):
    make_document(
        title="Verbale recente", date=datetime.date(2024, 1, 1), lines=["Progetti di piste ciclabili."]
    )
    make_document(title="Progetto della pista ciclabile", date=datetime.date(2018, 1, 1))

    # By date alone the minutes would come first: their match is only in the PDF.
    assert titles(documents("progetto ciclabile")) == ["Progetto della pista ciclabile", "Verbale recente"]
    assert titles(documents("piste")) == ["Progetto della pista ciclabile", "Verbale recente"]


@on_postgres
@pytest.mark.postgres
def test_on_postgresql_a_very_long_text_does_not_break_the_search(make_document):
    """Half a million characters of distinct non-Latin words exceed PostgreSQL's limit of a text search vector
    (1 MB): only the beginning of the text is searched, and the search still answers."""
    document = make_document(title="Allegato tecnico")
    letters = str.maketrans("0123456789abcdef", "àèìòùéαβγδεζηθικ")
    words = [hashlib.md5(str(n).encode()).hexdigest()[:9].translate(letters) for n in range(50_000)]  # noqa: S324
    DocumentVersion.objects.filter(pk=document.current_version_id).update(text=" ".join(["ciclovia", *words]))

    assert titles(documents("ciclovia")) == ["Allegato tecnico"]
    assert titles(documents(words[-1])) == []  # beyond the part searched


# --- News -----------------------------------------------------------------------------------------------


def news_item(title: str, *, published_at, summary: str = "In breve.", body: str = "") -> NewsItem:
    slug = f"notizia-{NewsItem.objects.count() + 1}"
    return NewsItem.objects.create(
        title=title, slug=slug, summary=summary, body=body, published_at=published_at
    )


def test_published_news_are_found_by_title_summary_and_text(db):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    news_item("Nuova ciclovia", published_at=yesterday)
    news_item("Cantieri", summary="Lavori sulla ciclovia.", published_at=yesterday)
    news_item("Assemblea", body="Si parla della ciclovia.", published_at=yesterday)
    news_item("Mercato", published_at=yesterday)

    section = search_news(query="ciclovia", user=AnonymousUser(), limit=10)

    assert sorted(titles(section)) == ["Assemblea", "Cantieri", "Nuova ciclovia"]
    assert section.more_url == reverse("documents:news_list")


def test_drafts_and_news_published_later_are_not_found_even_by_the_plan_office(db, office):
    published = news_item(
        "Ciclovia inaugurata",
        published_at=timezone.now() - datetime.timedelta(hours=2),
        summary="Tutto pronto.",
    )
    news_item("Ciclovia: bozza", published_at=None)
    news_item("Ciclovia: domani", published_at=timezone.now() + datetime.timedelta(days=1))

    for user in (AnonymousUser(), UserFactory(), office):
        section = search_news(query="ciclovia", user=user, limit=10)
        assert titles(section) == ["Ciclovia inaugurata"]
        assert section.total == 1
    [hit] = section.hits
    assert hit.url == published.get_absolute_url()
    assert date_format(timezone.localtime(published.published_at), "DATE_FORMAT") in hit.summary
    assert "Tutto pronto." in hit.summary
