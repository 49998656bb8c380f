"""The document library in a real browser: the plan office uploads a document reserved to the stakeholders of the
plan and then a new version of it; a stakeholder member signs in, finds it in the reserved area and downloads the
latest version; a citizen cannot see it; the download is in the log. Then axe-core on every page type."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cittasmart.core.roles import Role
from cittasmart.documents import services, services_news
from cittasmart.documents.demo_files import simple_pdf
from cittasmart.documents.models import AccessLevel, Document, DocumentCategory, Download, ReaderGroup
from tests.browser.conftest import submit
from tests.browser.test_accessibility import assert_accessible, visit
from tests.documents.conftest import ensure_default_categories
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from tests.helpers import italian

pytestmark = pytest.mark.browser

TITLE = "Specifiche della Situation Room"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def people(transactional_db):
    ensure_default_categories()
    estra = OrganisationFactory(name="Estra S.p.A.")
    group = ReaderGroup.objects.create(name="Stakeholder del piano")
    group.organisations.add(estra)
    return {
        "office": UserFactory(roles=[Role.PLAN_OFFICE], display_name="Ufficio di Piano"),
        "member": MembershipFactory(organisation=estra, user__display_name="Referente Estra").user,
        "citizen": UserFactory(display_name="Cittadina"),
        "group": group,
    }


def _pdf_file(title: str) -> dict:
    return {
        "name": f"{title}.pdf",
        "mimeType": "application/pdf",
        "buffer": simple_pdf(title, ["Testo di prova"]),
    }


def test_a_reserved_document_from_upload_to_download(open_as, people, live_server):
    # The plan office uploads the document for the stakeholders of the plan...
    office = open_as(people["office"])
    visit(office, reverse("documents:library"))
    office.get_by_role("link", name=italian("Add a document")).click()
    office.fill("#id_title", TITLE)
    office.fill("#id_description", "Formati e frequenze dei dati condivisi.")
    office.select_option("#id_category", label="Stakeholders")
    office.locator("label", has_text=italian("Members of chosen organisations or groups")).click()
    office.locator("label", has_text="Stakeholder del piano").click()
    office.set_input_files("#id_file", _pdf_file("specifiche v1"))
    submit(office, office.locator("main form"))
    expect(office.locator("h1")).to_have_text(TITLE)
    document = Document.objects.get(title=TITLE)
    assert document.access == AccessLevel.MEMBERS and list(document.reader_groups.all()) == [people["group"]]

    # ... and then a new version of it.
    office.get_by_role("link", name=italian("Upload a new version")).click()
    office.set_input_files("#id_file", _pdf_file("specifiche v2"))
    office.fill("#id_note", "Aggiunti i dati sulla sosta")
    submit(office, office.locator("main form"))
    expect(office.get_by_role("main")).to_contain_text("Aggiunti i dati sulla sosta")
    expect(office.locator("table tbody tr")).to_have_count(2)

    # A stakeholder member signs in, finds it in the reserved area and downloads the latest version.
    member = open_as()
    visit(member, reverse("account_login") + "?next=" + reverse("documents:reserved_area"))
    member.fill("#id_login", people["member"].email)
    member.fill("#id_password", PASSWORD)
    submit(member, member.locator("main form"))
    expect(member.locator("h1")).to_have_text(italian("Reserved area"))
    member.get_by_role("link", name=TITLE).click()
    with member.expect_download() as caught:
        member.locator(
            f"main a.btn[href='{reverse('documents:download', kwargs={'pk': document.pk})}']"
        ).click()
    download = caught.value
    assert download.suggested_filename == "specifiche-v2.pdf"
    with open(download.path(), "rb") as handle:
        assert b"specifiche v2" in handle.read()

    # A citizen cannot see it, not even by its address.
    citizen = open_as(people["citizen"])
    visit(citizen, reverse("documents:reserved_area"))
    expect(citizen.get_by_role("main")).not_to_contain_text(TITLE)
    visit(citizen, reverse("documents:library"))
    expect(citizen.get_by_role("main")).not_to_contain_text(TITLE)
    response = citizen.goto(document.get_absolute_url())
    assert response.status == 404

    # The download is in the log, with the version.
    logged = Download.objects.get()
    assert (logged.user, logged.version.number) == (people["member"], 2)
    visit(office, reverse("documents:download_log", kwargs={"pk": document.pk}))
    row = office.locator("tbody tr").first
    expect(row).to_contain_text(people["member"].email)
    expect(row.locator("td").last).to_have_text("2")


# --- axe-core on every page type of the library ---------------------------------------------------------


@pytest.fixture
def library(people):
    office = people["office"]
    document = services.document_create(
        actor=office,
        file=_upload("verbale"),
        title="Verbale della cabina di regia",
        description="Sintesi delle decisioni.",
        category=DocumentCategory.objects.get(slug="verbali"),
        access=AccessLevel.MEMBERS,
        reader_groups=[people["group"]],
    )
    services.version_add(actor=office, document=document, file=_upload("verbale v2"), note="Correzioni")
    services.document_create(
        actor=office,
        file=_upload("schema"),
        title="Schema preliminare",
        category=DocumentCategory.objects.first(),
    )
    Download.objects.create(document=document, version=document.current_version, user=people["member"])
    news = services_news.news_create(
        actor=office,
        title="Pubblicato il verbale della cabina di regia",
        summary="Le decisioni sulla nota di aggiornamento.",
        body="Il **verbale** è nell'area riservata.",
        ambiti=["governance"],
        documents=[document],
    )
    services_news.news_publish(actor=office, news=news)
    draft = services_news.news_create(actor=office, title="Bozza", summary="Non ancora pubblica.")
    return {**people, "document": document, "news": news, "draft": draft}


def _upload(title):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"{title}.pdf", simple_pdf(title))


def _page(name: str, data: dict) -> tuple[str, str | None]:
    pk = {"pk": data["document"].pk}
    return {
        "library": (reverse("documents:library"), None),
        "library-filtered": (reverse("documents:library") + "?q=verbale&category=verbali", "member"),
        "document": (data["document"].get_absolute_url(), "member"),
        "document-office": (data["document"].get_absolute_url(), "office"),
        "reserved-area": (reverse("documents:reserved_area"), "member"),
        "reserved-area-empty": (reverse("documents:reserved_area"), "citizen"),
        "document-form": (reverse("documents:create"), "office"),
        "document-edit": (reverse("documents:edit", kwargs=pk), "office"),
        "version-form": (reverse("documents:version_create", kwargs=pk), "office"),
        "download-log": (reverse("documents:download_log", kwargs=pk), "office"),
        "news-list": (reverse("documents:news_list"), None),
        "news-list-domain": (reverse("documents:news_list") + "?ambito=governance", "citizen"),
        "news-item": (data["news"].get_absolute_url(), "member"),
        "news-manage": (reverse("documents:news_manage"), "office"),
        "news-form": (reverse("documents:news_create"), "office"),
        "news-edit": (reverse("documents:news_edit", kwargs={"slug": data["draft"].slug}), "office"),
        "search": (reverse("core:search") + "?q=verbale", "member"),
        "home": ("/", None),
    }[name]


PAGE_TYPES = [
    "library",
    "library-filtered",
    "document",
    "document-office",
    "reserved-area",
    "reserved-area-empty",
    "document-form",
    "document-edit",
    "version-form",
    "download-log",
    "news-list",
    "news-list-domain",
    "news-item",
    "news-manage",
    "news-form",
    "news-edit",
    "search",
    "home",
]


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_library_pages_have_no_violations(open_as, library, name):
    url, who = _page(name, library)
    page = open_as(library[who] if who else None)
    visit(page, url)
    assert_accessible(page)


def test_the_upload_form_with_errors_has_no_violations(open_as, library):
    from tests.browser.test_meetings import forget_the_page_status

    page = open_as(library["office"])
    visit(page, reverse("documents:create"))
    page.fill("#id_title", "Pagina web")
    page.set_input_files(
        "#id_file", {"name": "finta.pdf", "mimeType": "application/pdf", "buffer": b"<html></html>"}
    )
    submit(page, page.locator("main form"))
    assert page.locator("[aria-invalid=true]").count() >= 1
    forget_the_page_status(page)
    assert_accessible(page)
