"""Keyset (cursor) pagination: a deep page costs the same as the first one, unlike OFFSET.

The ordering is a list of ``(field, descending)`` pairs ending with a unique field (the primary key); the cursor
is the last row's values of those fields, encoded in an opaque URL-safe string.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

Ordering = list[tuple[str, bool]]


@dataclass
class CursorPage:
    items: list
    next_cursor: str
    is_first: bool

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)


def _encode(values: list) -> str:
    plain = [
        v.isoformat() if hasattr(v, "isoformat") else (str(v) if isinstance(v, Decimal) else v)
        for v in values
    ]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != size:
        return None
    if any(not isinstance(v, str | int | float) or isinstance(v, bool) for v in values):
        return None
    return values


def _after(ordering: Ordering, values: list) -> Q:
    """Rows strictly after ``values`` in ``ordering``: (a > x) or (a = x and b > y) or …"""
    condition = Q()
    for index, (field, descending) in enumerate(ordering):
        value = values[index]
        if isinstance(value, str) and field.endswith(("_at", "_on")):
            value = parse_datetime(value) or value
        step = Q(**{f"{field}__{'lt' if descending else 'gt'}": value})
        for previous_field, _desc in ordering[:index]:
            previous = values[ordering.index((previous_field, _desc))]
            if isinstance(previous, str) and previous_field.endswith(("_at", "_on")):
                previous = parse_datetime(previous) or previous
            step &= Q(**{previous_field: previous})
        condition |= step
    return condition


def keyset_page(queryset: QuerySet, *, ordering: Ordering, cursor: str = "", size: int = 20) -> CursorPage:
    """One page of ``queryset`` in ``ordering`` after ``cursor`` (the first page for an empty or invalid one)."""
    order_by = [f"-{field}" if descending else field for field, descending in ordering]
    queryset = queryset.order_by(*order_by)
    values = _decode(cursor, len(ordering)) if cursor else None
    if values is not None:
        try:
            queryset = queryset.filter(_after(ordering, values))
        except (ValueError, TypeError, ValidationError, OverflowError):
            values = None  # a tampered cursor: start again from the first page
    rows = list(queryset[: size + 1])
    next_cursor = ""
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _encode([_value(last, field) for field, _desc in ordering])
    return CursorPage(items=rows, next_cursor=next_cursor, is_first=values is None)


def _value(obj, field: str):
    for part in field.split("__"):
        obj = getattr(obj, part)
    return obj
