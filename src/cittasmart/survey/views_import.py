"""Import and export of the records of a round (plan office).

Import: upload → check (a preview of what would be created, or the errors row by row) → confirm → import in one
transaction, in the request for small files and as a background task with a progress bar for large ones.
Export: the same columns, streamed.
"""

import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from cittasmart.core.ambiti import Ambito
from cittasmart.core.audit import log_action
from cittasmart.core.permissions import require_perm
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.survey import exporting, importing, selectors, tabular
from cittasmart.survey.models import ImportJobStatus, RecordKind

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SHOWN_ERRORS = 500


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File of records (CSV UTF-8 or XLSX)"),
        allow_empty_file=True,  # the importer says "The file is empty." for the web and the command alike
        help_text=gettext_lazy("At most 10 MB and 20,000 rows; the first row holds the column names."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


def _import_url(survey_round, job=None) -> str:
    url = reverse("survey:import", kwargs={"slug": survey_round.slug})
    return f"{url}?job={job.pk}" if job is not None else url


def _page(request, survey_round, form, result=None, status=200):
    errors = result.errors if result is not None else []
    return render(
        request,
        "survey/import.html",
        {
            "survey_round": survey_round,
            "form": form,
            "columns": tabular.COLUMNS,
            "result": result,
            "errors": [[e.row, e.column, e.message] for e in errors[:SHOWN_ERRORS]],
            "hidden_errors": (result.error_count - min(len(errors), SHOWN_ERRORS)) if result else 0,
            "max_rows": importing.MAX_ROWS,
            "jobs": importing.jobs_of_round(survey_round=survey_round, user=request.user),
        },
        status=status,
    )


def _job_page(request, survey_round, job):
    done, total = importing.job_progress(job)
    context = {
        "survey_round": survey_round,
        "job": job,
        "statuses": ImportJobStatus,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "project_count": job.counts.get(RecordKind.PROJECT, 0),
        "idea_count": job.counts.get(RecordKind.IDEA, 0),
        "preview": [
            {
                "row": row,
                "kind": RecordKind(kind).label,
                "title": title,
                "owner": owner,
                "ambito": Ambito(ambito).label,
            }
            for row, kind, title, owner, ambito in job.preview
        ],
        "errors": job.errors[:SHOWN_ERRORS],
        "hidden_errors": max(0, len(job.errors) - SHOWN_ERRORS),
        "background": job.total_rows > importing.BACKGROUND_THRESHOLD,
        "refresh_url": _import_url(survey_round, job),
    }
    if request.htmx:
        return render(request, "survey/import_job.html#progress", context)
    return render(request, "survey/import_job.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("survey.import")
def import_records(request, slug):
    require_perm(request.user, "survey.import_records")
    survey_round = selectors.round_get(slug=slug, user=request.user)

    if request.method == "GET":
        if "job" in request.GET:
            job = importing.job_for_user(survey_round=survey_round, pk=request.GET["job"], user=request.user)
            if job is None:
                raise Http404
            return _job_page(request, survey_round, job)
        return _page(request, survey_round, ImportUploadForm())

    action = request.POST.get("action", "check")
    if action in ("confirm", "discard"):
        job = importing.job_for_user(
            survey_round=survey_round, pk=request.POST.get("job", ""), user=request.user
        )
        if job is None:
            raise Http404
        if action == "discard":
            if job.status == ImportJobStatus.PREVIEWED:
                job.delete()
                messages.info(request, _("The file has been discarded: nothing was imported."))
            return redirect(_import_url(survey_round))
        job = importing.job_confirm(job=job)  # the job's page tells the outcome, or shows the progress
        return redirect(_import_url(survey_round, job))

    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, survey_round, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        importing.check_size(upload.size)
        job, result = importing.job_create(
            actor=request.user, survey_round=survey_round, filename=upload.name, content=upload.read()
        )
    except importing.ImportFileError as exc:
        form.add_error("file", exc.message)
        return _page(request, survey_round, form, status=400)
    if job is None:
        return _page(request, survey_round, ImportUploadForm(), result=result, status=400)
    return redirect(_import_url(survey_round, job))


@require_GET
@login_required
def export_records(request, slug, fmt):
    require_perm(request.user, "survey.manage_rounds")
    if fmt not in EXPORT_TYPES:
        raise Http404
    survey_round = selectors.round_get(slug=slug, user=request.user)
    log_action(request.user, "survey.records.exported", survey_round, {"format": fmt})
    name = exporting.filename(survey_round, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(exporting.csv_lines(survey_round), content_type=EXPORT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    exporting.write_xlsx(survey_round, target)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=name, content_type=EXPORT_TYPES[fmt])
