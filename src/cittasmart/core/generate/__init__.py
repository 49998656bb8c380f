"""A deterministic bulk generator of realistic data, for the load benchmarks and the tests (``generate_data``).

The amounts come from ``scales.SCALES``; everything random is drawn from streams seeded by ``seed``, and every date
is placed from one anchor day (by default today): the same seed and anchor give the same rows. The data respects the
constraints and invariants the services keep — one support per person and idea, ideas only in collecting phases,
seats and waitlists in queue order, counters equal to the rows — and is written in bulk, in one transaction.

Generated rows are marked as demo content (``is_demo``) where the models have the flag, accounts are
``utente000001@example.org``… with the password ``accounts.PASSWORD``; the first three accounts are the plan
office, a moderator and a facilitator. The generator runs on a migrated database, with or without the Prato demo;
it refuses a database that already holds generated data.

Like the demo loader, this is a tool on top of the apps, so it is the one part of ``core`` that writes every app's
tables (directly, in bulk: the services would take hours for a million supports).
"""

import datetime
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.utils import timezone

from cittasmart.core import pagecache
from cittasmart.core.generate import accounts, meetings, participation, plan, stakeholders, survey
from cittasmart.core.generate.base import Clock, Context, Progress, Writer
from cittasmart.core.generate.scales import SCALES, Scale

DEFAULT_SEED = 1

PARTS = [
    ("accounts", accounts.generate),
    ("stakeholders", stakeholders.generate),
    ("survey", survey.generate),
    ("plan", plan.generate),
    ("participation", participation.generate),
    ("meetings", meetings.generate),
]

# The rows the scale table counts, and the model that holds them.
HEADLINE = {
    "users": "accounts.User",
    "ideas": "participation.Idea",
    "supports": "participation.Support",
    "comments": "participation.Comment",
    "survey_records": "survey.SurveyRecord",
    "actions": "plan.Action",
    "measurements": "plan.Measurement",
    "meetings": "meetings.Meeting",
    "registrations": "meetings.Registration",
}


class AlreadyGenerated(Exception):
    """The database already holds generated data."""


@dataclass
class Result:
    scale: Scale
    seed: int
    anchor: datetime.date
    method: str
    rows: Counter = field(default_factory=Counter)
    timings: list[tuple[str, float]] = field(default_factory=list)
    seconds: float = 0.0


def already_generated(using: str = "default") -> bool:
    return accounts.generated_users().using(using).filter(email=accounts.email_of(1)).exists()


def generate(
    *,
    scale: str | Scale,
    seed: int = DEFAULT_SEED,
    anchor: datetime.date | None = None,
    using: str = "default",
    method: str = "auto",
    progress: Progress | None = None,
    analyze: bool = True,
) -> Result:
    """Generate the data of ``scale`` ("S", "M", "L" or a ``Scale``) in one transaction; returns what was written."""
    scale = SCALES[scale] if isinstance(scale, str) else scale
    anchor = anchor or timezone.localdate()
    writer = Writer(using=using, method=method)
    context = Context(
        scale=scale, seed=seed, clock=Clock(anchor), writer=writer, progress=progress or Progress()
    )
    result = Result(scale=scale, seed=seed, anchor=anchor, method=writer.method)
    started = time.monotonic()
    with transaction.atomic(using=using):
        if already_generated(using):
            raise AlreadyGenerated
        for name, part in PARTS:
            part_started = time.monotonic()
            part(context)
            result.timings.append((name, time.monotonic() - part_started))
        writer.finish()
        # COPY goes around the page cache's watch of the SQL that writes: say which apps' pages are out of date.
        apps = sorted({label.split(".")[0] for label in writer.rows})
        transaction.on_commit(lambda: pagecache.bump(*apps), using=using)
        part_started = time.monotonic()
    # On PostgreSQL the foreign keys are checked at the commit.
    result.timings.append(("commit", time.monotonic() - part_started))
    connection = connections[using]
    if analyze and connection.vendor == "postgresql":
        # Fresh statistics, so that the first queries on the new rows get good plans; outside a transaction also
        # the visibility map (index-only scans) and the hint bits, so that the first reads do not write.
        part_started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        result.timings.append(("vacuum/analyze", time.monotonic() - part_started))
    result.rows = writer.rows
    result.seconds = time.monotonic() - started
    return result
