"""Downloads of every public dataset as CSV, JSON or XLSX (``/opendata/<dataset>.<format>``).

Up to ``OPENDATA_EXPORT_SYNC_MAX_ROWS`` rows the file is streamed in the response; a larger dataset is exported
by the background worker and the visitor is sent to a page that shows the progress and then links the file.
The data is public: anyone may use these pages, and nothing on them is personal.
"""

import tempfile

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cittasmart.core.downloads import attachment_response
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.opendata import exports
from cittasmart.opendata.datasets import dataset_get
from cittasmart.opendata.models import ExportJob, ExportStatus

# Synchronous exports reflect the data of the moment: caches may keep them a little; the files of background
# exports never change (their name holds the state of the data), so they may be kept longer.
SYNC_CACHE_CONTROL = "public, max-age=300"
FILE_CACHE_CONTROL = "public, max-age=86400"
# An XLSX file stays in memory up to this size, then moves to a temporary file on disk.
SPOOL_MAX_SIZE = 5 * 1024 * 1024


def _open_headers(response, filename: str, cache_control: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = cache_control
    return response


def _job_url(job: ExportJob) -> str:
    return reverse("opendata:export_job", kwargs={"pk": job.pk})


@require_GET
def export(request, slug, fmt):
    dataset = dataset_get(slug)
    if dataset is None or fmt not in exports.FORMATS:
        raise Http404
    row_count = dataset.queryset().count()
    if row_count > settings.OPENDATA_EXPORT_SYNC_MAX_ROWS:
        job = exports.export_job_request(dataset=dataset, file_format=fmt, row_count=row_count)
        return _see_other(_job_url(job))
    name = exports.filename(dataset, fmt)
    if fmt == "xlsx":
        target = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_SIZE)  # noqa: SIM115 (FileResponse closes it)
        exports.write_xlsx(dataset, dataset.iter_rows(), target)
        target.seek(0)
        response = FileResponse(target, content_type=exports.CONTENT_TYPES[fmt])
    else:
        chunks = exports.batched(exports.text_chunks(dataset, fmt, dataset.iter_rows()))
        response = StreamingHttpResponse(chunks, content_type=exports.CONTENT_TYPES[fmt])
    return _open_headers(response, name, SYNC_CACHE_CONTROL)


def _see_other(url: str) -> HttpResponseRedirect:
    """303: the next request is a GET, whatever the method of this one."""
    return HttpResponseRedirect(url, status=303)


def _job_context(job: ExportJob) -> dict:
    dataset = dataset_get(job.dataset)
    if dataset is None:
        raise Http404
    return {
        "job": job,
        "dataset": dataset,
        "statuses": ExportStatus,
        "percent": job.percent,
        "finished": job.status in (ExportStatus.DONE, ExportStatus.FAILED),
        "file_ready": exports.job_file_ready(job),
        "may_retry": exports.job_may_retry(job),
        "export_url": reverse("opendata:export", kwargs={"slug": dataset.slug, "fmt": job.file_format}),
        "refresh_url": _job_url(job),
    }


@require_GET
@never_cache
def export_job(request, pk):
    job = get_object_or_404(ExportJob, pk=pk)
    context = _job_context(job)
    if request.htmx:
        return render(request, "opendata/export_job.html#progress", context)
    return render(request, "opendata/export_job.html", context)


@require_POST
@rate_limit_writes("opendata.export_retry")
def export_job_retry(request, pk):
    job = get_object_or_404(ExportJob, pk=pk)
    exports.export_job_retry(job=job)
    return _see_other(_job_url(job))


@require_GET
def export_file(request, pk):
    job = get_object_or_404(ExportJob, pk=pk)
    if dataset_get(job.dataset) is None:
        raise Http404
    if not exports.job_file_ready(job):
        return _see_other(_job_url(job))
    try:
        handle = exports.job_path(job).open("rb")
    except FileNotFoundError:  # deleted between the check and now
        return _see_other(_job_url(job))
    response = attachment_response(
        handle,
        content_type=exports.CONTENT_TYPES[job.file_format],
        filename=f"{job.dataset}.{job.file_format}",
        cache_control=FILE_CACHE_CONTROL,
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
