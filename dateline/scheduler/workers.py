"""Tasks whose worker died: worker heartbeats, and putting their tasks back in the queue.

django-tasks-db marks a task RUNNING when a worker claims it, and only that worker
ever changes it again: a worker killed with SIGKILL (the OOM killer, a lost machine)
leaves it RUNNING for good. Nobody runs it again, and a digest send that looks
RUNNING keeps the scheduler's stalled-issue job from handing the issue out again.

* Every `dateline worker` records a heartbeat (``WorkerHeartbeat.seen_at``) from a
  thread of its own every TASK_HEARTBEAT_SECONDS, however long its task runs, so a
  slow task is never mistaken for a lost one.
* The scheduler's ``recover-lost-tasks`` job puts a RUNNING task whose worker has
  not been seen for TASK_LEASE_SECONDS back to READY (the same row: its
  ``worker_ids`` keeps one entry per attempt), or marks it FAILED once
  TASK_MAX_ATTEMPTS workers died on it, so a task that kills its worker does not
  kill them all in turn. Each change is a conditional UPDATE on the attempt's
  ``started_at``: with several schedulers, one of them makes it.
* Times are the database's (``Now()``), so the machines' clocks do not matter.

A task that is put back was running when its worker died: it runs again from the
start, so tasks must be safe to repeat (the digest send is: deliveries are claimed
row by row, and the journal of the dead run marks what the relay accepted).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import connection
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.crypto import get_random_string

from dateline.scheduler.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def new_worker_id() -> str:
    """host:pid:random, unique among workers (at most 64 characters, as django-tasks-db wants)."""
    return f"{socket.gethostname()[:45]}:{os.getpid()}:{get_random_string(6)}"


def beat(worker_id: str) -> None:
    """Record that the worker is alive (creating its row the first time)."""
    if WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=Now()):
        return
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        host=socket.gethostname(),
        pid=os.getpid(),
        started_at=timezone.now(),
        seen_at=Now(),
    )


class Heartbeat:
    """A daemon thread that beats for the worker until stopped (or until the process dies)."""

    def __init__(self, worker_id: str, every: float | None = None) -> None:
        self.worker_id = worker_id
        self.every = settings.TASK_HEARTBEAT_SECONDS if every is None else every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.loop, name="heartbeat", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def loop(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    beat(self.worker_id)
                except Exception as error:
                    # The database is away: the worker's own loop waits for it as well.
                    logger.warning("Worker heartbeat not recorded: %s", error)
                    with contextlib.suppress(Exception):
                        connection.close()
        finally:
            with contextlib.suppress(Exception):
                connection.close()

    def stop(self) -> None:
        """Stop beating. The row stays: the scheduler forgets it once it is old and no
        task is left RUNNING in the worker's name."""
        self.stopped.set()
        self.thread.join(timeout=5)


class WorkerLost(Exception):
    """Recorded on a task given up after TASK_MAX_ATTEMPTS workers died running it."""


def recover_lost_tasks(previous_check: datetime.datetime | None) -> list[str]:
    """Put the RUNNING tasks of workers not seen for the lease back in the queue; their ids.

    ``previous_check`` is when this job last finished. If that is longer ago than
    the lease, the schedulers (and most likely the workers) could not reach the
    database meanwhile, and every heartbeat looks old: this round only looks, and
    the next one, a heartbeat or more later, judges.
    """
    from django_tasks_db.models import DBTaskResult

    lease = datetime.timedelta(seconds=settings.TASK_LEASE_SECONDS)
    if previous_check is None or previous_check < timezone.now() - lease:
        return []
    stale = WorkerHeartbeat.objects.filter(seen_at__lt=Now() - lease)
    lost = set(stale.values_list("worker_id", flat=True))
    if not lost:
        return []
    recovered = []
    running = DBTaskResult.objects.filter(status="RUNNING").only(
        "id", "worker_ids", "started_at", "task_path"
    )
    for task in running:
        worker = task.worker_ids[-1] if task.worker_ids else None
        if worker not in lost:
            continue
        attempt = DBTaskResult.objects.filter(
            pk=task.pk, status="RUNNING", started_at=task.started_at
        )
        if len(task.worker_ids) >= settings.TASK_MAX_ATTEMPTS:
            message = (
                f"{len(task.worker_ids)} workers died running this task (the last: {worker}); "
                "it is not tried again."
            )
            changed = attempt.update(
                status="FAILED",
                finished_at=timezone.now(),
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"{WorkerLost.__qualname__}: {message}\n",
                return_value=None,
            )
            if changed:
                logger.error("Task %s (%s) failed: %s", task.pk, task.task_path, message)
        else:
            changed = attempt.update(status="READY", started_at=None)
            if changed:
                logger.warning(
                    "Task %s (%s) was running on worker %s, which is gone; queued again",
                    task.pk,
                    task.task_path,
                    worker,
                )
        if changed:
            recovered.append(str(task.pk))
    # Lost workers with nothing left running are forgotten.
    still_running = {
        ids[-1]
        for ids in DBTaskResult.objects.filter(status="RUNNING").values_list(
            "worker_ids", flat=True
        )
        if ids
    }
    stale.filter(worker_id__in=lost - still_running).delete()
    return recovered
