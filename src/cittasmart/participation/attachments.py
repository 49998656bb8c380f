"""Attachments of ideas: images (PNG, JPEG, WebP) or PDF documents, recognised from their content, never from the
file name, and limited in size."""

from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cittasmart.core.validators import validate_image_upload
from cittasmart.participation.models import AttachmentKind

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def _head(upload, length: int = 8) -> bytes:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(length)
    upload.seek(position)
    return head


def validate_attachment(upload) -> tuple[str, str]:
    """The kind and content type of an acceptable upload; a ValidationError (on ``attachments``) otherwise."""
    size = getattr(upload, "size", 0) or 0
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            {
                "attachments": _("“%(name)s” is too large: the limit is %(limit)d MB.")
                % {"name": getattr(upload, "name", ""), "limit": limit // (1024 * 1024)}
            }
        )
    if size == 0:
        raise ValidationError(
            {"attachments": _("“%(name)s” is empty.") % {"name": getattr(upload, "name", "")}}
        )
    if _head(upload, 5) == b"%PDF-":
        return AttachmentKind.PDF, "application/pdf"
    try:
        validate_image_upload(upload)
    except ValidationError as exc:
        raise ValidationError(
            {
                "attachments": _("“%(name)s” is neither a PNG, JPEG or WebP image nor a PDF document.")
                % {"name": getattr(upload, "name", "")}
            }
        ) from exc
    from PIL import Image

    upload.seek(0)
    with Image.open(upload) as image:
        image_format = image.format
    upload.seek(0)
    return AttachmentKind.IMAGE, IMAGE_TYPES[image_format]


def store_attachments(files: Sequence, build: Callable) -> list:
    """Check every upload, then store each as the row ``build(upload, kind, content_type)`` returns (unsaved, with
    an empty file field). Nothing is stored unless every file is acceptable; if saving fails midway, the files
    already stored are removed (the caller's transaction removes the rows)."""
    checked = [(upload, *validate_attachment(upload)) for upload in files]
    stored, rows = [], []
    try:
        for upload, kind, content_type in checked:
            row = build(upload, kind, content_type)
            row.file.save("upload", upload, save=False)
            stored.append(row.file)
            row.full_clean()
            row.save()
            rows.append(row)
    except Exception:
        for file in stored:
            file.delete(save=False)
        raise
    return rows


def original_name(upload) -> str:
    return (getattr(upload, "name", "") or "file")[-200:]
