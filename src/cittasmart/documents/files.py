"""What a file of the library may be, recognised from its content and never from its name.

Accepted: PDF, OpenDocument text and spreadsheet (ODT, ODS), Word and Excel (DOCX, XLSX), CSV, PNG and JPEG.
Refused with a message saying why: empty and oversized files, HTML, SVG and other markup, programs and scripts,
office files with macros, anything else. The stored name is the original one made safe, with the extension of
the type found in the content (a CSV called "report.pdf" is stored as "report.csv").
"""

import hashlib
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str


PDF = FileKind("pdf", "application/pdf")
ODT = FileKind("odt", "application/vnd.oasis.opendocument.text")
ODS = FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet")
DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
CSV = FileKind("csv", "text/csv")
PNG = FileKind("png", "image/png")
JPEG = FileKind("jpg", "image/jpeg")

# For the file input's ``accept``: a hint to the browser only, the content decides.
ACCEPT = ".pdf,.odt,.ods,.docx,.xlsx,.csv,.png,.jpg,.jpeg"

_PROGRAM_SIGNATURES = (
    b"MZ",  # Windows programs
    b"\x7fELF",  # Linux programs
    b"\xca\xfe\xba\xbe",  # Java classes, macOS universal programs
    b"\xcf\xfa\xed\xfe",  # macOS programs
    b"\xfe\xed\xfa",
    b"#!",  # scripts
)
_MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)\b", re.IGNORECASE)
_TEXT_SAMPLE = 64 * 1024


def _read_all(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"file": message}, code=code)


def _zip_kind(data: bytes) -> FileKind:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        mimetype = archive.read("mimetype").strip() if "mimetype" in names else b""
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError) as exc:
        raise _refuse(_("The file is a damaged or unknown archive."), "invalid") from exc
    if any(name.lower().endswith("vbaproject.bin") for name in names) or any(
        name.startswith("Basic/") and name != "Basic/" for name in names
    ):
        raise _refuse(_("Office files with macros are not accepted: save the file without macros."), "macros")
    if mimetype == ODT.content_type.encode():
        return ODT
    if mimetype == ODS.content_type.encode():
        return ODS
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return XLSX
    raise _refuse(_("Archives are not accepted: upload the document itself."), "archive")


def _image_kind(upload, expected: str) -> FileKind:
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            found = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _refuse(_("The file is a damaged image."), "invalid") from exc
    finally:
        upload.seek(0)
    if found != expected:
        raise _refuse(_("The file is a damaged image."), "invalid")
    return PNG if found == "PNG" else JPEG


def _text_kind(data: bytes) -> FileKind:
    sample = data[:_TEXT_SAMPLE]
    if b"\x00" in sample:
        raise _refuse(_("This type of file is not accepted."), "unknown")
    if _MARKUP.search(sample) or sample.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        if re.search(rb"<\s*svg\b", sample, re.IGNORECASE):
            raise _refuse(
                _("SVG images are not accepted, because they can contain scripts: upload a PNG or a PDF."),
                "svg",
            )
        raise _refuse(
            _("HTML and other web pages are not accepted, whatever their name: upload a PDF instead."), "html"
        )
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the sample is fine; anything else is not UTF-8 text.
        try:
            text = sample[:-4].decode("utf-8") if len(sample) == _TEXT_SAMPLE else ""
        except UnicodeDecodeError:
            text = ""
        if not text:
            raise _refuse(
                _("Text files must be CSV encoded in UTF-8; this one is not UTF-8 text."), "encoding"
            ) from None
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()][:20]
    if not lines or not any(sep in lines[0] for sep in (",", ";", "\t")):
        raise _refuse(
            _("Of text files only CSV tables are accepted: this one has no columns separated by commas."),
            "text",
        )
    return CSV


def detect(upload) -> FileKind:
    """The kind of ``upload`` from its bytes; a ValidationError on ``file`` saying why it is refused."""
    size = getattr(upload, "size", None)
    name = getattr(upload, "name", "") or ""
    if size is None:
        size = len(_read_all(upload))
    if size == 0:
        raise _refuse(_("“%(name)s” is empty.") % {"name": name}, "empty")
    limit = settings.DOCUMENT_MAX_BYTES
    if size > limit:
        raise _refuse(
            _("“%(name)s” is too large (%(size)s MB): the limit is %(limit)s MB.")
            % {"name": name, "size": f"{size / 1024 / 1024:.1f}", "limit": f"{limit / 1024 / 1024:.0f}"},
            "too_large",
        )
    data = _read_all(upload)
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _image_kind(upload, "PNG")
    if data.startswith(b"\xff\xd8\xff"):
        return _image_kind(upload, "JPEG")
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(_PROGRAM_SIGNATURES):
        raise _refuse(_("Programs and scripts are not accepted."), "program")
    return _text_kind(data)


def safe_name(original: str, kind: FileKind) -> str:
    """The original name without its folder, accents and unsafe characters, with the extension of ``kind``."""
    base = (original or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:100] or "documento"
    return f"{stem}.{kind.extension}"


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


MAX_TEXT_PAGES = 200
MAX_TEXT_CHARS = 500_000


def pdf_text(upload) -> str:
    """The text of a PDF for the search, or "" when it has none or cannot be read (it is still accepted)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        upload.seek(0)
        reader = PdfReader(upload)
        parts, length = [], 0
        for page in reader.pages[:MAX_TEXT_PAGES]:
            text = page.extract_text() or ""
            parts.append(text)
            length += len(text)
            if length >= MAX_TEXT_CHARS:
                break
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, RecursionError, AttributeError):
        logger.info("The text of a PDF could not be read; it is kept without text for the search.")
        return ""
    finally:
        upload.seek(0)
    return " ".join(" ".join(parts).replace("\x00", " ").split())[:MAX_TEXT_CHARS]
