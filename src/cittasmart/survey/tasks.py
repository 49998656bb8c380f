"""Background tasks of the survey (django-tasks; the worker is ``manage.py db_worker``)."""

from django_tasks import task


@task()
def import_records(job_pk: int) -> str:
    """Import a confirmed file of records (see ``importing.job_run``); returns the job's final status."""
    from cittasmart.survey.importing import job_run

    return job_run(job_pk).status
