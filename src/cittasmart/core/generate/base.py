"""What every part of the generator shares: the seeded randomness, the clock, the bulk writer and the progress meter.

Rows are written in chunks as tuples of column values. On PostgreSQL they go through ``COPY … FROM STDIN`` (several
times faster than multi-row ``INSERT`` for the million supports); elsewhere through ``bulk_create`` with a batch
size. Rows that other rows point to get their primary keys from the generator (a block reserved after the highest
key in use), so children can be written without reading their parents back; the sequences are moved past the
block at the end.
"""

import datetime
import hashlib
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.db.models import JSONField, Max, Model

from cittasmart.core.generate.scales import Scale

BATCH_SIZE = 2_000
# Rows generated before they are handed to the database: bounds the memory of the largest tables.
CHUNK_ROWS = 20_000


# --- Randomness and time -------------------------------------------------------------------------------


def stream_rng(seed: int, stream: str, index: int = 0) -> random.Random:
    """An independent, reproducible random stream for ``stream`` (and one item of it): the same seed gives the
    same numbers whatever was drawn before, so a part of the data does not change when another part does."""
    digest = hashlib.blake2b(f"{seed}:{stream}:{index}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))  # noqa: S311 - generated data, reproducible on purpose


def between(rng: random.Random, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
    """A moment in [start, end), to the second."""
    seconds = int((end - start).total_seconds())
    if seconds <= 0:
        return start
    return start + datetime.timedelta(seconds=int(rng.random() * seconds))


def allocate(total: int, weights: Sequence[float], caps: Sequence[int]) -> list[int]:
    """Split ``total`` among items in proportion to ``weights``, never above ``caps``, summing exactly to
    ``total`` (largest remainders first; ties by position, so the result is reproducible)."""
    count = len(weights)
    result = [0] * count
    if total <= 0:
        return result
    if sum(max(c, 0) for c in caps) < total:
        raise ValueError(f"Cannot place {total} rows: there is room for only {sum(caps)}.")
    remaining = total
    while remaining:
        free = [i for i in range(count) if result[i] < caps[i] and weights[i] > 0]
        if not free:  # only zero-weight items have room left: spread evenly over them
            free = [i for i in range(count) if result[i] < caps[i]]
            weights = [1.0] * count
        whole = sum(weights[i] for i in free)
        shares = {i: remaining * weights[i] / whole for i in free}
        given = 0
        for i in free:
            take = min(int(shares[i]), caps[i] - result[i])
            result[i] += take
            given += take
        remaining -= given
        by_fraction = sorted(free, key=lambda i: (-(shares[i] - int(shares[i])), i))
        for i in by_fraction:
            if not remaining:
                break
            if result[i] < caps[i]:
                result[i] += 1
                remaining -= 1
    return result


@dataclass
class Clock:
    """The generator's fixed "now": the start of the anchor day in the site's time zone. Everything that already
    happened is before it; upcoming meetings and open phases are placed around it."""

    anchor: datetime.date
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))

    @property
    def now(self) -> datetime.datetime:
        return self.day_start(self.anchor)

    def day(self, offset: int) -> datetime.date:
        return self.anchor + datetime.timedelta(days=offset)

    def day_start(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=self.tz)

    def day_end(self, day: datetime.date) -> datetime.datetime:
        """The first moment after ``day``."""
        return self.day_start(day + datetime.timedelta(days=1))

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.tz)


# --- Progress -------------------------------------------------------------------------------------------


class _Meter:
    def __init__(self, label: str, total: int, stream):
        self.label, self.total, self.stream = label, total, stream
        self.done, self.shown, self.started = 0, -1, time.monotonic()
        self._bar = None
        # On a terminal the meter is redrawn in place; in a log, each table gets one line when it is done.
        self.live = stream is not None and getattr(stream, "isatty", lambda: False)()
        if self.live:
            try:
                from tqdm import tqdm
            except ImportError:
                self._write()
            else:
                self._bar = tqdm(total=total, desc=label, unit="row", file=stream, leave=True)

    def update(self, rows: int) -> None:
        self.done += rows
        if self._bar is not None:
            self._bar.update(rows)
        elif self.live:
            self._write()

    def _write(self) -> None:
        percent = 100 * self.done // self.total if self.total else 100
        if percent == self.shown:
            return
        self.shown = percent
        elapsed = time.monotonic() - self.started
        rate = f" {elapsed:.1f}s, {self.done / elapsed:,.0f} rows/s" if elapsed > 0.5 and self.done else ""
        start = "\r" if self.live else ""
        self.stream.write(f"{start}{self.label:<28} {self.done:>10,}/{self.total:,} ({percent:3d}%){rate}   ")
        self.stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self.stream is not None:
            self.shown = -1
            self._write()
            self.stream.write("\n")
            self.stream.flush()


class Progress:
    """tqdm-style meters, one per table, on ``stream`` (nothing when it is None)."""

    def __init__(self, stream=None):
        self.stream = stream

    def meter(self, label: str, total: int) -> _Meter:
        return _Meter(label, total, self.stream)

    @classmethod
    def to_stderr(cls) -> "Progress":
        return cls(sys.stderr)


# --- Writing --------------------------------------------------------------------------------------------


