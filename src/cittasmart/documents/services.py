"""Every write of the document library: documents, their file versions, the download log.

A file is checked from its content (``files.detect``) before anything is written. The document row is locked while
a version is added, so two uploads at once get numbers 1, 2, 3… without a gap or a clash (the unique constraint on
(document, number) is the last guard). If the transaction fails after a file was stored, the file is removed.
"""

from collections.abc import Iterable

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cittasmart.core.audit import log_action
from cittasmart.documents import files
from cittasmart.documents.models import AccessLevel, Document, DocumentVersion, Download, ReaderGroup
from cittasmart.stakeholders.models import Organisation

MANAGE = "documents.manage"


def _require_manage(actor) -> None:
    if not rules.has_perm(MANAGE, actor):
        raise PermissionDenied(_("Only the plan office can manage the documents."))


def _check_audience(document: Document, organisations, reader_groups) -> None:
    if document.access == AccessLevel.MEMBERS and not organisations and not reader_groups:
        raise ValidationError(
            {
                "organisations": _(
                    "Choose at least one organisation or group of readers for a document reserved to members."
                )
            }
        )


def _set_audience(document: Document, organisations, reader_groups) -> None:
    if document.access == AccessLevel.MEMBERS:
        document.organisations.set(organisations)
        document.reader_groups.set(reader_groups)
    else:
        document.organisations.clear()
        document.reader_groups.clear()


@transaction.atomic
def document_create(
    *,
    actor,
    file,
    note: str = "",
    organisations: Iterable[Organisation] = (),
    reader_groups: Iterable[ReaderGroup] = (),
    **fields,
) -> Document:
    """A new document with its first file version."""
    _require_manage(actor)
    organisations, reader_groups = list(organisations), list(reader_groups)
    document = Document(created_by=actor if actor.is_authenticated else None, **fields)
    _check_audience(document, organisations, reader_groups)
    document.full_clean()
    document.save()
    _set_audience(document, organisations, reader_groups)
    log_action(actor, "documents.document.created", document, {"access": document.access})
    version_add(actor=actor, document=document, file=file, note=note, audit=False)
    return document


@transaction.atomic
def document_update(
    *,
    actor,
    document: Document,
    organisations: Iterable[Organisation] = (),
    reader_groups: Iterable[ReaderGroup] = (),
    **fields,
) -> Document:
    _require_manage(actor)
    organisations, reader_groups = list(organisations), list(reader_groups)
    document = Document.objects.select_for_update().get(pk=document.pk)
    before = document.access
    for name, value in fields.items():
        setattr(document, name, value)
    _check_audience(document, organisations, reader_groups)
    document.full_clean()
    document.save()
    _set_audience(document, organisations, reader_groups)
    log_action(actor, "documents.document.updated", document, {"access": [before, document.access]})
    return document


@transaction.atomic
def version_add(*, actor, document: Document, file, note: str = "", audit: bool = True) -> DocumentVersion:
    """Add ``file`` as the new latest version of ``document``; the earlier versions stay downloadable."""
    _require_manage(actor)
    kind = files.detect(file)
    locked = Document.objects.select_for_update().get(pk=document.pk)
    number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = DocumentVersion(
        document=locked,
        number=number,
        file_name=files.safe_name(getattr(file, "name", ""), kind),
        content_type=kind.content_type,
        size=file.size,
        sha256=files.sha256_of(file),
        note=note.strip(),
        text=files.pdf_text(file) if kind == files.PDF else "",
        uploaded_by=actor if actor.is_authenticated else None,
    )
    if audit:
        log_action(actor, "documents.version.added", locked, {"version": number})
    # The file is stored last: if saving the row fails, it is removed again (the transaction removes the row).
    version.file.save(version.file_name, file, save=False)
    try:
        version.full_clean()
        version.save()
        Document.objects.filter(pk=locked.pk).update(current_version=version)
    except Exception:
        version.file.delete(save=False)
        raise
    document.current_version = version
    return version


def download_record(*, user, version: DocumentVersion) -> Download | None:
    """Log the download of a version of a document that is not public; public downloads are not logged."""
    if version.document.access == AccessLevel.PUBLIC:
        return None
    return Download.objects.create(
        version=version, document_id=version.document_id, user=user if user.is_authenticated else None
    )
