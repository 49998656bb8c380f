import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cittasmart.core import backup


class Command(BaseCommand):
    help = (
        "Restore the database and the stored files from an archive made by `backup`, then verify every table "
        "and file against the archive's manifest. With --check, only verify the archive. Stop the application "
        "servers and the task worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="The archive made by `manage.py backup`.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only verify the archive (every file against the manifest); change nothing.",
        )

    def handle(self, *args, path: str, yes: bool = False, check: bool = False, verbosity: int = 1, **options):
        log = self.stdout.write if verbosity >= 1 else backup.quiet
        archive = Path(path)
        try:
            if check:
                self._check(archive, log)
                return
            result = backup.restore_backup(
                archive, confirm=lambda manifest: yes or self._confirm(manifest), log=log
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Restored the backup of {result.manifest['created_at']}; verified.")
        )
        for name, previous in result.previous_files.items():
            self.stdout.write(
                f"The {name} files as they were before the restore are in {previous}: remove them once the restore "
                "is confirmed."
            )
        waiting, running = result.tasks["ready"], result.tasks["running"]
        if waiting or running:
            self.stdout.write(
                self.style.WARNING(
                    f"The task queue is as it was at the backup: {waiting} background task(s) waiting, which run "
                    f"when the worker starts (those that ran since the backup, e-mails among them, would run a "
                    f"second time), and {running} recorded as running, which no worker has now. Review them in "
                    "the administration (Task results, by status) before starting the worker."
                )
            )
        if result.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(result.pending_migrations)} migration(s) of this version are not applied to the restored "
                    "database: run `manage.py migrate`."
                )
            )

    def _summary(self, manifest: dict) -> str:
        rows = sum(table["rows"] for table in manifest["tables"].values())
        return (
            f"Backup of {manifest['created_at']} (cittasmart {manifest.get('application_version', '?')}, "
            f"{manifest['vendor']}): {len(manifest['tables'])} tables, {rows} rows, {len(manifest['files'])} files."
        )

    def _check(self, archive: Path, log) -> None:
        manifest = backup.verify_archive(archive, log)
        self.stdout.write(self._summary(manifest))
        if manifest["vendor"] != connection.vendor:
            self.stdout.write(
                self.style.WARNING(f"It cannot be restored here: this instance uses {connection.vendor}.")
            )
        unknown = backup.unknown_migrations(manifest)
        if unknown:
            self.stdout.write(
                self.style.WARNING(
                    "It was made by a newer version (unknown migrations: " + ", ".join(unknown) + ")."
                )
            )
        self.stdout.write(self.style.SUCCESS("The archive is sound."))

    def _confirm(self, manifest: dict) -> bool:
        self.stdout.write(self._summary(manifest))
        self.stdout.write(
            self.style.WARNING(
                "This REPLACES the whole database and the stored files of this instance "
                f"({connection.vendor} database {connection.settings_dict.get('NAME')})."
            )
        )
        if not sys.stdin.isatty():
            raise CommandError("Not asking for confirmation without a terminal: pass --yes.")
        answer = input("Type 'yes' to restore: ")
        return answer.strip().lower() == "yes"
