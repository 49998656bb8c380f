"""Cells that are safe to open in a spreadsheet program (CSV/XLSX injection), for every export and import.

A text cell starting with = + - @ (or tab / carriage return) would be read as a formula: exports prefix it with a
single quote, and imports remove exactly that quote, so that an export → import round trip is lossless. Plain signed
numbers ("-12.5") are harmless and stay as they are."""

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_NUMBER_RE = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def _looks_numeric(value: str) -> bool:
    return bool(_NUMBER_RE.fullmatch(value))


def needs_quote(value: str) -> bool:
    if not value:
        return False
    if value[0] == QUOTE:
        # A value that itself starts with the quote gets one more, so that the import removes only ours.
        return needs_quote(value[1:])
    return value.startswith(FORMULA_TRIGGERS) and not _looks_numeric(value)


def neutralise(value: str) -> str:
    """Make a text cell safe to open in a spreadsheet program."""
    return QUOTE + value if needs_quote(value) else value


def unneutralise(value: str) -> str:
    """Undo :func:`neutralise` (and only it: other values stay as they are)."""
    if value.startswith(QUOTE) and needs_quote(value[1:]):
        return value[1:]
    return value


class Echo:
    """A file-like object whose ``write`` returns the line: ``csv.writer(Echo())`` then yields CSV lines one by
    one, for a generator behind a streaming response."""

    def write(self, value: str) -> str:
        return value


def xlsx_text(value: str) -> str:
    """A text cell for an XLSX file: without the control characters the format cannot hold, then neutralised.

    (Cleaning first: a value such as "\\x01=SUM(A1)" must not become a formula once the control character is
    gone.)"""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))


def xlsx_cell(value):
    """A value for an XLSX cell: text cleaned and neutralised, anything else (numbers, dates) kept typed."""
    return xlsx_text(value) if isinstance(value, str) else value
