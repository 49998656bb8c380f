"""Background tasks of the open data (django-tasks; the worker is ``manage.py db_worker``)."""

from django_tasks import task


@task()
def export_dataset(job_pk: int) -> str:
    """Write the file of a large export (see ``exports.export_job_run``); returns the job's final status."""
    from cittasmart.opendata.exports import export_job_run

    return export_job_run(job_pk).status
