"""The periodic jobs: the scheduler's own, and those every app lists in its ``jobs.py``.

An app adds a job by naming it in ``JOBS`` in its own ``jobs`` module (a
``dateline.lib.jobs.Job``; intervals are in seconds), which ``all_jobs`` finds
through Django's app registry: the scheduler imports no other app. Its own jobs
keep the task queue itself in order and publish what editors scheduled.
"""

from __future__ import annotations

import datetime
import functools
import logging
import traceback
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from dateline.lib.jobs import Job
from dateline.scheduler.models import JobRun

logger = logging.getLogger(__name__)


def publish_scheduled_pages() -> None:
    # Wagtail's own command: publishes pages whose go-live time has come and
    # unpublishes expired ones, so scheduling needs no cron.
    call_command("publish_scheduled", verbosity=0)


def prune_task_results() -> None:
    call_command("prune_db_task_results", min_age_days=14, verbosity=0)


def recover_lost_tasks() -> None:
    # Tasks left RUNNING by a worker that died go back to the queue (workers.py). What
    # the job saw last time tells it whether the database was away meanwhile.
    from dateline.scheduler.workers import recover_lost_tasks as recover

    previous = (
        JobRun.objects.filter(name=RECOVER_LOST_TASKS)
        .values_list("last_finished_at", flat=True)
        .first()
    )
    recover(previous)


RECOVER_LOST_TASKS = "recover-lost-tasks"
# Twice per lease, at most every 30 s: a lost task is back in the queue within about
# one and a half leases of its worker's last heartbeat.
RECOVER_EVERY = max(1, min(30, int(settings.TASK_LEASE_SECONDS // 2)))

PUBLISH_SCHEDULED = "publish-scheduled-pages"
# The scheduler's own; the apps' follow (all_jobs).
JOBS: list[Job] = [
    Job(RECOVER_LOST_TASKS, RECOVER_EVERY, recover_lost_tasks),
    Job(PUBLISH_SCHEDULED, 30, publish_scheduled_pages),
    Job("prune-task-results", 24 * 3600, prune_task_results),
]


@functools.cache
def all_jobs() -> tuple[Job, ...]:
    """The scheduler's jobs, then each installed app's ``jobs.JOBS`` in INSTALLED_APPS order."""
    found = list(JOBS)
    for app in apps.get_app_configs():
        if app.name == __package__ or not module_has_submodule(app.module, "jobs"):
            continue
        found.extend(getattr(import_module(f"{app.name}.jobs"), "JOBS", ()))
    # A job's name is its row in JobRun: two jobs sharing one would take each other's slots.
    names = [job.name for job in found]
    if shared := sorted({name for name in names if names.count(name) > 1}):
        raise ValueError(f"Scheduled jobs share a name: {', '.join(shared)}")
    return tuple(found)


def claim(job: Job, now: datetime.datetime) -> bool:
    """Take the job's current slot; True for exactly one scheduler per slot."""
    JobRun.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    with transaction.atomic():
        claimed = JobRun.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=now + datetime.timedelta(seconds=job.every), last_started_at=now
        )
    return claimed == 1


def run_due_jobs(jobs: list[Job] | None = None) -> list[str]:
    """Run every job whose time has come; returns the names of those run here."""
    ran = []
    for job in all_jobs() if jobs is None else jobs:
        if not claim(job, timezone.now()):
            continue
        error = ""
        try:
            job.run()
        except Exception:
            logger.exception("Scheduled job %s failed", job.name)
            error = traceback.format_exc()
        JobRun.objects.filter(name=job.name).update(
            last_finished_at=timezone.now(), last_error=error
        )
        ran.append(job.name)
    return ran
