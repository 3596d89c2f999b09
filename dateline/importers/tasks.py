"""The admin's imports, run by `dateline worker`."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from dateline.importers.models import ImportRun
from dateline.importers.runs import execute


@task()
def run_import_task(run_id: int) -> str:
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or run.status != ImportRun.Status.QUEUED:
        return "gone"  # deleted, or already taken by another attempt
    return execute(run).status


@task()
def index_references(label: str, pks: list[Any]) -> int:
    """The reference index for what one batch of an import saved (batch.py)."""
    from dateline.importers.batch import index_references_of

    index_references_of(label, pks)
    return len(pks)
