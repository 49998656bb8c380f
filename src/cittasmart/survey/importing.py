"""Import survey records from CSV or XLSX files (surveys already done in spreadsheets).

Two steps, both all-or-nothing:

1. :func:`check_file` reads the file and checks every row without writing anything: the result holds the rows
   that would be created and, for each wrong cell, the row number as a person counts rows in the spreadsheet
   (the header is row 1), the column and a translated reason.
2. :func:`commit_rows` writes the rows in one transaction through ``services.record_save``.

The web flow keeps the uploaded file in an :class:`~cittasmart.survey.models.ImportJob` between the preview and
the confirmation (``job_create`` → ``job_confirm`` → ``job_run``); large files are imported by a background task
and report their progress. The ``import_survey_records`` management command uses the same functions.
"""

import csv
import io
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cittasmart.core.ambiti import Ambito
from cittasmart.core.audit import log_action
from cittasmart.core.validators import parse_positive_int
from cittasmart.stakeholders.models import Organisation
from cittasmart.survey import services, tabular
from cittasmart.survey.models import (
    FundingSource,
    FundingType,
    ImportFormat,
    ImportJob,
    ImportJobStatus,
    PartnerRole,
    RecordKind,
    RecordPartner,
    RecordStatus,
    SurveyRecord,
    SurveyRound,
    Visibility,
)
from cittasmart.survey.validators import normalise_cup

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# Blank rows do not count against MAX_ROWS, but reading stops here whatever they hold.
MAX_RAW_ROWS = 5 * MAX_ROWS
# An XLSX file is a zip: refuse one that would unpack to more than this (a "zip bomb").
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
# Files with more rows than this are imported by a background task, with a progress bar.
BACKGROUND_THRESHOLD = 500
MAX_ERRORS = 1000
PREVIEW_ROWS = 100
STALE_PREVIEW = timedelta(days=1)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class ImportFileError(Exception):
    """The file as a whole cannot be imported (format, encoding, size, columns): nothing is written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


class RowsInvalid(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass
class ParsedRow:
    row: int
    owner: Organisation
    fields: dict[str, Any]
    impact_ambiti: list[str]
    partners: list[dict[str, Any]]
    funding: list[dict[str, Any]]


@dataclass
class CheckResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def counts(self) -> dict[str, int]:
        counter = Counter(row.fields["kind"] for row in self.rows)
        return {kind: counter.get(kind, 0) for kind in RecordKind.values}

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)


# --- Reading the file -----------------------------------------------------------------------------------


def detect_format(content: bytes) -> str:
    """CSV or XLSX, from the content (never from the file name)."""
    if not content or not content.strip():
        raise ImportFileError(_("The file is empty."))
    if content.startswith(OLE_MAGIC):
        raise ImportFileError(
            _("This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as CSV UTF-8.")
        )
    if content.startswith(ZIP_MAGIC):
        return ImportFormat.XLSX
    return ImportFormat.CSV


def _decode_csv(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _(
                "The file is not in the UTF-8 encoding (perhaps it is not a CSV file at all). In your spreadsheet "
                "program save it as “CSV UTF-8” or as an Excel workbook (.xlsx), then upload it again."
            )
        ) from None
    if "\x00" in text:
        raise ImportFileError(
            _(
                "This does not look like a CSV file: it contains binary data. Upload a CSV (UTF-8) or XLSX file."
            )
        )
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    return text


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    text = _decode_csv(content)
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to Italian save CSV files with semicolons.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file cannot be read near row %(row)d: %(reason)s.")
            % {"row": reader.line_num, "reason": exc}
        ) from None


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFileError(_("The file looks like an Excel workbook but it is damaged.")) from None
    if "xl/workbook.xml" not in names:
        raise ImportFileError(
            _("This is not an Excel workbook (.xlsx). Save the sheet as .xlsx or as CSV UTF-8.")
        )
    if unpacked > MAX_UNZIPPED_BYTES:
        raise ImportFileError(_("The workbook is too large once unpacked. Split it into smaller files."))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on damaged files
        logger.info("Unreadable XLSX upload", exc_info=True)
        raise ImportFileError(_("The Excel workbook cannot be read: it may be damaged.")) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The file is empty."))
        try:
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                yield list(row)
        except ImportFileError:
            raise
        except Exception:
            logger.info("Unreadable XLSX sheet", exc_info=True)
            raise ImportFileError(_("The Excel workbook cannot be read: it may be damaged.")) from None
    finally:
        workbook.close()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_name(value: Any) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"[\s\-]+", "_", text.replace("\ufeff", "").strip().lower())


def read_table(content: bytes, fmt: str) -> tuple[dict[int, str], Iterator[tuple[int, list[Any]]]]:
    """The header (cell index → column name) and an iterator of (row number, cells) for the data rows.

    Checks the columns: unknown, repeated and missing required columns are errors of the whole file."""
    rows = _xlsx_rows(content) if fmt == ImportFormat.XLSX else _csv_rows(content)
    header_cells = next(rows, None)
    if header_cells is None or all(_is_blank(value) for value in header_cells):
        raise ImportFileError(
            _("The file is empty.")
            if header_cells is None
            else _("The first row must hold the column names (for example owner, kind, title).")
        )
    header = {i: _header_name(value) for i, value in enumerate(header_cells) if not _is_blank(value)}
    names = list(header.values())
    unknown = [name for name in names if name not in tabular.HEADERS]
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(unknown)s. The columns are: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(tabular.HEADERS)}
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ImportFileError(_("Repeated columns: %(columns)s.") % {"columns": ", ".join(repeated)})
    missing = [name for name in tabular.REQUIRED_HEADERS if name not in names]
    if missing:
        raise ImportFileError(_("Missing required columns: %(columns)s.") % {"columns": ", ".join(missing)})

    def data_rows() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in enumerate(rows, start=2):
            if number > MAX_RAW_ROWS:
                raise ImportFileError(_too_many_rows())
            yield number, list(cells)

    return header, data_rows()


def _too_many_rows() -> str:
    return ngettext(
        "The file has more than %(limit)d row: split it into smaller files.",
        "The file has more than %(limit)d rows: split it into smaller files.",
        MAX_ROWS,
    ) % {"limit": MAX_ROWS}


def check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is too large (%(size)s MB): the limit is %(limit)d MB. Split it into smaller files.")
            % {"size": f"{size / 1024 / 1024:.1f}", "limit": MAX_FILE_BYTES // (1024 * 1024)}
        )


# --- Reading cells --------------------------------------------------------------------------------------


class CellError(ValueError):
    pass


def _text(value: Any) -> str:
    """A cell as text: stripped, with the formula neutralisation removed and newlines normalised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    return tabular.normalise_newlines(tabular.unneutralise(str(value).strip()))


