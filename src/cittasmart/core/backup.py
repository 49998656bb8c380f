"""Backup and restore of a whole instance: the database and the stored files, in one archive.

The archive is an uncompressed tar file (the database dump is compressed by ``pg_dump``; uploads are mostly
compressed formats already) holding:

- ``database/cittasmart.pgdump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database/cittasmart.sqlite3``
  (SQLite, a copy made with the online backup API);
- ``files/media/…`` (``MEDIA_ROOT``: logos, images, attachments of ideas and of minutes) and ``files/private/…``
  (``PRIVATE_MEDIA_ROOT``: the files of the document library). ``EXPORTS_ROOT`` is left out on purpose: the
  worker writes those files again when someone asks for them; ``STATIC_ROOT`` comes from ``collectstatic``;
- ``manifest.json``, written last: the format, when and from what the archive was made, the migration state,
  the number of rows and a checksum of every table, the sha256 of every other member.

The manifest describes exactly the data in the dump. On PostgreSQL the counts and checksums are read in the same
snapshot that ``pg_dump`` dumps (``pg_export_snapshot()`` / ``--snapshot``); on SQLite they are read from the copy
itself. The files are read after the database snapshot: a file uploaded in between is in the archive with no row
pointing at it (harmless), never the other way round.

A table's checksum is the sha256 of its column names and then of its rows in primary-key order, each row written
as a JSON array of its values (``_row_line``). The same function reads the tables when the archive is made and after
it is restored, on the same kind of database: the algorithm's name is in the manifest.

What a restore changes, in order, and what happens when something fails:

1. The archive is checked (every member against the manifest) and extracted to staging folders beside the file
   roots. Nothing of the instance has changed yet; on failure the staging folders are removed.
2. The database is replaced in one step: ``pg_restore --single-transaction`` on PostgreSQL, one step of the SQLite
   backup API on SQLite. Either the whole dump is in or the database is as it was.
3. Each file root is swapped with its staging folder by renaming folders (the previous content is kept beside it,
   in ``<root>.before-restore-<time>``). When a root is a mount point the swap moves its entries one by one and
   is not atomic. If a swap fails, the roots already swapped are put back; the database stays restored.
4. The database and the files are read again and compared with the manifest; any difference fails the restore
   loudly, naming the tables and files.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.cache import caches
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.models import Count
from django.utils import timezone

FORMAT = "cittasmart-backup"
FORMAT_VERSION = 1
CHECKSUM_ALGORITHM = "sha256-json-rows-v1"
MANIFEST_NAME = "manifest.json"
DATABASE_MEMBERS = {"postgresql": "database/cittasmart.pgdump", "sqlite": "database/cittasmart.sqlite3"}
FILES_PREFIX = "files/"
ROWS_PER_FETCH = 2000
CHUNK = 1024 * 1024
# pg_restore waits at most this long for a lock (a running application holds some); then it fails and changes
# nothing, instead of hanging.
PG_LOCK_TIMEOUT = "60s"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


Log = Callable[[str], None]


def quiet(message: str) -> None:
    pass


# --- What is backed up ----------------------------------------------------------------------------------------


def file_roots() -> dict[str, Path]:
    """The folders of stored files, by the name they have in the archive."""
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_MEDIA_ROOT)}


def _excluded_folders() -> list[Path]:
    """Folders never backed up, even when they sit inside a root: regenerated exports and collected statics."""
    return [Path(settings.EXPORTS_ROOT).resolve(), Path(settings.STATIC_ROOT).resolve()]


def default_archive_name(moment: datetime.datetime) -> str:
    return f"cittasmart-backup-{moment.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}.tar"


def default_backup_folder() -> Path:
    return Path(settings.VAR_DIR) / "backups"


# --- Table checksums --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableState:
    rows: int
    checksum: str

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "checksum": self.checksum}


def _canonical(value: Any) -> Any:
    """A JSON form of the values json cannot write itself (the type of a column never changes between rows)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return {"hex": bytes(value).hex()}
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return {"days": value.days, "seconds": value.seconds, "microseconds": value.microseconds}
    return str(value)  # Decimal, UUID, IP addresses…: their text is exact


