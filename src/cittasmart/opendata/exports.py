"""The files of every public dataset, as CSV, JSON and XLSX, in constant memory.

Columns and values come only from ``datasets``. Every function takes the rows as an iterable (normally the
generator ``Dataset.iter_rows()``, which reads the database in chunks) and consumes it lazily: CSV and JSON are
produced piece by piece for a streaming response or a file, XLSX with openpyxl's write-only mode (the rows go
to a temporary file on disk, not to memory).

- CSV: UTF-8 with a byte-order mark (spreadsheet programs then read accents right), a header of column names,
  values as ``datasets.text_value`` (lists joined by "|"), every cell neutralised against formulas.
- JSON: one array of objects, values as ``datasets.json_value``.
- XLSX: one sheet; numbers and booleans typed, dates as dates, date-times as dates with a time in the
  platform's time zone (spreadsheets have no time zones), lists joined by "|", text neutralised (line breaks
  read back as "\\n": XML keeps no carriage return).
"""

import csv
import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cittasmart.core import spreadsheet
from cittasmart.opendata.datasets import Dataset, dataset_get, json_value, text_value
from cittasmart.opendata.models import ExportJob, ExportStatus

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)
BOM = "\ufeff"


def column_names(dataset: Dataset) -> list[str]:
    return [column.name for column in dataset.columns]


def filename(dataset: Dataset, file_format: str) -> str:
    return f"{dataset.slug}.{file_format}"


# --- CSV -----------------------------------------------------------------------------------------------------


def csv_lines(dataset: Dataset, rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The CSV file line by line (the first with the byte-order mark)."""
    names = column_names(dataset)
    writer = csv.writer(spreadsheet.Echo())
    yield BOM + writer.writerow([spreadsheet.neutralise(name) for name in names])
    for row in rows:
        yield writer.writerow([spreadsheet.neutralise(text_value(row[name])) for name in names])


# --- JSON ----------------------------------------------------------------------------------------------------


def json_chunks(dataset: Dataset, rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON array of objects, one item at a time: "[", the items separated by ",", "]"."""
    names = column_names(dataset)
    yield "["
    separator = "\n"
    for row in rows:
        yield separator + json.dumps({name: json_value(row[name]) for name in names}, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


# --- XLSX ----------------------------------------------------------------------------------------------------


def xlsx_value(value: Any) -> Any:
    """A Python value as an XLSX cell."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        # Spreadsheets know neither time zones nor microseconds.
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        return value
    return spreadsheet.xlsx_text(text_value(value))


def write_xlsx(dataset: Dataset, rows: Iterable[dict[str, Any]], target: IO[bytes]) -> None:
    from openpyxl import Workbook

    names = column_names(dataset)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=dataset.slug[:31])
    sheet.append([spreadsheet.xlsx_text(name) for name in names])
    for row in rows:
        sheet.append([xlsx_value(row[name]) for name in names])
    workbook.save(target)


# --- Helpers -------------------------------------------------------------------------------------------------


def text_chunks(dataset: Dataset, file_format: str, rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The CSV or JSON text of the rows."""
    if file_format == "csv":
        return csv_lines(dataset, rows)
    if file_format == "json":
        return json_chunks(dataset, rows)
    raise ValueError(file_format)


def batched(pieces: Iterable[str], size: int = 64 * 1024) -> Iterator[str]:
    """Join small pieces of text into pieces of about ``size`` characters (fewer writes to the network)."""
    buffer: list[str] = []
    length = 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer)


# --- Background exports --------------------------------------------------------------------------------------
#
# A dataset larger than ``OPENDATA_EXPORT_SYNC_MAX_ROWS`` is exported by the worker into
# ``EXPORTS_ROOT/<slug>-<fingerprint[:12]>.<format>``. The data is public, so one file serves everyone who asks
# for the same dataset, format and state of the data: the state is the fingerprint, a hash of the number of
# rows, the time of the last change and the column names. A new state makes a new job; when it is done, the
# files of the older states of the same dataset and format are deleted (their job pages then point to the
# current export).

# Rows written between two updates of the job's progress (one UPDATE each).
PROGRESS_EVERY = 1000
# A job that has not moved for this long has lost its worker (it died, or the task was dropped): the next
# request for the export queues it again. A running job moves at least every PROGRESS_EVERY rows.
LOST_RUNNING_AFTER = timedelta(minutes=15)
LOST_QUEUED_AFTER = timedelta(hours=2)


def fingerprint(dataset: Dataset, row_count: int) -> str:
    modified = dataset.modified()
    state = [row_count, modified.isoformat() if modified else None, column_names(dataset)]
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()


def job_file_name(job: ExportJob) -> str:
    return f"{job.dataset}-{job.fingerprint[:12]}.{job.file_format}"


def job_path(job: ExportJob) -> Path:
    return Path(settings.EXPORTS_ROOT) / job_file_name(job)


def job_file_ready(job: ExportJob) -> bool:
    return job.status == ExportStatus.DONE and job_path(job).is_file()


def job_is_lost(job: ExportJob, *, now: datetime | None = None) -> bool:
    """A queued or running job nobody is working on any more."""
    now = now or timezone.now()
    if job.status == ExportStatus.RUNNING:
        return job.updated_at < now - LOST_RUNNING_AFTER
    if job.status == ExportStatus.QUEUED:
        return job.updated_at < now - LOST_QUEUED_AFTER
    return False


def job_may_retry(job: ExportJob) -> bool:
    return job.status == ExportStatus.FAILED or job_is_lost(job)


def _enqueue(job: ExportJob) -> None:
    from cittasmart.opendata.tasks import export_dataset

    try:
        result = export_dataset.enqueue(job.pk)
    except Exception:
        logger.exception("Could not queue the export job %s", job.pk)
        _finish(job.pk, ExportStatus.FAILED, message="The task could not be queued.")
    else:
        ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def _requeue(job: ExportJob, condition: Q) -> bool:
    """Put the job back in the queue if it still matches ``condition`` (once, whoever asks at the same time)."""
    restarted = ExportJob.objects.filter(condition, pk=job.pk).update(
        status=ExportStatus.QUEUED, processed_rows=0, message="", finished_at=None, updated_at=timezone.now()
    )
    if restarted:
        _enqueue(job)
    return bool(restarted)


def export_job_retry(*, job: ExportJob) -> ExportJob:
    """Queue again a job that failed, was lost, or whose file has disappeared; any other job is left alone."""
    now = timezone.now()
    condition = (
        Q(status=ExportStatus.FAILED)
        | Q(status=ExportStatus.RUNNING, updated_at__lt=now - LOST_RUNNING_AFTER)
        | Q(status=ExportStatus.QUEUED, updated_at__lt=now - LOST_QUEUED_AFTER)
    )
    if job.status == ExportStatus.DONE and not job_path(job).is_file():
        condition |= Q(status=ExportStatus.DONE)
    _requeue(job, condition)
    job.refresh_from_db()
    return job


def export_job_request(*, dataset: Dataset, file_format: str, row_count: int | None = None) -> ExportJob:
    """The background export of the current state of ``dataset`` in ``file_format``: the existing job, queued
    again if it failed or was lost, or a new one, queued. Two requests at the same time get the same job."""
    if file_format not in FORMATS:
        raise ValueError(file_format)
    if row_count is None:
        row_count = dataset.queryset().count()
    key = {
        "dataset": dataset.slug,
        "file_format": file_format,
        "fingerprint": fingerprint(dataset, row_count),
    }
    job = ExportJob.objects.filter(**key).first()
    if job is None:
        job = ExportJob(**key, total_rows=row_count)
        job.file_name = job_file_name(job)
        try:
            with transaction.atomic():
                job.save()
        except IntegrityError:  # someone else created it a moment ago
            job = ExportJob.objects.get(**key)
        else:
            _enqueue(job)
            job.refresh_from_db()
            return job
    if job_may_retry(job) or (job.status == ExportStatus.DONE and not job_path(job).is_file()):
        job = export_job_retry(job=job)  # failed, lost, or its file was deleted
    return job


def _finish(job_pk: int, status: str, **values) -> None:
    now = timezone.now()
    ExportJob.objects.filter(pk=job_pk).update(status=status, finished_at=now, updated_at=now, **values)


def _counting(rows: Iterable[dict[str, Any]], job_pk: int, total: int, written: list[int]):
    """Pass the rows on, counting them in ``written[0]`` and saving the progress every PROGRESS_EVERY rows."""
    for count, row in enumerate(rows, start=1):
        yield row
        written[0] = count
        if count % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job_pk).update(
                processed_rows=min(count, total), updated_at=timezone.now()
            )


