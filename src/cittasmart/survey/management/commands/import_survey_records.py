import importlib.util
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cittasmart.survey import importing
from cittasmart.survey.models import SurveyRound


class _LineProgress:
    """A one-line progress meter on the terminal, for when tqdm is not installed."""

    def __init__(self, total: int, stream):
        self.total, self.stream, self.shown = total, stream, -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if percent != self.shown:
            self.shown = percent
            self.stream.write(f"\rImporting: {done}/{total} rows ({percent}%)")
            self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


class _TqdmProgress:
    def __init__(self, total: int, stream):
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="row", desc="Importing", file=stream)
        self.last = 0

    def __call__(self, done: int, total: int) -> None:
        self.bar.update(done - self.last)
        self.last = done

    def close(self) -> None:
        self.bar.close()


class Command(BaseCommand):
    help = (
        "Import survey records from a CSV (UTF-8) or XLSX file into a round, with the same checks as the web "
        "import: all or nothing, every row validated."
    )

    def add_arguments(self, parser):
        parser.add_argument("round_slug", help="The short name of the round in addresses.")
        parser.add_argument("file", help="The CSV or XLSX file (the columns are listed on the import page).")
        parser.add_argument("--dry-run", action="store_true", help="Check the file only; write nothing.")
        parser.add_argument(
            "--actor", metavar="EMAIL", help="The account the import is attributed to in the audit log."
        )

    def handle(
        self, *args, round_slug: str, file: str, dry_run: bool = False, actor: str | None = None, **opts
    ):
        survey_round = SurveyRound.objects.filter(slug=round_slug).first()
        if survey_round is None:
            raise CommandError(f"No round with the short name “{round_slug}”.")
        user = None
        if actor:
            user = get_user_model().objects.filter(email__iexact=actor, is_active=True).first()
            if user is None:
                raise CommandError(f"No active account with the e-mail “{actor}”.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            importing.check_size(path.stat().st_size)
            result = importing.check_file(survey_round=survey_round, content=path.read_bytes())
        except importing.ImportFileError as exc:
            raise CommandError(exc.message) from None
        if not result.ok:
            self._print_errors(result.errors, result.error_count)
            raise CommandError(f"{result.error_count} error(s) in the file: nothing was imported.")
        counts = result.counts
        summary = ", ".join(f"{kind}: {n}" for kind, n in counts.items())
        if dry_run:
            self.stdout.write(
                f"Dry run: {len(result.rows)} record(s) would be created ({summary}). Nothing was written."
            )
            return
        stream = self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr
        meter = (_TqdmProgress if importlib.util.find_spec("tqdm") else _LineProgress)(
            len(result.rows), stream
        )
        try:
            counts = importing.commit_rows(
                survey_round=survey_round, rows=result.rows, actor=user, filename=path.name, progress=meter
            )
        except importing.RowsInvalid as exc:
            meter.close()
            self._print_errors(exc.errors, len(exc.errors))
            raise CommandError("Nothing was imported.") from None
        meter.close()
        summary = ", ".join(f"{kind}: {n}" for kind, n in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"{sum(counts.values())} record(s) imported into “{survey_round.title}” ({summary})."
            )
        )

    def _print_errors(self, errors, count: int) -> None:
        for error in errors:
            column = f", {error.column}" if error.column else ""
            self.stderr.write(f"Row {error.row}{column}: {error.message}")
        if count > len(errors):
            self.stderr.write(f"…and {count - len(errors)} more.")