@contextmanager
def _explicit_timestamps(model: type[Model]):
    """Let ``bulk_create`` keep the dates the generator chose instead of stamping "now" on them."""
    patched = []
    for f in model._meta.concrete_fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            patched.append((f, f.auto_now, f.auto_now_add))
            f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in patched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Writer:
    """Bulk inserts of tuples, by COPY on PostgreSQL (``method="copy"``) or ``bulk_create`` (``"bulk"``)."""

    def __init__(self, *, using: str = "default", method: str = "auto", batch_size: int = BATCH_SIZE):
        self.using = using
        self.connection = connections[using]
        vendor = self.connection.vendor
        if method == "auto":
            method = "copy" if vendor == "postgresql" else "bulk"
        if method == "copy" and vendor != "postgresql":
            raise ValueError("COPY needs PostgreSQL.")
        self.method = method
        self.batch_size = batch_size
        self.rows: Counter[str] = Counter()
        self._next_id: dict[type[Model], int] = {}

    # Primary keys.

    def reserve(self, model: type[Model], count: int) -> int:
        """The first of ``count`` consecutive primary keys nobody uses (nor will: the sequence moves past them)."""
        if model not in self._next_id:
            self._next_id[model] = self._highest_id(model) + 1
        first = self._next_id[model]
        self._next_id[model] = first + count
        return first

    def _highest_id(self, model: type[Model]) -> int:
        highest = model.objects.using(self.using).aggregate(m=Max("pk"))["m"] or 0
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
                sequence = cursor.fetchone()[0]
                if sequence:
                    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
                    last, called = cursor.fetchone()
                    highest = max(highest, last if called else last - 1)
            elif self.connection.vendor == "sqlite":
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                if row:
                    highest = max(highest, row[0])
        return highest

    def finish(self) -> None:
        """Move the sequences past the keys the generator gave (SQLite's AUTOINCREMENT follows by itself)."""
        if self.connection.vendor != "postgresql":
            return
        with self.connection.cursor() as cursor:
            for model, next_id in self._next_id.items():
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                    [model._meta.db_table, model._meta.pk.column, next_id - 1],
                )

    # Rows.

    def insert(self, model: type[Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Write ``rows`` (tuples of values for the fields whose ``attname`` is in ``columns``)."""
        rows = rows if isinstance(rows, list) else list(rows)
        if not rows:
            return 0
        if self.method == "copy":
            self._copy(model, columns, rows)
        else:
            self._bulk(model, columns, rows)
        self.rows[model._meta.label] += len(rows)
        return len(rows)

    def _fields(self, model: type[Model], columns: Sequence[str]):
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        return [by_attname[name] for name in columns]

    def _copy(self, model: type[Model], columns: Sequence[str], rows: list[tuple]) -> None:
        model_fields = self._fields(model, columns)
        quote = self.connection.ops.quote_name
        sql = "COPY {} ({}) FROM STDIN".format(
            quote(model._meta.db_table), ", ".join(quote(f.column) for f in model_fields)
        )
        json_positions = [i for i, f in enumerate(model_fields) if isinstance(f, JSONField)]
        with self.connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            if json_positions:
                for row in rows:
                    row = list(row)
                    for i in json_positions:
                        row[i] = json.dumps(row[i])
                    copy.write_row(row)
            else:
                for row in rows:
                    copy.write_row(row)

    def _bulk(self, model: type[Model], columns: Sequence[str], rows: list[tuple]) -> None:
        names = [f.attname for f in self._fields(model, columns)]
        objects = [model(**dict(zip(names, row, strict=True))) for row in rows]
        with _explicit_timestamps(model):
            model.objects.using(self.using).bulk_create(objects, batch_size=self.batch_size)


# --- The shared state of one run ------------------------------------------------------------------------


@dataclass
class Context:
    """One run of the generator: its scale, seed and clock, the writer, and what earlier parts made for later ones."""

    scale: Scale
    seed: int
    clock: Clock
    writer: Writer
    progress: Progress
    # Filled in as the parts run (accounts → stakeholders → survey → plan → participation → meetings).
    shared: dict = field(default_factory=dict)

    def rng(self, stream: str, index: int = 0) -> random.Random:
        return stream_rng(self.seed, stream, index)

    def write(self, label: str, model: type[Model], columns: Sequence[str], rows: list[tuple]) -> int:
        """Write a table that fits in memory, in chunks, with a progress meter."""
        meter = self.progress.meter(label, len(rows))
        for start in range(0, len(rows), CHUNK_ROWS):
            meter.update(self.writer.insert(model, columns, rows[start : start + CHUNK_ROWS]))
        meter.close()
        return len(rows)

    def stream(self, label: str, total: int) -> "_Sink":
        """A sink for large tables generated chunk by chunk (memory stays bounded): ``sink.add(model, columns,
        rows)``; the meter counts the rows of the first model added."""
        return _Sink(self, label, total)


class _Sink:
    def __init__(self, context: Context, label: str, total: int):
        self.context, self.meter, self.main = context, context.progress.meter(label, total), None

    def add(self, model: type[Model], columns: Sequence[str], rows: list[tuple]) -> None:
        written = self.context.writer.insert(model, columns, rows)
        if self.main is None:
            self.main = model
        if model is self.main:
            self.meter.update(written)

    def close(self) -> None:
        self.meter.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
