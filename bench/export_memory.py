"""Memory and time of a large open-data export: the ``measurements`` CSV streamed through the exporter.

Not run by the tests. It needs PostgreSQL (server-side cursors are what keep the memory flat):

    createdb -h 127.0.0.1 -U postgres cittasmart_bench_export
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cittasmart_bench_export \\
        .venv/bin/python bench/export_memory.py --rows 200000 [--tracemalloc] [--keep]

It migrates the database, creates a plan with one published version, one indicator and ``--rows`` measurements
(``bulk_create``, in a separate process; the plan's title carries a marker), streams ``exports.csv_lines`` of the ``measurements``
dataset into /dev/null, and prints a Markdown table: rows, seconds, peak RSS before and after (``ru_maxrss``),
and with ``--tracemalloc`` the peak of Python allocations during the export. At the end it deletes what it
created (unless ``--keep``), and anything left by an earlier interrupted run.
"""

import argparse
import datetime
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cittasmart.config.settings")

MARKER = "[bench export_memory]"
BATCH = 5000


def rss_mib() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def clean_up() -> None:
    from cittasmart.plan.models import Measurement, Plan

    plans = Plan.objects.filter(title__startswith=MARKER)
    Measurement.objects.filter(indicator__version__plan__in=plans).delete()
    for plan in plans:
        plan.versions.all().delete()
        plan.delete()


def create(rows: int) -> None:
    from django.db import transaction

    from cittasmart.plan.models import Indicator, Measurement, Plan, PlanVersion

    with transaction.atomic():
        plan = Plan.objects.create(title=f"{MARKER} {datetime.datetime.now():%Y-%m-%d %H:%M}")
        version = PlanVersion.objects.create(
            plan=plan, number=1, slug=f"bench-{plan.pk}", kind="guidelines", title=f"{MARKER} version"
        )
        indicator = Indicator.objects.create(
            version=version, code="BENCH-1", name=f"{MARKER} indicator", unit="km", logic_type="output"
        )
        made = 0
        while made < rows:
            size = min(BATCH, rows - made)
            Measurement.objects.bulk_create(
                Measurement(
                    indicator=indicator,
                    period=f"P{made + n}",
                    period_end=datetime.date(2020, 12, 31),
                    value=Decimal(made + n) / 4,
                    source="Istat" if n % 100 else '=HYPERLINK("x")',
                    note=f'Note, with "quotes" {made + n}',
                )
                for n in range(size)
            )
            made += size
        # Published directly, as the tests' factories do (children can only be written into drafts).
        PlanVersion.objects.filter(pk=version.pk).update(
            status="published", published_on=datetime.date(2017, 7, 21)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--tracemalloc", action="store_true", help="also measure Python allocations (slower)")
    parser.add_argument("--keep", action="store_true", help="keep the rows created for the benchmark")
    parser.add_argument("--create-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from cittasmart.opendata import exports
    from cittasmart.opendata.datasets import dataset_get

    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL=postgres://…")
    if args.create_only:
        call_command("migrate", verbosity=0)
        clean_up()
        create(args.rows)
        return

    # Migrations and rows are made by another process, so that this one's peak RSS measures the export alone.
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--create-only", "--rows", str(args.rows)], check=True)
    created_seconds = time.perf_counter() - started
    dataset = dataset_get("measurements")
    total = dataset.queryset().count()

    rss_before = rss_mib()
    if args.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    lines = 0
    size = 0
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for piece in exports.batched(exports.csv_lines(dataset, dataset.iter_rows())):
            sink.write(piece)
            lines += piece.count("\n")
            size += len(piece.encode("utf-8"))
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024) if args.tracemalloc else None
    if args.tracemalloc:
        tracemalloc.stop()
    rss_after = rss_mib()

    if not args.keep:
        clean_up()

    print(f"Export of the `measurements` CSV ({connection.vendor}, {connection.settings_dict['NAME']})\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| rows in the dataset | {total:,} |")
    print(f"| CSV lines written (with the header) | {lines:,} |")
    print(f"| CSV size | {size / (1024 * 1024):.1f} MiB |")
    print(f"| rows created in | {created_seconds:.1f} s |")
    print(f"| export time | {seconds:.1f} s ({total / seconds:,.0f} rows/s) |")
    print(f"| peak RSS before the export | {rss_before:.1f} MiB |")
    print(f"| peak RSS after the export | {rss_after:.1f} MiB (+{rss_after - rss_before:.1f}) |")
    if traced_peak is not None:
        print(f"| tracemalloc peak during the export | {traced_peak:.1f} MiB |")


if __name__ == "__main__":
    main()