def _remove_older_files(job: ExportJob) -> None:
    keep = job_file_name(job)
    for path in Path(settings.EXPORTS_ROOT).glob(f"{job.dataset}-*.{job.file_format}"):
        if path.name != keep and re.fullmatch(rf"{re.escape(job.dataset)}-[0-9a-f]{{12}}\.\w+", path.name):
            path.unlink(missing_ok=True)


def export_job_run(job_pk: int) -> ExportJob:
    """Write the file of a queued job (in the worker). Never raises: the job records the outcome."""
    job = ExportJob.objects.get(pk=job_pk)
    claimed = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, processed_rows=0, updated_at=timezone.now()
    )
    if not claimed:  # already done, or run twice
        return job
    dataset = dataset_get(job.dataset)
    temporary = None
    try:
        if dataset is None or job.file_format not in FORMATS:
            raise ValueError(f"Unknown dataset or format: {job}")
        total = dataset.queryset().count()
        ExportJob.objects.filter(pk=job.pk).update(total_rows=total, updated_at=timezone.now())
        target = job_path(job)
        target.parent.mkdir(parents=True, exist_ok=True)
        written = [0]
        rows = _counting(dataset.iter_rows(), job.pk, total, written)
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, renamed into place)
            dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
        )
        temporary = Path(handle.name)
        with handle:
            if job.file_format == "xlsx":
                write_xlsx(dataset, rows, handle)
            else:
                for piece in batched(text_chunks(dataset, job.file_format, rows)):
                    handle.write(piece.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
        temporary = None
    except Exception as exc:
        logger.exception("Export job %s failed", job.pk)
        _finish(job.pk, ExportStatus.FAILED, message=f"{type(exc).__name__}: {exc}"[:2000])
    else:
        _finish(
            job.pk,
            ExportStatus.DONE,
            total_rows=written[0],
            processed_rows=written[0],
            size=target.stat().st_size,
            file_name=target.name,
            message="",
        )
        _remove_older_files(job)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    job.refresh_from_db()
    return job