_DMY_RE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    match = _DMY_RE.fullmatch(text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise CellError(
        _("“%(value)s” is not a date: write it as YYYY-MM-DD (for example 2021-03-31).") % {"value": text}
    )


_NUMBER_RE = re.compile(r"[+-]?[0-9.,]+")


def _number(value: Any, *, places: int | None = None) -> Decimal | None:
    """A number written 1234.56, 1,234.56 or the Italian 1.234,56 (also 1234,56); XLSX numbers as they are.

    ``places``: round a value read as a spreadsheet number to this many decimals when the difference is
    only binary floating-point noise."""
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
        if not number.is_finite():
            raise CellError(_("“%(value)s” is not a number.") % {"value": value})
        if places is not None:
            try:
                rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
            except InvalidOperation:  # too large for any amount: the model's checks say so
                return number
            if abs(rounded - number) < Decimal("0.000001"):
                number = rounded
        return number
    text = _text(value).lstrip("'")
    if not text:
        return None
    bad = CellError(
        _("“%(value)s” is not a number: write it as 1234.56 or 1.234,56.") % {"value": _text(value)}
    )
    text = re.sub(r"[\s\u00a0\u202f€]", "", text)
    if not _NUMBER_RE.fullmatch(text):
        raise bad
    sign = ""
    if text[0] in "+-":
        sign, text = text[0], text[1:]
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
    elif text.count(",") > 1 or text.count(".") > 1:
        decimal_mark, thousands = "", ("," if "," in text else ".")
    else:
        decimal_mark, thousands = ("," if "," in text else "."), ""
    integer, sep, fraction = text.partition(decimal_mark) if decimal_mark else (text, "", "")
    if sep and not fraction.isdigit():
        raise bad
    if thousands:
        if not re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})+", integer):
            raise bad
        integer = integer.replace(thousands, "")
    if not integer.isdigit():
        raise bad
    try:
        return Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")
    except InvalidOperation:
        raise bad from None


