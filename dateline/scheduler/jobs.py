"""The periodic jobs, each a plain function that does one unit of work.

Apps add theirs to ``JOBS``; intervals are in seconds. A job should be quick or
enqueue a task for the workers: the scheduler runs jobs one after another.
"""

from __future__ import annotations

import datetime
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from dateline.scheduler.models import JobRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: int
    run: Callable[[], object]


def publish_scheduled_pages() -> None:
    # Wagtail's own command: publishes pages whose go-live time has come and
    # unpublishes expired ones, so scheduling needs no cron.
    call_command("publish_scheduled", verbosity=0)


def prune_task_results() -> None:
    call_command("prune_db_task_results", min_age_days=14, verbosity=0)


def expire_unconfirmed_subscribers() -> None:
    from dateline.newsletter.signup import expire_unconfirmed

    expire_unconfirmed()


def run_digest_schedule() -> None:
    from dateline.digests.editorial import run_schedule

    run_schedule()


def poll_bounce_mailbox() -> None:
    from django.conf import settings

    from dateline.digests.mailbox import poll

    if settings.BOUNCE_MAILBOX_URL:
        poll(settings.BOUNCE_MAILBOX_URL)


def poll_wire_providers() -> None:
    # Claims each due provider and hands its poll to a worker, so one slow agency
    # never holds up the scheduler's other jobs.
    from dateline.wire.tasks import poll_provider
    from dateline.wire.transports import claim_due

    for provider_id in claim_due():
        poll_provider.enqueue(provider_id)


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


def send_comment_moderation_summary() -> None:
    # The mail goes from a worker; the job only queues it, once a day.
    from dateline.comments.tasks import enqueue_safely, send_moderation_summary

    enqueue_safely(send_moderation_summary)


RECOVER_LOST_TASKS = "recover-lost-tasks"
# Twice per lease, at most every 30 s: a lost task is back in the queue within about
# one and a half leases of its worker's last heartbeat.
RECOVER_EVERY = max(1, min(30, int(settings.TASK_LEASE_SECONDS // 2)))

PUBLISH_SCHEDULED = "publish-scheduled-pages"
JOBS: list[Job] = [
    Job(RECOVER_LOST_TASKS, RECOVER_EVERY, recover_lost_tasks),
    Job("poll-wire-providers", 15, poll_wire_providers),
    Job("poll-bounce-mailbox", 300, poll_bounce_mailbox),
    Job("digests", 60, run_digest_schedule),
    Job("expire-unconfirmed-subscribers", 3600, expire_unconfirmed_subscribers),
    Job(PUBLISH_SCHEDULED, 30, publish_scheduled_pages),
    Job("prune-task-results", 24 * 3600, prune_task_results),
    Job("comment-moderation-summary", 24 * 3600, send_comment_moderation_summary),
]


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
    for job in JOBS if jobs is None else jobs:
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