def _row_line(row: Iterable[Any]) -> bytes:
    text = json.dumps(
        list(row), default=_canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return text.encode("utf-8", "surrogatepass") + b"\n"


def _table_state(cursor, select: str, columns: list[str]) -> TableState:
    """Count and checksum the rows ``select`` returns, fetched in chunks (constant memory)."""
    digest = hashlib.sha256()
    digest.update(_row_line(columns))
    rows = 0
    cursor.execute(select)
    while True:
        chunk = cursor.fetchmany(ROWS_PER_FETCH)
        if not chunk:
            break
        for row in chunk:
            digest.update(_row_line(row))
        rows += len(chunk)
    return TableState(rows=rows, checksum=digest.hexdigest())


def _select(quote: Callable[[str], str], table: str, columns: list[str], key: list[str]) -> str:
    order = key or columns  # a table without a primary key is ordered by all its columns
    return (
        f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} "  # noqa: S608 (quoted names)
        f"ORDER BY {', '.join(quote(c) for c in order)}"
    )


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _migration_state(rows: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The last migration applied in each app (rows in the order they were applied)."""
    latest: dict[str, str] = {}
    for app, name in rows:
        latest[app] = name
    return dict(sorted(latest.items()))


def sqlite_file_state(path: Path) -> tuple[dict[str, TableState], dict[str, str]]:
    """Tables and migration state of an SQLite database file, read with plain ``sqlite3`` (no type converters)."""
    db = sqlite3.connect(path)
    try:
        cursor = db.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        )
        tables = sorted(name for (name,) in cursor.fetchall())
        states = {}
        for table in tables:
            info = db.execute(f"PRAGMA table_info({_sqlite_quote(table)})").fetchall()
            columns = [row[1] for row in info]
            key = [row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5])]
            states[table] = _table_state(cursor, _select(_sqlite_quote, table, columns, key), columns)
        migrations = {}
        if "django_migrations" in tables:
            migrations = _migration_state(db.execute("SELECT app, name FROM django_migrations ORDER BY id"))
        return states, migrations
    finally:
        db.close()


def _postgres_state(connection) -> tuple[dict[str, TableState], dict[str, str]]:
    """Tables and migration state as the current transaction sees them (call it inside one)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor, include_views=False))
        layout = {}
        for table in tables:
            cursor.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attnum",
                [quote(table)],
            )
            columns = [name for (name,) in cursor.fetchall()]
            key = connection.introspection.get_primary_key_columns(cursor, table) or []
            layout[table] = (columns, key)
        migrations = {}
        if "django_migrations" in tables:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
            migrations = _migration_state(cursor.fetchall())
    states = {}
    for table, (columns, key) in layout.items():
        with connection.chunked_cursor() as cursor:  # a server-side cursor: rows arrive in chunks
            states[table] = _table_state(cursor, _select(quote, table, columns, key), columns)
    return states, migrations


def database_state(using: str = "default") -> tuple[dict[str, TableState], dict[str, str]]:
    """Row counts and checksums of every table of the live database, and its migration state."""
    connection = connections[using]
    _require_autocommit(connection)
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return _postgres_state(connection)
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory(dir=_work_folder(), prefix=".cittasmart-state-") as folder:
            copy = Path(folder) / "copy.sqlite3"
            _sqlite_copy(connection, copy)
            return sqlite_file_state(copy)
    raise BackupError(_unsupported(connection))


