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
