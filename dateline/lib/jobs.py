"""A scheduled job, as an app lists it in its own ``jobs.py``.

``dateline scheduler`` (dateline/scheduler/jobs.py) reads ``JOBS`` from the
``jobs`` module of every installed app, so each app adds its own jobs and the
scheduler imports none of them (docs/decisions/0011-layers.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    """``run`` every ``every`` seconds, by one scheduler at a time, under a unique ``name``.

    A job should be quick or enqueue a task for the workers: the scheduler runs jobs
    one after another.
    """

    name: str
    every: int
    run: Callable[[], object]
