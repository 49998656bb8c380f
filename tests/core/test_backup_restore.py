"""Backup and restore of the whole instance: the database and the stored files, in one archive.

The round trip builds a varied data set (the Prato demo with its library, factories with uploaded files, and the
generated data set when ``generate_data`` is available), backs it up, damages it (rows deleted, changed and added,
files deleted, changed and added), restores it and checks that every row of every model, every table's checksum
and every file's bytes are back. Transactional tests: on PostgreSQL, pg_dump (another connection) must see the
data, so it has to be committed.
"""

import io
import json
import sys
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import connection
from PIL import Image

from cittasmart.accounts.models import User
from cittasmart.core import backup
from cittasmart.core.models import SiteSettings
from cittasmart.core.roles import Role
from cittasmart.documents import services as document_services
from cittasmart.documents.demo_files import simple_pdf
from cittasmart.documents.models import AccessLevel, DocumentCategory, DocumentVersion, NewsItem
from cittasmart.meetings.models import MinutesAttachment, Registration
from cittasmart.participation.models import Comment, Idea, IdeaAttachment
from cittasmart.plan.models import Measurement
from tests.factories import (
    CommentFactory,
    IdeaFactory,
    MeasurementFactory,
    OrganisationFactory,
    RegistrationFactory,
    UserFactory,
    WorkingGroupFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def roots(settings, tmp_path):
    """The stored files of each test live in its own folders."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EXPORTS_ROOT = tmp_path / "exports"
    settings.VAR_DIR = tmp_path / "var"
    return tmp_path


@pytest.fixture
def archives(tmp_path):
    folder = tmp_path / "archives"
    folder.mkdir()
    return folder


# --- Data ----------------------------------------------------------------------------------------------------


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 4), colour).save(buffer, "PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def build_data_set(*, demo: bool = True, generate: bool = False) -> bool:
    """Rows of every kind (text with accents, empty and null values, decimals, dates, JSON) and files in both
    roots: logos, images of news, attachments of ideas and minutes (media), library files (private). With
    ``generate``, the data set of ``generate_data --scale S`` too, when that command exists; True if it ran."""
    if demo:
        call_command("load_demo", "--quiet-accounts")
    office = UserFactory(roles=[Role.PLAN_OFFICE], display_name="Ufficio di piano – città")
    category, _ = DocumentCategory.objects.get_or_create(slug="altro", defaults={"name": "Altro"})
    for number, access in enumerate([AccessLevel.PUBLIC, AccessLevel.STAFF, AccessLevel.REGISTERED]):
        document = document_services.document_create(
            actor=office,
            file=upload(
                f"atto-{number}.pdf", simple_pdf(f"Atto n. {number}", ["Perché sì"]), "application/pdf"
            ),
            title=f"Atto n. {number} — verifica",
            access=access,
            category=category,
        )
        document_services.version_add(
            actor=office,
            document=document,
            file=upload("v2.pdf", simple_pdf(f"Atto n. {number} v2"), "application/pdf"),
            note="Seconda versione",
        )
    organisation = OrganisationFactory(logo=upload("logo.png", png((200, 30, 30)), "image/png"))
    site = SiteSettings.objects.get_or_create(pk=1)[0]
    site.logo.save("stemma.png", upload("stemma.png", png((10, 120, 10)), "image/png"))
    NewsItem.objects.create(
        title="Notizia",
        slug="notizia-backup",
        summary="Sommario",
        image_alt="Un quadrato blu",
        image=upload("n.png", png((0, 0, 255)), "image/png"),
    )
    ideas = [IdeaFactory(organisation=organisation, title=f"Idea “{n}” àèìòù") for n in range(4)]
    for idea in ideas[:2]:
        content = simple_pdf(idea.title)
        IdeaAttachment.objects.create(
            idea=idea,
            kind="pdf",
            file=upload("allegato.pdf", content, "application/pdf"),
            content_type="application/pdf",
            original_name="allegato.pdf",
            size=len(content),
        )
        CommentFactory(idea=idea)
        CommentFactory(idea=idea, body="")
    group = WorkingGroupFactory()
    image = png((1, 2, 3))
    MinutesAttachment.objects.create(
        group=group,
        kind="image",
        file=upload("lavagna.png", image, "image/png"),
        content_type="image/png",
        original_name="lavagna.png",
        size=len(image),
    )
    for _n in range(3):
        RegistrationFactory(meeting=group.meeting)
    for value in ("10.5", "0", "-3.25"):
        MeasurementFactory(value=value)
    if generate and "generate_data" in get_commands():
        call_command("generate_data", "--scale", "S", "--no-progress", stdout=io.StringIO())
        return True
    return False


def model_rows() -> dict[str, list[tuple]]:
    """Every row of every model (and of every many-to-many table), read through the ORM: a check that does not
    depend on the checksums of the backup module."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
    }


