from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    """When a periodic job is next due; claimed with a conditional UPDATE.

    Any number of schedulers may run: the one whose UPDATE moves ``next_run_at``
    forward runs the job, the others see zero rows changed and skip it.
    """

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A `dateline worker` that is alive: its own thread moves ``seen_at`` on, task or no task.

    A task left RUNNING by a worker whose heartbeat stopped (kill -9, the OOM killer,
    a lost machine) goes back to the queue (dateline/scheduler/workers.py).
    """

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.worker_id
