import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cittasmart.core.roles import Role
from cittasmart.documents import services
from cittasmart.documents.demo_files import simple_pdf
from cittasmart.documents.models import AccessLevel, DocumentCategory
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """The library's files go to a folder of the test, outside the media root."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "private"


def ensure_default_categories() -> None:
    """The categories the migration creates; a test on a flushed database (after a transactional test) lacks them."""
    from django.apps import apps

    migration = importlib.import_module("cittasmart.documents.migrations.0002_default_categories")
    migration.create(apps, None)


@pytest.fixture(autouse=True)
def default_categories(db):
    ensure_default_categories()


def pdf(name: str = "documento.pdf", title: str = "Documento", lines=()) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, simple_pdf(title, list(lines)), content_type="application/pdf")


@pytest.fixture
def office(db):
    return UserFactory(roles=[Role.PLAN_OFFICE])


@pytest.fixture
def make_document(office):
    """``make_document(access=..., organisations=[...], reader_groups=[...], title=..., lines=[...])``"""

    def make(*, access=AccessLevel.PUBLIC, title="Linee attuative", lines=(), **fields):
        fields.setdefault("category", DocumentCategory.objects.get(slug="linee-attuative"))
        return services.document_create(
            actor=office, file=pdf(title=title, lines=lines), title=title, access=access, **fields
        )

    return make
