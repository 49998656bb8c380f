import datetime
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cittasmart.core import generate
from cittasmart.core.generate import accounts
from cittasmart.core.generate.base import Progress
from cittasmart.core.generate.scales import SCALES


class Command(BaseCommand):
    help = (
        "Generate realistic data in bulk for load tests: S (small, for tests), M or L (100,000 accounts, 50,000 "
        "ideas, 1,000,000 supports…; the amounts are in cittasmart/core/generate/scales.py). The same seed and "
        "anchor day give the same data. It runs on a migrated database, with or without the Prato demo, and writes "
        "everything in one transaction; it refuses a database that already holds generated data (start from a new "
        f"or flushed database). Every generated account ({accounts.email_of(1)}, {accounts.email_of(2)}…) has the "
        f"password “{accounts.PASSWORD}”; the first three are the plan office, a moderator and a facilitator."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", required=True, choices=sorted(SCALES), help="How much data (S, M or L)."
        )
        parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED, help="The random seed.")
        parser.add_argument(
            "--anchor",
            type=datetime.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="The day the data is placed around (default: today): open processes and upcoming meetings are "
            "around it, everything else before it. Give it to reproduce the data of another day.",
        )
        parser.add_argument(
            "--method",
            choices=["auto", "copy", "bulk"],
            default="auto",
            help="How rows are written: COPY (PostgreSQL only) or bulk_create; auto picks COPY on PostgreSQL.",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Generate even with PRODUCTION=1 (the generated accounts share a known password).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress meters.")

    def handle(
        self, *args, scale, seed, anchor, method, allow_production=False, no_progress=False, **options
    ):
        if settings.PRODUCTION and not allow_production:
            raise CommandError("Refusing to generate accounts with a known password in production.")
        stream = None
        if not no_progress:
            stream = self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr
        try:
            result = generate.generate(
                scale=scale, seed=seed, anchor=anchor, method=method, progress=Progress(stream)
            )
        except generate.AlreadyGenerated:
            raise CommandError(
                "This database already holds generated data: generate into a new database "
                "(or empty this one with `manage.py flush`)."
            ) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self._summary(result, scale)

    def _summary(self, result, scale_name: str) -> None:
        write = self.stdout.write
        write("")
        write(
            f"Scale {scale_name}, seed {result.seed}, anchor {result.anchor.isoformat()}, "
            f"written with {result.method}."
        )
        write("")
        write(f"{'table':<40} {'rows':>12}")
        write(f"{'-' * 40} {'-' * 12}")
        headline = set(generate.HEADLINE.values())
        for label in [*generate.HEADLINE.values(), *sorted(set(result.rows) - headline)]:
            write(f"{label:<40} {result.rows.get(label, 0):>12,}")
        write(f"{'-' * 40} {'-' * 12}")
        write(f"{'total':<40} {sum(result.rows.values()):>12,}")
        write("")
        write(f"{'part':<40} {'seconds':>12}")
        write(f"{'-' * 40} {'-' * 12}")
        for name, seconds in result.timings:
            write(f"{name:<40} {seconds:>12.1f}")
        write(f"{'total':<40} {result.seconds:>12.1f}")
        write("")
        write(
            self.style.SUCCESS(
                f"Generated data ready. Log in as {accounts.email_of(1)} (plan office), {accounts.email_of(2)} "
                f"(moderator), {accounts.email_of(3)} (facilitator), {accounts.email_of(4)}… "
                f"with the password “{accounts.PASSWORD}”."
            )
        )