def _coordinate(value: Any) -> Decimal | None:
    """Decimal degrees, rounded to the 6 decimals the database keeps (about 10 cm)."""
    number = _number(value)
    if number is None:
        return None
    try:
        return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # far too many digits to be a coordinate
        raise CellError(
            _("“%(value)s” is not a coordinate: write decimal degrees, for example 43.880532.")
            % {"value": _text(value)}
        ) from None


def _choice(value: Any, choices: list[str], message: str) -> str:
    """One of ``choices`` (upper/lower case, spaces and hyphens do not matter); ``message`` says what is wrong."""
    text = _text(value)
    key = re.sub(r"[\s\-]+", "_", text.lower())
    if key in choices:
        return key
    raise CellError(message % {"value": text, "choices": ", ".join(choices)})


def _unknown_kind() -> str:
    return _("Unknown kind “%(value)s”: use one of %(choices)s.")


def _unknown_ambito() -> str:
    return _("Unknown domain (ambito) “%(value)s”: use one of %(choices)s.")


def _unknown_audience() -> str:
    return _("Unknown audience “%(value)s”: use one of %(choices)s.")


def _unknown_status() -> str:
    return _("Unknown status “%(value)s”: use one of %(choices)s.")


def _unknown_visibility() -> str:
    return _("Unknown visibility “%(value)s”: use one of %(choices)s.")


def _error_messages(exc: ValidationError) -> dict[str, list[str]]:
    """field name → messages ("" for errors of no particular field)."""
    if hasattr(exc, "error_dict"):
        return {
            ("" if name == "__all__" else name): [str(m) for error in errors for m in error.messages]
            for name, errors in exc.error_dict.items()
        }
    return {"": [str(m) for m in exc.messages]}


def _column_of(field_name: str) -> str:
    if field_name.startswith("audience_"):
        return "audience"
    return field_name if field_name in tabular.HEADERS else ""


# --- Checking the rows ----------------------------------------------------------------------------------


class _Lookups:
    """Everything the rows refer to, loaded once per file."""

    def __init__(self, survey_round: SurveyRound, update_ids: set[int]):
        organisations = list(Organisation.objects.only("id", "name", "ipa_code"))
        # Names win over IPA codes; both are unique (names without regard to case).
        self.organisations: dict[str, Organisation] = {
            o.ipa_code.casefold(): o for o in organisations if o.ipa_code
        } | {o.name.strip().casefold(): o for o in organisations}
        self.updatable = {
            record.pk: record
            for record in SurveyRecord.objects.filter(pk__in=update_ids, round__year__lte=survey_round.year)
            .exclude(round=survey_round)
            .only("id", "round_id", "title")
        }
        self.already_updated = set(
            survey_round.records.filter(update_of_id__in=update_ids).values_list("update_of_id", flat=True)
        )

    def organisation(self, name: str) -> Organisation | None:
        return self.organisations.get(name.strip().casefold())


def _update_id(value: Any) -> int | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _text(value)
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,18}", text):
        raise CellError(_("“%(value)s” is not the id of a record.") % {"value": text})
    return int(text)


