"""Large exports run in the background: one job per dataset, format and state of the data, a progress page,
the file written atomically and served to everyone, failures retried."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cittasmart.opendata import exports
from cittasmart.opendata.datasets import dataset_get
from cittasmart.opendata.models import ExportJob, ExportStatus
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    OrganisationFactory,
    PlanVersionFactory,
    publish,
)
from tests.helpers import english, italian, run_together


@pytest.fixture(autouse=True)
def _exports(settings, tmp_path):
    """Large means more than 3 rows; files go to a folder of the test; tasks are queued, not run."""
    settings.OPENDATA_EXPORT_SYNC_MAX_ROWS = 3
    settings.EXPORTS_ROOT = tmp_path / "exports"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def organisations(db):
    return [OrganisationFactory(name=f"Organisation «{n}», =1+{n}") for n in range(5)]


def export_url(fmt="csv", slug="organisations"):
    return reverse("opendata:export", kwargs={"slug": slug, "fmt": fmt})


def job_url(job):
    return reverse("opendata:export_job", kwargs={"pk": job.pk})


def file_url(job):
    return reverse("opendata:export_file", kwargs={"pk": job.pk})


def test_large_export_redirects_to_one_job(client, organisations):
    response = client.get(export_url())
    assert response.status_code == 303
    job = ExportJob.objects.get()
    assert response["Location"] == job_url(job)
    assert (job.dataset, job.file_format, job.status, job.total_rows) == ("organisations", "csv", "queued", 5)
    assert job.task_id
    # Asking again (another visitor, a reload) finds the same job.
    for _n in range(3):
        assert client.get(export_url())["Location"] == job_url(job)
    assert ExportJob.objects.count() == 1
    # Another format is another job; changed data is another job.
    client.get(export_url("json"))
    OrganisationFactory()
    client.get(export_url())
    assert ExportJob.objects.count() == 3


def test_small_export_makes_no_job(client, organisations, settings):
    settings.OPENDATA_EXPORT_SYNC_MAX_ROWS = 5
    response = client.get(export_url())
    assert response.status_code == 200
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_job_runs_and_the_file_is_served(client, organisations, settings, fmt):
    client.get(export_url(fmt))
    job = ExportJob.objects.get()
    job = exports.export_job_run(job.pk)
    assert job.status == ExportStatus.DONE
    assert job.percent == 100 and job.processed_rows == job.total_rows == 5
    assert job.finished_at is not None
    path = settings.EXPORTS_ROOT / f"organisations-{job.fingerprint[:12]}.{fmt}"
    assert path.is_file() and job.size == path.stat().st_size
    assert job.file_name == path.name
    assert not list(settings.EXPORTS_ROOT.glob(".*.part"))  # the temporary file was renamed into place

    response = client.get(file_url(job))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES[fmt]
    assert response["Content-Disposition"] == f'attachment; filename="organisations.{fmt}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "public" in response["Cache-Control"]
    content = b"".join(response.streaming_content)
    if fmt != "xlsx":
        settings.OPENDATA_EXPORT_SYNC_MAX_ROWS = 100
        sync = b"".join(client.get(export_url(fmt)).streaming_content)
        assert content == sync
    else:
        assert content.startswith(b"PK")

    page = client.get(job_url(job))
    assert file_url(job) in page.content.decode()
    # A second run of the same task (delivered twice) changes nothing.
    assert exports.export_job_run(job.pk).status == ExportStatus.DONE


def test_progress_is_saved_in_steps(client, organisations, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    seen = []
    original = exports.write_xlsx

    def spy(dataset, rows, target):
        def watched():
            for row in rows:
                seen.append(ExportJob.objects.values_list("processed_rows", flat=True).get())
                yield row

        original(dataset, watched(), target)

    monkeypatch.setattr(exports, "write_xlsx", spy)
    client.get(export_url("xlsx"))
    job = ExportJob.objects.get()
    # 5 rows, progress every 2: read the job, claim it, count, total, read the rows, 2 progress updates, finish,
    # read the job again (no save per row); plus the spy's 5 reads.
    with django_assert_max_num_queries(9 + 5):
        exports.export_job_run(job.pk)
    assert seen == [0, 0, 2, 2, 4]


def test_job_page_shows_progress_and_polls(client, organisations, django_assert_max_num_queries):
    client.get(export_url())
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, processed_rows=2)
    with django_assert_max_num_queries(6):
        response = client.get(job_url(job))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="progressbar"' in html and 'aria-valuenow="40"' in html
    assert "2 of 5 rows written (40%)" in html or "2 di 5" in html
    assert f'hx-get="{job_url(job)}"' in html and 'hx-trigger="every 2s"' in html
    assert f'href="{job_url(job)}"' in html  # the link to refresh without JavaScript
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    # htmx asks only for the part that changes.
    with django_assert_max_num_queries(6):
        partial = client.get(job_url(job), headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="export-status"')
    assert "<html" not in partial.content.decode()


def test_file_of_an_unfinished_job_leads_to_its_page(client, organisations):
    client.get(export_url())
    job = ExportJob.objects.get()
    response = client.get(file_url(job))
    assert response.status_code == 303 and response["Location"] == job_url(job)
    assert client.get(reverse("opendata:export_job", kwargs={"pk": job.pk + 100})).status_code == 404


def test_failure_shows_a_message_and_retry_requeues(client, organisations, monkeypatch):
    client.get(export_url())
    job = ExportJob.objects.get()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "batched", broken)
    job = exports.export_job_run(job.pk)
    assert job.status == ExportStatus.FAILED and "disk full" in job.message
    assert job.finished_at is not None
    assert not list((exports.job_path(job).parent).glob("*"))  # no half-written file left behind
    page = client.get(job_url(job)).content.decode()
    assert italian("The export could not be completed.") in page
    assert "disk full" not in page  # the technical cause is for the log, not for the page
    assert reverse("opendata:export_retry", kwargs={"pk": job.pk}) in page
    assert "hx-get" not in page

    monkeypatch.undo()
    response = client.post(reverse("opendata:export_retry", kwargs={"pk": job.pk}))
    assert response.status_code == 303 and response["Location"] == job_url(job)
    job.refresh_from_db()
    assert job.status == ExportStatus.QUEUED and job.finished_at is None and job.message == ""
    assert ExportJob.objects.count() == 1
    assert exports.export_job_run(job.pk).status == ExportStatus.DONE


def test_retry_leaves_a_working_job_alone(client, organisations):
    client.get(export_url())
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, processed_rows=1)
    client.post(reverse("opendata:export_retry", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING and job.processed_rows == 1


def test_retry_is_a_csrf_protected_rate_limited_post(organisations, settings):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.get(export_url())
    job = ExportJob.objects.get()
    url = reverse("opendata:export_retry", kwargs={"pk": job.pk})
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    settings.RATE_LIMIT_WRITES_PER_MINUTE = 2
    relaxed = Client()
    assert [relaxed.post(url).status_code for _n in range(3)] == [303, 303, 429]


def test_a_lost_job_is_queued_again(client, organisations):
    client.get(export_url())
    job = ExportJob.objects.get()
    stale = timezone.now() - exports.LOST_RUNNING_AFTER - timedelta(minutes=1)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, processed_rows=3, updated_at=stale
    )
    job.refresh_from_db()
    assert exports.job_may_retry(job)
    assert client.get(export_url())["Location"] == job_url(job)
    job.refresh_from_db()
    assert job.status == ExportStatus.QUEUED and job.processed_rows == 0


def test_a_done_job_whose_file_disappeared_is_made_again(client, organisations):
    client.get(export_url())
    job = exports.export_job_run(ExportJob.objects.get().pk)
    exports.job_path(job).unlink()
    assert client.get(file_url(job)).status_code == 303
    page = client.get(job_url(job)).content.decode()
    assert italian("Export the current data") in page
    client.get(export_url())
    job.refresh_from_db()
    assert job.status == ExportStatus.QUEUED


def test_new_state_replaces_the_older_file(client, organisations):
    client.get(export_url())
    old = exports.export_job_run(ExportJob.objects.get().pk)
    OrganisationFactory()
    client.get(export_url())
    new = exports.export_job_run(ExportJob.objects.exclude(pk=old.pk).get().pk)
    assert new.fingerprint != old.fingerprint
    assert exports.job_path(new).is_file() and not exports.job_path(old).exists()
    assert client.get(file_url(old))["Location"] == job_url(old)


def test_immediate_backend_runs_the_task(client, organisations, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = client.get(export_url("json"))
    job = ExportJob.objects.get()
    assert response["Location"] == job_url(job)
    assert job.status == ExportStatus.DONE
    assert b'"name": "Organisation' in b"".join(client.get(file_url(job)).streaming_content)


def test_fingerprint_follows_count_changes_and_columns(organisations):
    dataset = dataset_get("organisations")
    first = exports.fingerprint(dataset, 5)
    assert first == exports.fingerprint(dataset, 5)
    assert first != exports.fingerprint(dataset, 6)
    organisations[0].save()  # a change moves the last modification time
    assert first != exports.fingerprint(dataset, 5)


def test_job_page_in_english(client, organisations):
    response = client.get(export_url())
    job = ExportJob.objects.get()
    response = client.get("/en" + job_url(job))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en"' in html
    assert english("Waiting for the export to start…") in html
    assert "Organisations" in html


def test_measurements_export_job_end_to_end(db, client, settings):
    """The dataset of the benchmark: a published version with measurements, through the worker's task."""
    version = PlanVersionFactory()
    indicator = IndicatorFactory(version=version)
    for _n in range(5):
        MeasurementFactory(indicator=indicator)
    publish(version)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.get(export_url("csv", "measurements"))
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE and job.total_rows == 5
    lines = b"".join(client.get(file_url(job)).streaming_content).decode().splitlines()
    assert len(lines) == 6 and lines[0].lstrip("\ufeff").startswith("id,key,version,indicator")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_make_one_job():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")
    for n in range(5):
        OrganisationFactory(name=f"Organisation {n}")
    dataset = dataset_get("organisations")

    def request():
        return exports.export_job_request(dataset=dataset, file_format="csv").pk

    jobs = run_together([request] * 8)
    assert len(set(jobs)) == 1 and ExportJob.objects.count() == 1
