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