def _parse_partners(text: str, lookups: _Lookups) -> list[dict[str, Any]]:
    partners = []
    for item in tabular.split_list(text):
        name, sep, role = item.rpartition(tabular.PART_SEPARATOR)
        name, role = name.strip(), role.strip().lower()
        if not sep or not name:
            raise CellError(
                _("“%(value)s”: write each partner as name:role (for example “Comune di Prato:lead”).")
                % {"value": item}
            )
        if role not in PartnerRole.values:
            raise CellError(
                _("Unknown partner role “%(value)s”: use one of %(choices)s.")
                % {"value": role, "choices": ", ".join(PartnerRole.values)}
            )
        organisation = lookups.organisation(name)
        partner = RecordPartner(organisation=organisation, name="" if organisation else name, role=role)
        try:
            partner.clean_fields(exclude=["record", "organisation"])
        except ValidationError as exc:
            raise CellError(
                f"“{name}”: " + " ".join(m for ms in _error_messages(exc).values() for m in ms)
            ) from None
        partners.append({"organisation": organisation, "name": partner.name, "role": role})
    return partners


def _parse_funding(text: str) -> list[dict[str, Any]]:
    sources = []
    for item in tabular.split_list(text):
        parts = item.split(tabular.PART_SEPARATOR)
        kind = parts[0].strip().lower()
        programme = tabular.PART_SEPARATOR.join(parts[1:-1] if len(parts) > 2 else parts[1:]).strip()
        amount_text = parts[-1].strip() if len(parts) > 2 else ""
        if kind not in FundingType.values:
            raise CellError(
                _("Unknown funding type “%(value)s” in “%(item)s”: use one of %(choices)s.")
                % {"value": kind, "item": item, "choices": ", ".join(FundingType.values)}
            )
        amount = _number(amount_text)
        source = FundingSource(type=kind, programme=programme, amount=amount)
        try:
            source.clean_fields(exclude=["record"])
        except ValidationError as exc:
            raise CellError(
                f"“{item}”: " + " ".join(m for ms in _error_messages(exc).values() for m in ms)
            ) from None
        sources.append({"type": kind, "programme": programme, "amount": amount})
    return sources


TEXT_LIMITS = {"description": 10000, "links": 5000}