def compare_tables(expected: dict[str, dict], actual: dict[str, TableState]) -> list[str]:
    """What differs between the tables of the manifest and those of the database, one line per table."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            problems.append(f"{table}: missing from the database")
        elif table not in expected:
            problems.append(f"{table}: not in the backup")
        else:
            want, have = expected[table], actual[table]
            if want["rows"] != have.rows:
                problems.append(f"{table}: {have.rows} row(s), the backup has {want['rows']}")
            elif want["checksum"] != have.checksum:
                problems.append(f"{table}: same number of rows ({have.rows}), different content")
    return problems


# --- Helpers ------------------------------------------------------------------------------------------------------


def _unsupported(connection) -> str:
    return f"Backups support PostgreSQL and SQLite, not {connection.vendor}."


def _require_autocommit(connection) -> None:
    if connection.in_atomic_block:
        raise BackupError("Backup and restore cannot run inside a database transaction.")


def _work_folder() -> Path:
    """Where a restore puts the dump while it works: VAR_DIR, beside the data rather than in a small /tmp."""
    folder = Path(settings.VAR_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sqlite_copy(connection, target_path: Path) -> None:
    """A consistent copy of the live SQLite database, made in one step of the online backup API."""
    connection.ensure_connection()
    target = sqlite3.connect(target_path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    """Reads through to ``raw`` and hashes what passes."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _walk(root: Path, skip: list[Path]) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, absolute path) of every regular file under ``root``, sorted; symbolic links and
    ``skip`` folders are left out."""
    if not root.is_dir():
        return
    for folder, dirnames, filenames in os.walk(root):
        here = Path(folder)
        dirnames[:] = sorted(
            d for d in dirnames if (here / d).resolve() not in skip and not (here / d).is_symlink()
        )
        for name in sorted(filenames):
            path = here / name
            if path.is_symlink() or not path.is_file():
                continue
            yield path.relative_to(root).as_posix(), path


def _safe_parts(relative: str) -> list[str]:
    parts = relative.split("/")
    if (
        not relative
        or relative.startswith("/")
        or any(p in ("", ".", "..") for p in parts)
        or "\x00" in relative
    ):
        raise BackupError(f"The archive holds an unsafe file name: {relative!r}.")
    return parts


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


# --- PostgreSQL tools ---------------------------------------------------------------------------------------------


def _pg_environment(settings_dict: dict) -> dict[str, str]:
    """The connection settings as libpq environment variables: the password never appears on a command line."""
    environment = dict(os.environ)
    options = settings_dict.get("OPTIONS") or {}
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSERVICE": options.get("service"),
        "PGPASSFILE": options.get("passfile"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
    }
    for name, value in values.items():
        if value:
            environment[name] = str(value)
    return environment


def _pg_tool(name: str, connection) -> tuple[str, str]:
    """The path and version of ``pg_dump`` or ``pg_restore``; refused when missing or older than the server."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client tools of the server's version "
            f"(on Debian: postgresql-client-{connection.pg_version // 10000})."
        )
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
    match = re.search(r"(\d+)(?:\.(\d+))?", output)
    if not match:
        raise BackupError(f"Could not read the version of {path}: {output.strip()!r}.")
    tool_major, server_major = int(match.group(1)), connection.pg_version // 10000
    if tool_major < server_major:
        raise BackupError(
            f"{name} is version {tool_major} but the server is PostgreSQL {server_major}: install "
            f"postgresql-client-{server_major}."
        )
    return path, output.strip()


