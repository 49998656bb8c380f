"""Validators shared by every app."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_IMAGE_BYTES = 2 * 1024 * 1024
ALLOWED_IMAGE_FORMATS = {"PNG", "JPEG", "WEBP"}


def validate_image_upload(file) -> None:
    """An image upload is at most 2 MB and is a PNG, JPEG or WebP by its content, never SVG or HTML."""
    if file is None:
        return
    size = getattr(file, "size", 0) or 0
    if size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The image is too large (%(size)s MB); the limit is 2 MB."),
            code="too_large",
            params={"size": f"{size / 1024 / 1024:.1f}"},
        )
    from PIL import Image, UnidentifiedImageError

    try:
        position = file.tell() if hasattr(file, "tell") else 0
        with Image.open(file) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("The file is not a valid image."), code="invalid_image") from exc
    finally:
        if hasattr(file, "seek"):
            file.seek(position)
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(_("Only PNG, JPEG and WebP images are accepted."), code="invalid_image_format")


def parse_positive_int(value, *, max_digits: int = 18) -> int | None:
    """The positive number written in ``value`` with the digits 0-9 (a key or a page number a form sent), or
    None for anything else. ``str.isdigit()`` is not enough: it accepts "²" or "①", which ``int()`` refuses, and
    ``int()`` refuses more than 4300 digits too; a key has no more than 18."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > max_digits:
        return None
    return int(text) or None