def _check_row(
    number: int, cells: dict[str, Any], survey_round: SurveyRound, lookups: _Lookups, seen_updates: set
) -> tuple[ParsedRow | None, list[RowError]]:
    errors: list[RowError] = []
    fields: dict[str, Any] = {}
    bad_fields: set[str] = set()

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))
        bad_fields.add(column)

    def run(column: str, parse: Callable[[Any], Any]) -> Any:
        try:
            return parse(cells.get(column))
        except CellError as exc:
            fail(column, str(exc))
            return None

    for column in tabular.REQUIRED_HEADERS:
        if not _text(cells.get(column)):
            fail(column, _("Missing value: this column is required."))

    owner = None
    owner_name = _text(cells.get("owner"))
    if owner_name:
        owner = lookups.organisation(owner_name)
        if owner is None:
            fail(
                "owner",
                _(
                    "Unknown organisation “%(value)s”: write its name as registered on the platform, "
                    "or its IPA code."
                )
                % {"value": owner_name},
            )

    if "kind" not in bad_fields:
        fields["kind"] = run("kind", lambda v: _choice(v, RecordKind.values, _unknown_kind()))
    if "title" not in bad_fields:
        fields["title"] = _text(cells.get("title"))
    fields["description"] = _text(cells.get("description"))
    if "reference_ambito" not in bad_fields:
        fields["reference_ambito"] = run(
            "reference_ambito", lambda v: _choice(v, Ambito.values, _unknown_ambito())
        )
    impact_ambiti = run(
        "impact_ambiti",
        lambda v: [_choice(item, Ambito.values, _unknown_ambito()) for item in tabular.split_list(_text(v))],
    )
    audience = run(
        "audience",
        lambda v: {
            _choice(item, list(tabular.AUDIENCES), _unknown_audience())
            for item in tabular.split_list(_text(v))
        },
    )
    for name in tabular.AUDIENCES:
        fields[f"audience_{name}"] = bool(audience) and name in audience
    if "status" not in bad_fields:
        fields["status"] = run("status", lambda v: _choice(v, RecordStatus.values, _unknown_status()))
    for name in ("planned_start", "planned_end", "actual_start", "actual_end"):
        fields[name] = run(name, _date)
    fields["budget"] = run("budget", lambda v: _number(v, places=2))
    fields["cup"] = normalise_cup(_text(cells.get("cup")))
    for name in ("latitude", "longitude"):
        fields[name] = run(name, _coordinate)
    fields["links"] = "\n".join(tabular.split_list(_text(cells.get("links"))))
    visibility = _text(cells.get("visibility"))
    fields["visibility"] = (
        run("visibility", lambda v: _choice(v, Visibility.values, _unknown_visibility()))
        if visibility
        else Visibility.PUBLIC
    )
    partners = run("partners", lambda v: _parse_partners(_text(v), lookups))
    funding = run("funding", lambda v: _parse_funding(_text(v)))

    update_id = run("update_of", _update_id)
    fields["update_of"] = None
    if update_id is not None:
        target = lookups.updatable.get(update_id)
        if target is None:
            fail(
                "update_of",
                _("“%(value)s” is not the id of a record of an earlier round.") % {"value": update_id},
            )
        elif update_id in lookups.already_updated:
            fail(
                "update_of",
                _("A record of this round already updates record %(value)s.") % {"value": update_id},
            )
        elif update_id in seen_updates:
            fail(
                "update_of",
                _("Another row of the file already updates record %(value)s.") % {"value": update_id},
            )
        else:
            seen_updates.add(update_id)
            fields["update_of"] = target

    for name, limit in TEXT_LIMITS.items():
        if len(fields[name]) > limit:
            fail(
                name,
                _("Too long: at most %(limit)d characters (this has %(length)d).")
                % {"limit": limit, "length": len(fields[name])},
            )

    # The model's own checks (lengths, CUP, ranges, decimals) on the fields read so far.
    record = SurveyRecord(round=survey_round, **{k: v for k, v in fields.items() if v is not None})
    model_fields = {f.name for f in SurveyRecord._meta.concrete_fields}
    checked = {name for name in fields if name in model_fields and name not in bad_fields}
    checked -= {"update_of"}
    try:
        record.clean_fields(exclude=[f for f in model_fields if f not in checked])
    except ValidationError as exc:
        for name, messages in _error_messages(exc).items():
            column = _column_of(name)
            value = _text(cells.get(column)) if column else ""
            prefix = f"“{value}”: " if value and column in ("cup", "budget", "latitude", "longitude") else ""
            for message in dict.fromkeys(messages):
                fail(column, prefix + message)

    def ordered(start: str, end: str, message: str) -> None:
        if fields.get(start) and fields.get(end) and fields[end] < fields[start]:
            fail(end, message)

    ordered("planned_start", "planned_end", _("The planned end is before the planned start."))
    ordered("actual_start", "actual_end", _("The actual end is before the actual start."))
    if not {"latitude", "longitude"} & bad_fields and (fields["latitude"] is None) != (
        fields["longitude"] is None
    ):
        fail(
            "longitude" if fields["longitude"] is None else "latitude",
            _("Give both latitude and longitude, or neither."),
        )

    if errors:
        return None, errors
    return (
        ParsedRow(
            row=number,
            owner=owner,
            fields=fields,
            impact_ambiti=impact_ambiti or [],
            partners=partners or [],
            funding=funding or [],
        ),
        [],
    )


def check_file(*, survey_round: SurveyRound, content: bytes, fmt: str | None = None) -> CheckResult:
    """Read and check every row; write nothing. File-level problems raise :class:`ImportFileError`."""
    check_size(len(content))
    fmt = fmt or detect_format(content)
    header, rows = read_table(content, fmt)
    width = max(header) + 1
    # First pass: the raw cells (the file is at most 10 MB), so that references can be loaded at once.
    raw: list[tuple[int, dict[str, Any]]] = []
    result = CheckResult()
    for number, cells in rows:
        if all(_is_blank(value) for value in cells):
            continue
        if len(raw) >= MAX_ROWS:
            raise ImportFileError(_too_many_rows())
        extra = [value for value in cells[width:] if not _is_blank(value)] + [
            cells[i] for i in range(min(width, len(cells))) if i not in header and not _is_blank(cells[i])
        ]
        if extra:
            result.add(
                RowError(
                    number, "", _("This row has values in cells that have no column name in the header.")
                )
            )
        raw.append((number, {name: cells[i] if i < len(cells) else None for i, name in header.items()}))
    if not raw:
        raise ImportFileError(_("The file has no records: it holds only the header row."))

    update_ids = set()
    for _row_number, cells in raw:
        try:
            value = _update_id(cells.get("update_of"))
        except CellError:
            continue
        if value is not None:
            update_ids.add(value)
    lookups = _Lookups(survey_round, update_ids)
    seen_updates: set[int] = set()
    for number, cells in raw:
        parsed, errors = _check_row(number, cells, survey_round, lookups, seen_updates)
        for error in errors:
            result.add(error)
        if parsed is not None:
            result.rows.append(parsed)
    return result


