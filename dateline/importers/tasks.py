"""The admin's imports, run by `dateline worker`."""

from __future__ import annotations

from django_tasks import task

from dateline.importers.models import ImportRun
from dateline.importers.runs import execute


@task()
def run_import_task(run_id: int) -> str:
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or run.status != ImportRun.Status.QUEUED:
        return "gone"  # deleted, or already taken by another attempt
    return execute(run).status
