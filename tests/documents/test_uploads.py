"""What the library accepts, recognised from the content: every refusal says why, and writes nothing."""

import html
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from cittasmart.documents.demo_files import simple_csv, simple_pdf
from cittasmart.documents.models import AccessLevel, Document, DocumentCategory, DocumentVersion
from tests.documents.conftest import pdf

pytestmark = pytest.mark.django_db


def _zip(entries: dict[str, bytes], *, stored_first: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if stored_first:
            archive.writestr(stored_first, entries.pop(stored_first), compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format=fmt)
    return buffer.getvalue()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["ambito", "progetti"])
    workbook.save(buffer)
    return buffer.getvalue()


ODT = _zip(
    {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:document-content/>"},
    stored_first="mimetype",
)
ODS = _zip(
    {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
    stored_first="mimetype",
)
DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
DOCM = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", "word/vbaProject.bin": b"x"})

ACCEPTED = [
    ("relazione.pdf", simple_pdf("Relazione"), "pdf", "application/pdf"),
    ("verbale.odt", ODT, "odt", "application/vnd.oasis.opendocument.text"),
    ("dati.ods", ODS, "ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("nota.docx", DOCX, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("tabella.xlsx", _xlsx(), "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("progetti.csv", simple_csv(["titolo", "ambito"], [["Bici", "mobility"]]), "csv", "text/csv"),
    ("foto.png", _image("PNG"), "png", "image/png"),
    ("foto.jpeg", _image("JPEG"), "jpg", "image/jpeg"),
]

HTML = "HTML and other web pages are not accepted, whatever their name: upload a PDF instead."
SVG = "SVG images are not accepted, because they can contain scripts: upload a PNG or a PDF."
PROGRAM = "Programs and scripts are not accepted."
REFUSED = [
    ("pagina.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", HTML),
    ("pagina.csv", b"  <p>a, b</p>", HTML),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', SVG),
    ("logo.png", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', SVG),
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, PROGRAM),
    ("run.csv", b"#!/bin/sh\nrm -rf /\n", PROGRAM),
    ("macro.docx", DOCM, "Office files with macros are not accepted: save the file without macros."),
    ("archivio.zip", _zip({"a.txt": b"a"}), "Archives are not accepted: upload the document itself."),
    (
        "note.txt",
        b"Solo testo senza colonne",
        "Of text files only CSV tables are accepted: this one has no columns separated by commas.",
    ),
    (
        "latin1.csv",
        "città;ambito\n".encode("latin-1"),
        "Text files must be CSV encoded in UTF-8; this one is not UTF-8 text.",
    ),
    ("finta.png", b"\x89PNG\r\n\x1a\n" + b"not an image", "The file is a damaged image."),
]


def said(response, message: str, **params) -> bool:
    """Whether the page shows ``message`` as an Italian visitor reads it."""
    with translation.override("it"):
        expected = translation.gettext(message) % params if params else translation.gettext(message)
    return expected in html.unescape(response.content.decode())


def _form(**extra):
    return {
        "title": "Linee attuative 2021",
        "description": "Il documento di sintesi.",
        "category": DocumentCategory.objects.get(slug="linee-attuative").pk,
        "date": "2021-02-01",
        "language": "it",
        "licence": "CC-BY-4.0",
        "access": AccessLevel.PUBLIC,
        **extra,
    }


@pytest.mark.parametrize(("name", "data", "extension", "content_type"), ACCEPTED)
def test_accepted_types_are_stored_with_the_type_found_in_the_content(
    client, office, name, data, extension, content_type
):
    client.force_login(office)
    upload = SimpleUploadedFile(f"../../{name}", data, content_type="application/octet-stream")
    response = client.post(reverse("documents:create"), _form(file=upload))
    assert response.status_code == 302, response.content.decode()[:2000]
    version = DocumentVersion.objects.get()
    assert version.content_type == content_type
    assert version.file_name == f"{name.rsplit('.', 1)[0]}.{extension}"
    assert ".." not in version.file.name
    download = client.get(reverse("documents:download", kwargs={"pk": version.document_id}))
    assert download["Content-Type"] == content_type
    assert b"".join(download.streaming_content) == data


@pytest.mark.parametrize(("name", "data", "message"), REFUSED)
def test_refused_files_get_a_message_and_nothing_is_written(
    client, office, private_storage, name, data, message
):
    client.force_login(office)
    response = client.post(reverse("documents:create"), _form(file=SimpleUploadedFile(name, data)))
    assert response.status_code == 400
    assert said(response, message)
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert not private_storage.exists() or not any(p.is_file() for p in private_storage.rglob("*"))


def test_empty_and_oversized_files_are_refused_with_a_message(client, office, settings, private_storage):
    client.force_login(office)
    response = client.post(reverse("documents:create"), _form(file=SimpleUploadedFile("vuoto.pdf", b"")))
    assert response.status_code == 400
    assert said(response, "The submitted file is empty.")
    settings.DOCUMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("grande.pdf", simple_pdf("Grande", ["x" * 80] * 40))
    assert big.size > 1024
    response = client.post(reverse("documents:create"), _form(file=big))
    assert response.status_code == 400
    assert said(
        response,
        "“%(name)s” is too large (%(size)s MB): the limit is %(limit)s MB.",
        name="grande.pdf",
        size=f"{big.size / 1024 / 1024:.1f}",
        limit="0",
    )
    assert not Document.objects.exists()


def test_the_service_refuses_an_empty_file_too(office):
    from django.core.exceptions import ValidationError

    from cittasmart.documents import services

    with pytest.raises(ValidationError) as caught:
        services.document_create(
            actor=office,
            file=SimpleUploadedFile("vuoto.pdf", b""),
            title="Vuoto",
            category=DocumentCategory.objects.first(),
        )
    assert "file" in caught.value.message_dict
    assert not Document.objects.exists()


def test_a_new_version_becomes_the_download_and_the_old_one_stays(client, office, make_document):
    document = make_document(title="Nota di aggiornamento")
    client.force_login(office)
    url = reverse("documents:version_create", kwargs={"pk": document.pk})
    new = pdf("nota-2021.pdf", "Nota di aggiornamento 2021")
    response = client.post(url, {"file": new, "note": "Dati al 2021"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.current_version.number == 2
    assert document.current_version.note == "Dati al 2021"
    latest = b"".join(client.get(reverse("documents:download", kwargs={"pk": document.pk})).streaming_content)
    assert b"2021" in latest
    first = client.get(reverse("documents:download_version", kwargs={"pk": document.pk, "number": 1}))
    assert b"2021" not in b"".join(first.streaming_content)
    page = client.get(document.get_absolute_url()).content.decode()
    assert "nota-2021.pdf" in page and "Dati al 2021" in page


def test_a_refused_new_version_keeps_the_current_one(client, office, make_document):
    document = make_document()
    client.force_login(office)
    response = client.post(
        reverse("documents:version_create", kwargs={"pk": document.pk}),
        {"file": SimpleUploadedFile("x.pdf", b"<html></html>")},
    )
    assert response.status_code == 400
    document.refresh_from_db()
    assert document.current_version.number == 1
    assert document.versions.count() == 1


def test_a_document_for_members_needs_an_organisation_or_a_group(client, office):
    client.force_login(office)
    response = client.post(reverse("documents:create"), _form(access=AccessLevel.MEMBERS, file=pdf()))
    assert response.status_code == 400
    assert said(
        response, "Choose at least one organisation or group of readers for a document reserved to members."
    )
    assert not Document.objects.exists()


def test_only_the_plan_office_manages_documents(client, user, make_document):
    document = make_document()
    urls = [
        reverse("documents:create"),
        reverse("documents:edit", kwargs={"pk": document.pk}),
        reverse("documents:version_create", kwargs={"pk": document.pk}),
        reverse("documents:download_log", kwargs={"pk": document.pk}),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(user)
    for url in urls:
        assert client.get(url).status_code == 403
    response = client.post(urls[0], _form(file=pdf()))
    assert response.status_code == 403
    assert Document.objects.count() == 1


def test_bad_form_values_never_give_a_500(client, office):
    client.force_login(office)
    response = client.post(
        reverse("documents:create"),
        _form(title="x" * 5000, category="nope", date="31/31/2021", access="everyone", file=pdf()),
    )
    assert response.status_code == 400
    assert not Document.objects.exists()


@pytest.mark.parametrize("key", [str(10**30), str(2**63), "-" + str(2**63 + 1)])
def test_an_organisation_key_beyond_the_integers_of_the_database_is_a_form_error(client, office, key):
    # SQLite raised OverflowError (a server error) on the ``IN (…)`` query that checks the chosen keys.
    client.force_login(office)

    response = client.post(
        reverse("documents:create"), _form(access=AccessLevel.MEMBERS, organisations=[key], file=pdf())
    )

    assert response.status_code == 400
    assert response.context["form"].errors["organisations"]
    assert not Document.objects.exists()