# --- Writing --------------------------------------------------------------------------------------------

ProgressCallback = Callable[[int, int], None]


def commit_rows(
    *,
    survey_round: SurveyRound,
    rows: list[ParsedRow],
    actor,
    filename: str = "",
    progress: ProgressCallback | None = None,
) -> dict[str, int]:
    """Create every row as a validated record, in one transaction: one error and nothing is written."""
    total = len(rows)
    counts = Counter()
    with transaction.atomic():
        for done, row in enumerate(rows, start=1):
            try:
                services.record_save(
                    actor=actor,
                    survey_round=survey_round,
                    owner=row.owner,
                    impact_ambiti=row.impact_ambiti,
                    partners=row.partners,
                    funding=row.funding,
                    is_validated=True,
                    **row.fields,
                )
            except ValidationError as exc:
                raise RowsInvalid(
                    [
                        RowError(row.row, _column_of(name), message)
                        for name, messages in _error_messages(exc).items()
                        for message in dict.fromkeys(messages)
                    ]
                ) from exc
            counts[row.fields["kind"]] += 1
            if progress is not None:
                progress(done, total)
        summary = {kind: counts.get(kind, 0) for kind in RecordKind.values}
        log_action(
            actor,
            "survey.records.imported",
            survey_round,
            {"count": total, **summary, "file": filename[:200]},
        )
    return summary


# --- Progress of background imports ---------------------------------------------------------------------


def _progress_cache():
    """Where a running import publishes how far it got.

    Not in the job's row: the import holds its rows in one open transaction, which other connections do not
    see. The configured cache when it is shared between processes (Redis in production); otherwise a small
    file cache under VAR_DIR, which the worker and the web server on the same machine both read."""
    cache = caches["default"]
    if isinstance(cache, LocMemCache):
        return FileBasedCache(str(settings.VAR_DIR / "cache" / "survey-import"), {"TIMEOUT": 24 * 3600})
    return cache


def _progress_key(job_pk: int) -> str:
    return f"survey:import:{job_pk}:progress"