def _run(command: list[str], environment: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise BackupError(f"{what} failed (exit code {result.returncode}):\n{detail}")


# --- Backup ------------------------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    size: int


def _output_path(output: Path | None, moment: datetime.datetime) -> Path:
    if output is None:
        output = default_backup_folder()
        output.mkdir(mode=0o700, parents=True, exist_ok=True)
    output = Path(output)
    if output.is_dir():
        output = output / default_archive_name(moment)
    if output.exists():
        raise BackupError(f"{output} already exists: choose another name.")
    if not output.parent.is_dir():
        raise BackupError(f"The folder {output.parent} does not exist.")
    resolved = output.resolve()
    for name, root in file_roots().items():
        if resolved.is_relative_to(root.resolve()):
            raise BackupError(
                f"The archive cannot be written inside a folder it backs up ({name}: {root}); the media folder is "
                "even served to the public."
            )
    return output


def _dump_postgres(connection, target: Path, log: Log) -> tuple[dict, dict[str, TableState], dict[str, str]]:
    pg_dump, tool_version = _pg_tool("pg_dump", connection)
    environment = _pg_environment(connection.settings_dict)
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        # pg_dump reads the snapshot of this transaction, so the dump and the manifest see the same rows.
        log("Dumping the PostgreSQL database…")
        _run(
            [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}"],
            environment,
            "pg_dump",
        )
        log("Counting and checksumming the tables…")
        tables, migrations = _postgres_state(connection)
    info = {"server_version": connection.pg_version, "tool": tool_version}
    return info, tables, migrations


def _dump_sqlite(connection, target: Path, log: Log) -> tuple[dict, dict[str, TableState], dict[str, str]]:
    log("Copying the SQLite database…")
    _sqlite_copy(connection, target)
    log("Counting and checksumming the tables…")
    tables, migrations = sqlite_file_state(target)
    return {"server_version": sqlite3.sqlite_version}, tables, migrations


def _add_member(archive: tarfile.TarFile, name: str, handle: IO[bytes], size: int, mtime: float) -> str:
    """Add ``size`` bytes of ``handle`` as ``name``; return their sha256."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    reader = _HashingReader(handle)
    archive.addfile(info, reader)
    return reader.digest.hexdigest()


def _application_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cittasmart")
    except PackageNotFoundError:
        return "unknown"


def create_backup(output: Path | None = None, *, using: str = "default", log: Log = quiet) -> BackupResult:
    """Write the archive of the database and the stored files; return where it is and its manifest."""
    connection = connections[using]
    _require_autocommit(connection)
    if connection.vendor not in DATABASE_MEMBERS:
        raise BackupError(_unsupported(connection))
    moment = timezone.now()
    path = _output_path(output, moment)
    partial = path.with_name(f".{path.name}.partial")
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".cittasmart-backup-") as workdir:
        dump = Path(workdir) / "database"
        if connection.vendor == "postgresql":
            database, tables, migrations = _dump_postgres(connection, dump, log)
        else:
            database, tables, migrations = _dump_sqlite(connection, dump, log)
        member = DATABASE_MEMBERS[connection.vendor]
        # The archive holds personal data: only its owner may read it.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw:
                archive = tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT)  # noqa: SIM115
                with open(dump, "rb") as handle:
                    size = os.fstat(handle.fileno()).st_size
                    database.update(
                        member=member,
                        size=size,
                        sha256=_add_member(archive, member, handle, size, moment.timestamp()),
                    )
                log(
                    f"Database: {len(tables)} tables, {sum(t.rows for t in tables.values())} rows, {human_size(size)}."
                )
                files, roots = _add_files(archive, log)
                manifest = _manifest(connection.vendor, moment, database, migrations, tables, roots, files)
                body = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST_NAME)
                info.size, info.mtime, info.mode = len(body), int(moment.timestamp()), 0o600
                archive.addfile(info, io.BytesIO(body))
                archive.close()  # writes the end of the archive
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, path)
            _fsync_folder(path.parent)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(path=path, manifest=manifest, size=path.stat().st_size)


def _manifest(vendor, moment, database, migrations, tables, roots, files) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": moment.astimezone(datetime.UTC).isoformat(),
        "application_version": _application_version(),
        "vendor": vendor,
        "database": database,
        "migrations": migrations,
        "checksum_algorithm": CHECKSUM_ALGORITHM,
        "tables": {name: state.as_json() for name, state in tables.items()},
        "roots": roots,
        "excluded": {
            "EXPORTS_ROOT": "files of background exports, written again on request",
            "STATIC_ROOT": "collected static files, made by collectstatic",
        },
        "files": files,
    }


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _add_files(archive: tarfile.TarFile, log: Log) -> tuple[dict[str, dict], dict[str, dict]]:
    roots = file_roots()
    files: dict[str, dict] = {}
    summary: dict[str, dict] = {}
    for name, root in roots.items():
        skip = _excluded_folders() + [other.resolve() for other in roots.values() if other != root]
        count = total = 0
        for relative, path in _walk(root, skip):
            member = f"{FILES_PREFIX}{name}/{relative}"
            try:
                with open(path, "rb") as handle:
                    stat = os.fstat(handle.fileno())
                    sha = _add_member(archive, member, handle, stat.st_size, stat.st_mtime)
            except FileNotFoundError:  # deleted while the backup was running: it is not part of the snapshot
                continue
            files[member] = {"sha256": sha, "size": stat.st_size}
            count += 1
            total += stat.st_size
        summary[name] = {
            "setting": "MEDIA_ROOT" if name == "media" else "PRIVATE_MEDIA_ROOT",
            "files": count,
            "bytes": total,
        }
        log(f"Files in {name} ({root}): {count}, {human_size(total)}.")
    return files, summary


# --- Checking an archive ---------------------------------------------------------------------------------------


@dataclass
class ArchiveCheck:
    manifest: dict
    problems: list[str] = field(default_factory=list)


def _load_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember(MANIFEST_NAME)
    except KeyError:
        raise BackupError("This is not a cittasmart backup: it has no manifest.json.") from None
    handle = archive.extractfile(member)
    if handle is None:
        raise BackupError("manifest.json is not a regular file.")
    try:
        manifest = json.loads(handle.read())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"manifest.json is not valid JSON: {exc}.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This is not a cittasmart backup: its manifest has another format.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"The archive has format version {manifest.get('format_version')!r}; this version of cittasmart reads "
            f"version {FORMAT_VERSION}."
        )
    if manifest.get("checksum_algorithm") != CHECKSUM_ALGORITHM:
        raise BackupError(f"Unknown table checksum algorithm {manifest.get('checksum_algorithm')!r}.")
    for key, kind in (
        ("database", dict),
        ("tables", dict),
        ("files", dict),
        ("migrations", dict),
        ("vendor", str),
    ):
        if not isinstance(manifest.get(key), kind):
            raise BackupError(f"The manifest lacks “{key}”.")
    if manifest["database"].get("member") != DATABASE_MEMBERS.get(manifest["vendor"]):
        raise BackupError("The manifest names no database dump for its database.")
    return manifest


def _open_archive(path: Path) -> tarfile.TarFile:
    if not Path(path).is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    try:
        return tarfile.open(path, mode="r:")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path} is not a readable archive ({exc}).") from None


def _expected_members(manifest: dict) -> dict[str, dict]:
    expected = dict(manifest["files"])
    database = manifest["database"]
    expected[database["member"]] = {"sha256": database.get("sha256"), "size": database.get("size")}
    return expected


def check_archive(path: Path, log: Log = quiet) -> ArchiveCheck:
    """Read the whole archive and compare every member with the manifest (sizes and sha256)."""
    with _open_archive(path) as archive:
        try:
            manifest = _load_manifest(archive)
            expected = _expected_members(manifest)
            check = ArchiveCheck(manifest=manifest)
            seen: set[str] = set()
            for member in archive:
                name = member.name
                if name == MANIFEST_NAME:
                    continue
                if name in seen:
                    check.problems.append(f"{name}: appears twice")
                    continue
                seen.add(name)
                if name not in expected:
                    check.problems.append(f"{name}: not listed in the manifest")
                    continue
                if not member.isreg():
                    check.problems.append(f"{name}: not a regular file")
                    continue
                if name.startswith(FILES_PREFIX):
                    root, _sep, relative = name[len(FILES_PREFIX) :].partition("/")
                    if root not in file_roots():
                        check.problems.append(f"{name}: unknown folder {root!r}")
                        continue
                    try:
                        _safe_parts(relative)
                    except BackupError as exc:
                        check.problems.append(str(exc))
                        continue
                handle = archive.extractfile(member)
                reader = _HashingReader(handle)
                while reader.read(CHUNK):
                    pass
                want = expected[name]
                if reader.size != want.get("size") or reader.digest.hexdigest() != want.get("sha256"):
                    check.problems.append(f"{name}: content differs from the manifest (damaged or altered)")
            for name in sorted(set(expected) - seen):
                check.problems.append(f"{name}: missing from the archive")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{path} is damaged: {exc}.") from None
    log(f"Archive checked: {len(expected)} member(s), {len(check.problems)} problem(s).")
    return check


def verify_archive(path: Path, log: Log = quiet) -> dict:
    """The manifest of a sound archive; BackupError listing the problems otherwise."""
    check = check_archive(path, log)
    if check.problems:
        raise BackupError(_problem_message("The archive is damaged or was altered", check.problems))
    return check.manifest


def _problem_message(title: str, problems: list[str], limit: int = 50) -> str:
    lines = [f"{title} ({len(problems)} problem(s)):"] + [f"  - {p}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"  … and {len(problems) - limit} more")
    return "\n".join(lines)


def unknown_migrations(manifest: dict) -> list[str]:
    """Migrations recorded in the archive that this code does not have (the archive comes from a newer version)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return [
        f"{app}.{name}"
        for app, name in sorted(manifest["migrations"].items())
        if (app, name) not in loader.disk_migrations
    ]


def pending_migrations(using: str = "default") -> list[str]:
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


# --- Restore -----------------------------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    manifest: dict
    previous_files: dict[str, Path]
    pending_migrations: list[str]
    # Background tasks the restored queue holds as waiting or running: see ``task_queue``.
    tasks: dict[str, int]


def task_queue(using: str = "default") -> dict[str, int]:
    """How many background tasks the database's queue holds as waiting (``ready``) and as ``running``.

    After a restore both describe the moment of the backup: the waiting ones run again when the worker starts,
    though some may have run since (an e-mail would leave twice), and the running ones were in a worker's hands
    then and no worker has them now."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    counts = dict(
        DBTaskResult.objects.using(using)
        .filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "ready": counts.get(TaskResultStatus.READY, 0),
        "running": counts.get(TaskResultStatus.RUNNING, 0),
    }


def _staging_paths(root: Path, stamp: str) -> tuple[Path, Path]:
    root = root.absolute()
    return root.with_name(f"{root.name}.restoring-{stamp}"), root.with_name(
        f"{root.name}.before-restore-{stamp}"
    )


def _extract(
    archive: tarfile.TarFile, manifest: dict, staging: dict[str, Path], database_target: Path
) -> None:
    """Write the dump and every file out of the archive, checking each sha256 again on the way."""
    expected = _expected_members(manifest)
    for folder in staging.values():
        folder.mkdir(parents=True)
    for member in archive:
        if member.name == MANIFEST_NAME:
            continue
        want = expected.get(member.name)
        if want is None or not member.isreg():
            raise BackupError(
                f"{member.name} appeared in the archive after it was checked: it is being altered."
            )
        if member.name == manifest["database"]["member"]:
            target = database_target
        else:
            root, _sep, relative = member.name[len(FILES_PREFIX) :].partition("/")
            target = staging[root].joinpath(*_safe_parts(relative))
            target.parent.mkdir(parents=True, exist_ok=True)
        reader = _HashingReader(archive.extractfile(member))
        with open(target, "xb") as out:
            shutil.copyfileobj(reader, out, CHUNK)
        if reader.digest.hexdigest() != want["sha256"] or reader.size != want["size"]:
            raise BackupError(
                f"{member.name} changed while it was being extracted: the archive file is being altered."
            )
        if target != database_target:
            os.utime(target, (member.mtime, member.mtime))


def _restore_postgres(connection, dump: Path, log: Log) -> None:
    pg_restore, _version = _pg_tool("pg_restore", connection)
    environment = _pg_environment(connection.settings_dict)
    environment["PGOPTIONS"] = f"{environment.get('PGOPTIONS', '')} -c lock_timeout={PG_LOCK_TIMEOUT}".strip()
    name = connection.settings_dict.get("NAME")
    if not name:
        raise BackupError("The database settings have no NAME to restore into.")
    _run([pg_restore, "--list", str(dump)], environment, "Reading the dump (pg_restore --list)")
    connection.close()
    log("Restoring the PostgreSQL database (one transaction)…")
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={name}",
            str(dump),
        ],
        environment,
        "pg_restore (nothing was changed)",
    )
    connection.close()


def _restore_sqlite(connection, copy: Path, log: Log) -> None:
    source = sqlite3.connect(copy)
    try:
        (result,) = source.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupError(f"The database in the archive fails SQLite's integrity check: {result}.")
        log("Restoring the SQLite database (one step of the backup API)…")
        connection.ensure_connection()
        try:
            source.backup(connection.connection)
        except sqlite3.Error as exc:
            raise BackupError(f"The SQLite restore failed, the database is unchanged: {exc}.") from None
    finally:
        source.close()
    connection.close()


def _swap_in(root: Path, staging: Path, previous: Path) -> Path | None:
    """Put ``staging`` in the place of ``root``, keeping the old content at ``previous``; None if there was none."""
    if not root.exists():
        root.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, root)
        return None
    if not os.path.ismount(root) and root.stat().st_dev == staging.stat().st_dev:
        os.replace(root, previous)
        try:
            os.replace(staging, root)
        except OSError:
            os.replace(previous, root)
            raise
        return previous
    # A mount point cannot be renamed: move its entries out, then the restored ones in (not atomic).
    previous.mkdir()
    for entry in sorted(root.iterdir()):
        shutil.move(entry, previous / entry.name)
    for entry in sorted(staging.iterdir()):
        shutil.move(entry, root / entry.name)
    staging.rmdir()
    return previous


def _swap_back(root: Path, previous: Path | None) -> None:
    """Undo ``_swap_in`` (used when a later root fails to swap)."""
    if previous is None:
        shutil.rmtree(root, ignore_errors=True)
    elif os.path.ismount(root):
        for entry in sorted(root.iterdir()):
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        for entry in sorted(previous.iterdir()):
            shutil.move(entry, root / entry.name)
        previous.rmdir()
    else:
        shutil.rmtree(root)
        os.replace(previous, root)


def compare_files(manifest: dict) -> list[str]:
    """What differs between the files of the manifest and those now in the roots."""
    roots = file_roots()
    actual: dict[str, Path] = {}
    for name, root in roots.items():
        skip = _excluded_folders() + [other.resolve() for other in roots.values() if other != root]
        for relative, path in _walk(root, skip):
            actual[f"{FILES_PREFIX}{name}/{relative}"] = path
    problems = []
    expected = manifest["files"]
    for member in sorted(set(expected) | set(actual)):
        if member not in actual:
            problems.append(f"{member}: missing")
        elif member not in expected:
            problems.append(f"{member}: not in the backup")
        elif sha256_file(actual[member]) != expected[member]["sha256"]:
            problems.append(f"{member}: different content")
    return problems


def restore_backup(
    path: Path,
    *,
    using: str = "default",
    confirm: Callable[[dict], bool] = lambda manifest: True,
    log: Log = quiet,
) -> RestoreResult:
    """Replace the database and the stored files with those of the archive at ``path`` (see the module's notes)."""
    connection = connections[using]
    _require_autocommit(connection)
    if connection.vendor not in DATABASE_MEMBERS:
        raise BackupError(_unsupported(connection))
    log(f"Checking {path}…")
    manifest = verify_archive(path, log)
    _refuse_unrestorable(manifest, connection)
    if not confirm(manifest):
        raise BackupError("Restore cancelled; nothing was changed.")

    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    # A root that is a symbolic link is swapped where it points, so the files stay on that storage.
    roots = {name: root.resolve() for name, root in file_roots().items()}
    staging, previous_paths = {}, {}
    for name, root in roots.items():
        staging[name], previous_paths[name] = _staging_paths(root, stamp)
    workdir = Path(tempfile.mkdtemp(dir=_work_folder(), prefix=".cittasmart-restore-"))
    swapped: list[tuple[Path, Path | None]] = []
    try:
        log("Extracting the archive…")
        dump = workdir / "database"
        try:
            with _open_archive(path) as archive:
                _extract(archive, manifest, staging, dump)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"Extracting the archive failed ({exc}); nothing was changed.") from None
        if connection.vendor == "postgresql":
            _restore_postgres(connection, dump, log)
        else:
            _restore_sqlite(connection, dump, log)
        # From here on the database is restored: a failure below leaves it so, and says it.
        log("Putting the files in place…")
        try:
            for name, root in roots.items():
                swapped.append((root, _swap_in(root, staging[name], previous_paths[name])))
        except OSError as exc:
            for root, previous in reversed(swapped):
                _swap_back(root, previous)
            raise BackupError(
                f"The database was restored but the files could not be put in place ({exc}); the files are as "
                "they were before the restore. Fix the cause and restore again."
            ) from None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        for folder in staging.values():
            shutil.rmtree(folder, ignore_errors=True)
    for cache in caches.all():
        cache.clear()  # cached pages, site settings and counters describe the data before the restore

    log("Verifying the restored database and files…")
    tables, _migrations = database_state(using)
    problems = compare_tables(manifest["tables"], tables) + compare_files(manifest)
    if problems:
        raise BackupError(
            _problem_message(
                "The database and the files were restored, but they do not match the backup's manifest",
                problems,
            )
        )
    kept = {}
    for (_root, previous), name in zip(swapped, roots, strict=True):
        if previous is None:
            continue
        if any(entry.is_file() or entry.is_symlink() for entry in previous.rglob("*")):
            kept[name] = previous
        else:
            shutil.rmtree(previous)  # nothing was there: nothing to keep
    return RestoreResult(
        manifest=manifest,
        previous_files=kept,
        pending_migrations=pending_migrations(using),
        tasks=task_queue(using),
    )


def _refuse_unrestorable(manifest: dict, connection) -> None:
    """Refuse, before anything changes, an archive this instance cannot take."""
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"The archive holds a {manifest['vendor']} database but this instance uses {connection.vendor}: a "
            f"backup can only be restored onto the same kind of database. To move between them, restore it on a "
            f"{manifest['vendor']} instance and transfer the data with dumpdata/loaddata."
        )
    unknown = unknown_migrations(manifest)
    if unknown:
        raise BackupError(
            "The archive was made by a newer version of cittasmart (migrations unknown here: "
            + ", ".join(unknown)
            + "). Install that version, then restore."
        )
    if connection.vendor == "postgresql":
        extra = sorted(set(connection.introspection.table_names()) - set(manifest["tables"]))
        if extra:
            raise BackupError(
                "The database has tables the backup does not know ("
                + ", ".join(extra)
                + "): restore into an empty database (dropdb/createdb) or one at the same version."
            )