def stored_files(tmp_path: Path) -> dict[str, bytes]:
    found = {}
    for name in ("media", "private"):
        root = tmp_path / name
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    found[f"{name}/{path.relative_to(root).as_posix()}"] = path.read_bytes()
    return found


def make_backup(folder: Path) -> Path:
    out = io.StringIO()
    call_command("backup", "--output", str(folder), stdout=out)
    (path,) = folder.glob("cittasmart-backup-*.tar")
    assert f"Backup written to {path}" in out.getvalue()
    return path


def restore(path: Path, *options: str) -> str:
    out = io.StringIO()
    call_command("restore", str(path), *options, stdout=out)
    return out.getvalue()


def rewrite_archive(source: Path, target: Path, *, change=None, drop=(), add=None) -> Path:
    """A copy of an archive with members changed (``{name: function(bytes) -> bytes}``), dropped or added."""
    change = change or {}
    with tarfile.open(source) as old, tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as new:
        for member in old:
            if member.name in drop:
                continue
            data = old.extractfile(member).read()
            if member.name in change:
                data = change[member.name](data)
            info = tarfile.TarInfo(member.name)
            info.size, info.mtime, info.mode = len(data), member.mtime, member.mode
            new.addfile(info, io.BytesIO(data))
        for name, data in (add or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return target


def edit_manifest(function):
    def change(data: bytes) -> bytes:
        manifest = json.loads(data)
        function(manifest)
        return json.dumps(manifest).encode()

    return {backup.MANIFEST_NAME: change}


def first_member(path: Path, prefix: str) -> str:
    with tarfile.open(path) as archive:
        return next(m.name for m in archive if m.name.startswith(prefix))


# --- The round trip -------------------------------------------------------------------------------------------


def test_round_trip_brings_back_every_row_and_every_file(roots, archives):
    if build_data_set(generate=True):
        assert User.objects.count() > 100
    rows_before = model_rows()
    tables_before, migrations_before = backup.database_state()
    files_before = stored_files(roots)
    assert any(name.startswith("private/documents/") for name in files_before)
    assert any(name.startswith("media/participation/attachments/") for name in files_before)
    assert any(name.startswith("media/meetings/") for name in files_before)
    # No exact number: when an earlier test left the Prato demo in the database, ``load_demo`` finds its files
    # already recorded and writes none into this test's folders; the test's own uploads are always there.
    assert len(files_before) >= 6
    # Exports are made again on request: they are not backed up, and a restore leaves them alone.
    (roots / "exports").mkdir()
    (roots / "exports" / "ideas-0123456789ab.csv").write_text("id\n1\n")

    path = make_backup(archives)

    assert path.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only
    with tarfile.open(path) as archive:
        manifest = json.load(archive.extractfile(backup.MANIFEST_NAME))
        names = archive.getnames()
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["vendor"] == connection.vendor
    assert manifest["created_at"].endswith("+00:00")
    assert manifest["migrations"] == migrations_before
    assert manifest["migrations"]["participation"]
    assert {t: s["rows"] for t, s in manifest["tables"].items()} == {
        t: s.rows for t, s in tables_before.items()
    }
    assert manifest["tables"]["participation_idea"]["rows"] == Idea.objects.count()
    assert set(manifest["files"]) == {f"files/{name}" for name in files_before}
    assert not any("exports" in name for name in names)
    assert names[-1] == backup.MANIFEST_NAME

    # Damage: rows deleted, changed and added; files deleted, changed and added.
    Comment.objects.filter(pk__in=list(Comment.objects.values_list("pk", flat=True)[:3])).delete()
    Registration.objects.filter(pk=Registration.objects.order_by("pk").first().pk).delete()
    Measurement.objects.filter(pk=Measurement.objects.order_by("-pk").first().pk).delete()
    DocumentVersion.objects.filter(pk=DocumentVersion.objects.order_by("pk").last().pk).update(note="changed")
    Idea.objects.update(title="Changed")
    User.objects.filter(pk=User.objects.order_by("pk").first().pk).update(display_name="Someone else")
    UserFactory(email="after-the-backup@example.org")
    private_file = next(p for p in sorted((roots / "private").rglob("*")) if p.is_file())
    private_file.unlink()
    media_file = next(p for p in sorted((roots / "media" / "participation").rglob("*")) if p.is_file())
    media_file.write_bytes(b"not the attachment any more")
    (roots / "media" / "stray.txt").write_text("uploaded after the backup")

    assert model_rows() != rows_before
    damaged = backup.compare_tables(manifest["tables"], backup.database_state()[0])
    assert any(line.startswith("participation_idea: same number of rows") for line in damaged)
    assert any(line.startswith("participation_comment: ") and "row(s)" in line for line in damaged)
    assert any(line.startswith("accounts_user: ") for line in damaged)
    assert stored_files(roots) != files_before

    output = restore(path, "--yes")

    assert "verified" in output
    assert model_rows() == rows_before
    tables_after, migrations_after = backup.database_state()
    assert tables_after == tables_before
    assert migrations_after == migrations_before
    assert stored_files(roots) == files_before
    # What the restore replaced is kept beside the roots, the stray upload with it.
    kept = list(roots.glob("media.before-restore-*"))
    assert len(kept) == 1
    assert (kept[0] / "stray.txt").read_text() == "uploaded after the backup"
    assert (roots / "exports" / "ideas-0123456789ab.csv").exists()
    assert not list(roots.glob("*.restoring-*"))
    # The restored instance works and can be backed up again with the same content.
    assert not User.objects.filter(email="after-the-backup@example.org").exists()
    again = archives / "again"
    again.mkdir()
    with tarfile.open(make_backup(again)) as archive:
        second = json.load(archive.extractfile(backup.MANIFEST_NAME))
    assert second["tables"] == manifest["tables"]
    assert second["files"] == manifest["files"]


def test_check_verifies_a_sound_archive_and_changes_nothing(roots, archives):
    build_data_set(demo=False)
    path = make_backup(archives)
    Idea.objects.update(title="Changed after the backup")

    output = restore(path, "--check")

    assert "The archive is sound." in output
    assert f"{connection.vendor})" in output
    assert set(Idea.objects.values_list("title", flat=True)) == {"Changed after the backup"}
    assert not list(roots.glob("*.before-restore-*"))


# --- Damaged or altered archives are refused ---------------------------------------------------------------


def damaged_archives(path: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    """Altered copies of ``path``, each with a part of the message that refuses it."""
    private_member = first_member(path, "files/private/")
    database_member = first_member(path, "database/")
    truncated = folder / "truncated.tar"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    flipped = bytearray(path.read_bytes())
    with tarfile.open(path) as archive:
        offset = archive.getmember(database_member).offset_data + 100
    flipped[offset] ^= 0xFF
    (folder / "flipped.tar").write_bytes(bytes(flipped))
    return {
        "tampered file": (
            rewrite_archive(path, folder / "tampered.tar", change={private_member: lambda data: data + b"%"}),
            f"{private_member}: content differs",
        ),
        "flipped byte in the dump": (folder / "flipped.tar", f"{database_member}: content differs"),
        "missing file": (rewrite_archive(path, folder / "missing.tar", drop={private_member}), "missing"),
        "extra file": (
            rewrite_archive(path, folder / "extra.tar", add={"files/media/evil.html": b"<script>"}),
            "files/media/evil.html: not listed in the manifest",
        ),
        "path outside the root": (
            rewrite_archive(
                path,
                folder / "escape.tar",
                change=edit_manifest(
                    lambda m: m["files"].update({"files/media/../escape": {"sha256": "0", "size": 1}})
                ),
                add={"files/media/../escape": b"x"},
            ),
            "unsafe file name",
        ),
        "no manifest": (
            rewrite_archive(path, folder / "nomanifest.tar", drop={backup.MANIFEST_NAME}),
            "no manifest",
        ),
        "truncated": (truncated, ""),
        "not an archive": (
            _write(folder / "junk.tar", b"this is not a tar file" * 100),
            "not a readable archive",
        ),
        "other format": (
            rewrite_archive(
                path, folder / "format.tar", change=edit_manifest(lambda m: m.update(format_version=99))
            ),
            "format version 99",
        ),
    }


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_damaged_or_altered_archives_are_refused_and_nothing_changes(roots, archives):
    build_data_set(demo=False)
    path = make_backup(archives)
    Idea.objects.update(title="Changed after the backup")
    files_now = stored_files(roots)

    for kind, (damaged, message) in damaged_archives(path, archives).items():
        with pytest.raises(CommandError) as check:
            restore(damaged, "--check")
        assert message in str(check.value), kind
        with pytest.raises(CommandError) as refused:
            restore(damaged, "--yes")
        assert message in str(refused.value), kind

    assert set(Idea.objects.values_list("title", flat=True)) == {"Changed after the backup"}
    assert stored_files(roots) == files_now
    assert not list(roots.glob("*.before-restore-*"))
    assert not list(roots.glob("*.restoring-*"))
    # The sound archive is still accepted.
    assert "The archive is sound." in restore(path, "--check")


def test_restore_refuses_another_database_vendor(archives):
    build_data_set(demo=False)
    path = make_backup(archives)
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"

    with tarfile.open(path) as archive:
        member = next(m.name for m in archive if m.name.startswith("database/"))
    changed = archives / "vendor.tar"
    with tarfile.open(path) as old, tarfile.open(changed, "w", format=tarfile.PAX_FORMAT) as new:
        for item in old:
            data = old.extractfile(item).read()
            name = item.name
            if name == backup.MANIFEST_NAME:
                manifest = json.loads(data)
                manifest["vendor"] = other
                manifest["database"]["member"] = backup.DATABASE_MEMBERS[other]
                data = json.dumps(manifest).encode()
            elif name == member:
                name = backup.DATABASE_MEMBERS[other]
            info = tarfile.TarInfo(name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    titles = list(Idea.objects.values_list("title", flat=True))

    assert "It cannot be restored here" in restore(changed, "--check")
    with pytest.raises(
        CommandError, match=f"holds a {other} database but this instance uses {connection.vendor}"
    ):
        restore(changed, "--yes")
    assert list(Idea.objects.values_list("title", flat=True)) == titles


def test_restore_refuses_an_archive_from_a_newer_version(archives):
    build_data_set(demo=False)
    path = make_backup(archives)
    newer = rewrite_archive(
        path,
        archives / "newer.tar",
        change=edit_manifest(lambda m: m["migrations"].update(participation="9999_from_the_future")),
    )
    Idea.objects.update(title="Kept")

    with pytest.raises(CommandError, match=r"participation\.9999_from_the_future"):
        restore(newer, "--yes")
    assert set(Idea.objects.values_list("title", flat=True)) == {"Kept"}


def test_restore_fails_loudly_naming_the_tables_that_differ_from_the_manifest(archives):
    """The manifest is not covered by its own hashes: if it disagrees with the dump, the verification after the
    restore names every table that differs."""
    build_data_set(demo=False)
    path = make_backup(archives)

    def wrong(manifest):
        manifest["tables"]["participation_idea"]["checksum"] = "0" * 64
        manifest["tables"]["participation_comment"]["rows"] += 1

    altered = rewrite_archive(path, archives / "altered.tar", change=edit_manifest(wrong))

    with pytest.raises(CommandError) as failure:
        restore(altered, "--yes")
    message = str(failure.value)
    assert "do not match the backup's manifest (2 problem(s))" in message
    assert "participation_idea: same number of rows" in message
    assert "participation_comment: " in message
    assert "accounts_user" not in message


def test_restore_reports_the_tasks_the_restored_queue_holds(archives):
    """The queue comes back as it was at the backup: the restore says how many tasks would run again when the
    worker starts and how many are recorded as running with no worker, and says nothing when there are none."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from cittasmart.opendata.tasks import export_dataset

    build_data_set(demo=False)
    (archives / "quiet").mkdir()
    quiet = make_backup(archives / "quiet")
    results = [export_dataset.enqueue(job) for job in (1, 2, 3)]
    DBTaskResult.objects.filter(pk=results[-1].id).update(status=TaskResultStatus.RUNNING)
    busy = make_backup(archives)
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)  # the worker ran them after the backup

    output = restore(busy, "--yes")
    assert backup.task_queue() == {"ready": 2, "running": 1}
    assert "2 background task(s) waiting" in output
    assert "1 recorded as running" in output

    output = restore(quiet, "--yes")
    assert backup.task_queue() == {"ready": 0, "running": 0}
    assert "task queue" not in output


def test_restore_asks_for_confirmation(archives, monkeypatch):
    build_data_set(demo=False)
    path = make_backup(archives)
    Idea.objects.update(title="Kept")

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("no\n"))
    with pytest.raises(CommandError, match="cancelled; nothing was changed"):
        restore(path)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="pass --yes"):
        restore(path)
    assert set(Idea.objects.values_list("title", flat=True)) == {"Kept"}

    monkeypatch.setattr(sys, "stdin", Terminal("yes\n"))
    assert "verified" in restore(path)
    assert "Kept" not in set(Idea.objects.values_list("title", flat=True))


def test_backup_refuses_to_write_inside_the_media_folder_or_over_a_file(roots, archives):
    (roots / "media").mkdir()
    with pytest.raises(CommandError, match="inside a folder it backs up"):
        call_command("backup", "--output", str(roots / "media"), stdout=io.StringIO())
    existing = archives / "existing.tar"
    existing.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", str(existing), stdout=io.StringIO())
    assert existing.read_bytes() == b"keep me"
    assert not list((roots / "media").iterdir())


def test_backup_goes_to_the_backups_folder_by_default(roots):
    UserFactory()
    call_command("backup", stdout=io.StringIO())
    (path,) = (roots / "var" / "backups").glob("cittasmart-backup-*Z.tar")
    assert "The archive is sound." in restore(path, "--check")


@pytest.mark.postgres
def test_missing_postgresql_tools_are_reported(archives, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")
    monkeypatch.setenv("PATH", str(archives))
    with pytest.raises(CommandError, match="pg_dump was not found"):
        call_command("backup", "--output", str(archives), stdout=io.StringIO())
    assert not list(archives.iterdir())


@pytest.mark.postgres
def test_a_failing_pg_restore_changes_nothing(roots, archives):
    """pg_restore runs in one transaction: when it fails half-way, the database and the files are as before."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")
    build_data_set(demo=False)
    path = make_backup(archives)
    Idea.objects.update(title="Kept")
    files_now = stored_files(roots)
    # A view the backup does not know depends on a table the restore must drop: pg_restore fails on it.
    with connection.cursor() as cursor:
        cursor.execute("CREATE VIEW backup_test_titles AS SELECT title FROM participation_idea")
    try:
        with pytest.raises(CommandError, match=r"pg_restore \(nothing was changed\)"):
            restore(path, "--yes")
        assert set(Idea.objects.values_list("title", flat=True)) == {"Kept"}
        assert stored_files(roots) == files_now
        assert not list(roots.glob("*.before-restore-*"))
        assert not list(roots.glob("*.restoring-*"))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP VIEW IF EXISTS backup_test_titles")