class ProgressReporter:
    """Publish the count of rows written, at most about a hundred times per import."""

    def __init__(self, job: ImportJob):
        self.key = _progress_key(job.pk)
        self.cache = _progress_cache()
        self.step = max(1, job.total_rows // 100)

    def __call__(self, done: int, total: int) -> None:
        if done == total or done % self.step == 0:
            self.cache.set(self.key, done)

    def clear(self) -> None:
        self.cache.delete(self.key)


def job_progress(job: ImportJob) -> tuple[int, int]:
    """(rows written, rows in all) of an import job."""
    total = job.total_rows
    if job.status == ImportJobStatus.DONE:
        return total, total
    if job.status == ImportJobStatus.RUNNING:
        return min(int(_progress_cache().get(_progress_key(job.pk)) or 0), total), total
    return 0, total


# --- Jobs: preview, confirmation, run -------------------------------------------------------------------


def job_create(
    *, actor, survey_round: SurveyRound, filename: str, content: bytes
) -> tuple[ImportJob | None, CheckResult]:
    """Check an uploaded file; keep it in a job waiting for confirmation when every row is right."""
    ImportJob.objects.filter(
        status=ImportJobStatus.PREVIEWED, created_at__lt=timezone.now() - STALE_PREVIEW
    ).delete()
    fmt = detect_format(content)
    result = check_file(survey_round=survey_round, content=content, fmt=fmt)
    if not result.ok:
        return None, result
    job = ImportJob(
        round=survey_round,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        filename=filename[:255],
        file_format=fmt,
        content=content,
        language=translation.get_language() or "",
        total_rows=len(result.rows),
        counts=result.counts,
        preview=[
            [
                row.row,
                row.fields["kind"],
                row.fields["title"],
                row.owner.name,
                row.fields["reference_ambito"],
            ]
            for row in result.rows[:PREVIEW_ROWS]
        ],
    )
    job.full_clean()
    job.save()
    return job, result


def job_for_user(*, survey_round: SurveyRound, pk: Any, user) -> ImportJob | None:
    """A job of this round uploaded by this person; None for any other."""
    pk = parse_positive_int(pk)
    if pk is None:
        return None
    return ImportJob.objects.filter(pk=pk, round=survey_round, created_by=user).defer("content").first()


def job_confirm(*, job: ImportJob) -> ImportJob:
    """Start the import of a checked file: here and now for a small file, as a background task for a large one.

    A job starts once: a second confirmation (a double click, another tab) changes nothing."""
    background = job.total_rows > BACKGROUND_THRESHOLD
    started = ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.PREVIEWED).update(
        status=ImportJobStatus.QUEUED, updated_at=timezone.now()
    )
    if started:
        if background:
            from cittasmart.survey.tasks import import_records

            try:
                task_result = import_records.enqueue(job.pk)
            except Exception:
                logger.exception("Could not queue the import job %s", job.pk)
                _finish(
                    job.pk,
                    ImportJobStatus.FAILED,
                    message=_("The import could not be started. Try again later."),
                )
            else:
                ImportJob.objects.filter(pk=job.pk).update(task_id=str(task_result.id)[:64])
        else:
            job_run(job.pk)
    job.refresh_from_db()
    return job


def _finish(job_pk: int, status: str, **values) -> None:
    ImportJob.objects.filter(pk=job_pk).update(
        status=status, finished_at=timezone.now(), updated_at=timezone.now(), content=b"", **values
    )


def job_run(job_pk: int) -> ImportJob:
    """Import a confirmed job (in the request or in the worker). Never raises: the job records the outcome."""
    job = ImportJob.objects.select_related("round", "created_by").get(pk=job_pk)
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.QUEUED).update(
        status=ImportJobStatus.RUNNING, updated_at=timezone.now()
    )
    if not claimed:  # already run (a task delivered twice) or never confirmed
        return job
    reporter = ProgressReporter(job)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            result = check_file(survey_round=job.round, content=bytes(job.content), fmt=job.file_format)
            if not result.ok:
                raise RowsInvalid(result.errors)
            counts = commit_rows(
                survey_round=job.round,
                rows=result.rows,
                actor=job.created_by,
                filename=job.filename,
                progress=reporter,
            )
        except ImportFileError as exc:
            _finish(job.pk, ImportJobStatus.FAILED, message=exc.message)
        except RowsInvalid as exc:
            _finish(
                job.pk,
                ImportJobStatus.FAILED,
                errors=[[e.row, e.column, e.message] for e in exc.errors[:MAX_ERRORS]],
                message=_(
                    "Some rows are no longer valid (the data changed since the check). Nothing was imported."
                ),
            )
        except Exception:
            logger.exception("Import job %s failed", job.pk)
            _finish(
                job.pk,
                ImportJobStatus.FAILED,
                message=_("The import stopped because of an unexpected error. Nothing was imported."),
            )
        else:
            _finish(
                job.pk,
                ImportJobStatus.DONE,
                processed_rows=sum(counts.values()),
                counts=counts,
            )
        finally:
            reporter.clear()
    job.refresh_from_db()
    return job


def jobs_of_round(*, survey_round: SurveyRound, user, limit: int = 5):
    return (
        ImportJob.objects.filter(round=survey_round, created_by=user)
        .filter(~Q(status=ImportJobStatus.PREVIEWED))
        .defer("content", "preview", "errors")
        .order_by("-created_at", "-id")[:limit]
    )
