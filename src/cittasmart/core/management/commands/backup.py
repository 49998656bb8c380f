from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cittasmart.core import backup


class Command(BaseCommand):
    help = (
        "Write one archive (tar) with the database dump, the stored files (MEDIA_ROOT, PRIVATE_MEDIA_ROOT) and a "
        "manifest of row counts, table checksums and file hashes. The archive holds personal data: keep it "
        "encrypted and within the retention period (see docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="PATH",
            help=(
                "The archive to write, or a folder to write it into with the default name "
                "(cittasmart-backup-<UTC time>.tar). Default: the folder backups/ in VAR_DIR."
            ),
        )

    def handle(self, *args, output: str | None = None, verbosity: int = 1, **options):
        log = self.stdout.write if verbosity >= 1 else None
        try:
            result = backup.create_backup(Path(output) if output else None, log=log or backup.quiet)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = result.manifest
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {result.path} ({backup.human_size(result.size)}: {len(manifest['tables'])} tables, "
                f"{rows} rows, {len(manifest['files'])} files)."
            )
        )
