"""The one column layout of survey records in CSV and XLSX files, shared by the import and the export.

Headers are stable English snake_case identifiers (they do not change with the interface language). A record's
round is implied by where the file is imported or exported. Lists inside a cell are separated by ``|``
(``\\|`` is a literal bar and ``\\\\`` a literal backslash); the parts of a partner or of a funding source are
separated by ``:``.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) as a
formula. The export neutralises such text cells by prefixing a single quote and the import removes that prefix,
so export → import gives back exactly what was exported.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cittasmart.core.ambiti import Ambito
from cittasmart.core.spreadsheet import QUOTE, neutralise, unneutralise  # noqa: F401 - re-exported for the importer
from cittasmart.survey.models import FundingType, PartnerRole, RecordKind, RecordStatus, Visibility

LIST_SEPARATOR = "|"
PART_SEPARATOR = ":"
AUDIENCES = ("citizens", "businesses", "schools", "internal")


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: Promise | str
    example: str = ""
    values: tuple[str, ...] = ()

    def help_text(self) -> str:
        """The explanation in the active language, with the allowed values filled in."""
        return str(self.help) % {"values": ", ".join(self.values)} if self.values else str(self.help)


COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        False,
        _("Identifier of the record on the platform. Written by the export; ignored by the import."),
        "1532",
    ),
    Column(
        "owner",
        True,
        _(
            "The organisation that owns the record: its name as registered on the platform "
            "(upper or lower case does not matter) or its IPA code."
        ),
        "Comune di Prato",
    ),
    Column("kind", True, _("One of: %(values)s."), "project", values=tuple(RecordKind.values)),
    Column("title", True, _("Up to 250 characters."), "Smart parking in the city centre"),
    Column("description", False, _("Free text, may span several lines."), ""),
    Column(
        "reference_ambito",
        True,
        _("The reference domain (ambito), one of: %(values)s."),
        "mobility",
        values=tuple(Ambito.values),
    ),
    Column(
        "impact_ambiti",
        False,
        _("Other domains the record has an impact on, separated by “|”."),
        "environment|ict",
    ),
    Column(
        "audience",
        False,
        _("Who it is for, separated by “|”: %(values)s."),
        "citizens|businesses",
        values=tuple(AUDIENCES),
    ),
    Column("status", True, _("One of: %(values)s."), "in_progress", values=tuple(RecordStatus.values)),
    Column(
        "planned_start", False, _("A date, written YYYY-MM-DD (DD/MM/YYYY is accepted too)."), "2021-03-01"
    ),
    Column("planned_end", False, _("A date, as above; not before the planned start."), "2022-12-31"),
    Column("actual_start", False, _("A date, as above."), "2021-04-15"),
    Column("actual_end", False, _("A date, as above; not before the actual start."), ""),
    Column(
        "budget",
        False,
        _("Euro, with at most two decimals: 1234.56 and the Italian 1.234,56 are both accepted."),
        "1.250.000,00",
    ),
    Column("cup", False, _("The CUP: 15 letters and digits, starting with a letter."), "H51B17000110007"),
    Column(
        "latitude",
        False,
        _("Decimal degrees (rounded to 6 decimals); give both latitude and longitude or neither."),
        "43.880532",
    ),
    Column("longitude", False, _("Decimal degrees, as above."), "11.096588"),
    Column("links", False, _("Web addresses, separated by “|”."), "https://www.comune.prato.it/"),
    Column(
        "visibility",
        False,
        _("One of: %(values)s; public when empty."),
        "public",
        values=tuple(Visibility.values),
    ),
    Column(
        "partners",
        False,
        _(
            "Partners written as name:role and separated by “|”; the role is one of: %(values)s. "
            "A name that matches a registered organisation is linked to it."
        ),
        "PIN s.c.r.l.:partner|Estra S.p.A.:supplier",
        values=tuple(PartnerRole.values),
    ),
    Column(
        "funding",
        False,
        _(
            "Funding sources written as type:programme:amount and separated by “|”; the type is one of: "
            "%(values)s. Programme and amount may be empty."
        ),
        "eu:POR FESR 2014-2020:150000|own::50000",
        values=tuple(FundingType.values),
    ),
    Column(
        "update_of",
        False,
        _("The id of the record of an earlier round that this record updates, or empty."),
        "",
    ),
)

HEADERS: tuple[str, ...] = tuple(column.name for column in COLUMNS)
REQUIRED_HEADERS: tuple[str, ...] = tuple(column.name for column in COLUMNS if column.required)
IGNORED_ON_IMPORT = frozenset({"id"})


# --- Formula neutralisation -----------------------------------------------------------------------------


# --- Lists in a cell ------------------------------------------------------------------------------------


def _escape(item: str) -> str:
    return item.replace("\\", "\\\\").replace(LIST_SEPARATOR, "\\" + LIST_SEPARATOR)


def join_list(items) -> str:
    return LIST_SEPARATOR.join(_escape(str(item)) for item in items)


def split_list(value: str) -> list[str]:
    """Split on unescaped bars; ``\\|`` and ``\\\\`` are unescaped, any other backslash is kept as it is.

    Items are stripped and empty items dropped."""
    items: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value) and value[i + 1] in ("\\", LIST_SEPARATOR):
            current.append(value[i + 1])
            i += 2
            continue
        if char == LIST_SEPARATOR:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


# --- Record → row ---------------------------------------------------------------------------------------


def _decimal(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def normalise_newlines(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


def record_row(record) -> dict[str, Any]:
    """The cells of one record, typed: str, int, date, Decimal or None (each writer formats them).

    Expects ``owner``, ``impacts``, ``partners`` (with ``organisation``) and ``funding`` to be loaded."""
    partners = [
        f"{partner.organisation.name if partner.organisation_id else partner.name}{PART_SEPARATOR}{partner.role}"
        for partner in record.partners.all()
    ]
    funding = [
        PART_SEPARATOR.join((source.type, source.programme, _decimal(source.amount)))
        for source in record.funding.all()
    ]
    return {
        "id": record.pk,
        "owner": record.owner.name,
        "kind": record.kind,
        "title": record.title,
        "description": normalise_newlines(record.description),
        "reference_ambito": record.reference_ambito,
        "impact_ambiti": join_list(sorted(impact.ambito for impact in record.impacts.all())),
        "audience": join_list(a for a in AUDIENCES if getattr(record, f"audience_{a}")),
        "status": record.status,
        "planned_start": record.planned_start,
        "planned_end": record.planned_end,
        "actual_start": record.actual_start,
        "actual_end": record.actual_end,
        "budget": record.budget,
        "cup": record.cup,
        "latitude": record.latitude,
        "longitude": record.longitude,
        "links": join_list(record.link_list),
        "visibility": record.visibility,
        "partners": join_list(partners),
        "funding": join_list(funding),
        "update_of": record.update_of_id,
    }


def text_cell(value: Any) -> str:
    """A cell as CSV text: ISO dates, plain decimals, neutralised strings."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))
