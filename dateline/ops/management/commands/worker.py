from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from dateline.lib.warmup import warm_up
from dateline.scheduler.workers import Heartbeat, beat, new_worker_id

logger = logging.getLogger(__name__)

# Waits between attempts while the database is away, growing to the last.
DATABASE_WAITS = (1.0, 2.0, 5.0, 10.0, 30.0)


class TaskWorker(DbWorker):
    """django-tasks-db's worker, keeping the log levels of settings.LOGGING.

    Its own setup raises the task loggers to INFO, a line for every task started
    and finished; the settings keep those quiet and failures loud. ``-v 2`` still
    shows every task.
    """

    def configure_logging(self, verbosity: int) -> None:
        if verbosity > 1:
            super().configure_logging(verbosity)


class Command(BaseCommand):
    help = "Run background tasks (mail, purges, imports) until stopped. Start as many as needed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-name", default="*", help="Queues to take, '*' for all")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty")
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument(
            "--worker-id", default="", help="Unique among workers (default: host:pid:random)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kwargs: dict[str, Any] = {
            "queue_name": options["queue_name"],
            "interval": options["interval"],
            "batch": options["batch"],
            "verbosity": options["verbosity"],
            "worker_id": options["worker_id"] or new_worker_id(),
        }
        if options["max_tasks"]:
            kwargs["max_tasks"] = options["max_tasks"]
        # Alive as long as the process is, whatever its task does: the scheduler puts
        # the task of a worker whose heartbeat stopped back in the queue
        # (dateline/scheduler/workers.py).
        warm_up()
        heartbeat = Heartbeat(kwargs["worker_id"])
        heartbeat.start()
        try:
            self.work(kwargs, options["batch"])
        finally:
            heartbeat.stop()

    def work(self, kwargs: dict[str, Any], batch: bool) -> None:
        failures = 0
        while True:
            started = time.monotonic()
            try:
                # Before the first task is claimed, so a task never runs in the name
                # of a worker the scheduler has not heard of.
                beat(kwargs["worker_id"])
                call_command(TaskWorker(), **kwargs)
                return
            except DatabaseError as error:
                # django-tasks-db's loop ends on the first database error while it looks
                # for work: a PostgreSQL restart would stop every worker at once. Wait
                # for the database instead (SIGTERM still stops the worker meanwhile).
                if batch:
                    raise
                if time.monotonic() - started > 60:
                    failures = 0  # it had come back: a new outage starts with short waits
                wait = DATABASE_WAITS[min(failures, len(DATABASE_WAITS) - 1)]
                failures += 1
                logger.warning(
                    "The database is unavailable (%s); trying again in %g s", error, wait
                )
                with contextlib.suppress(DatabaseError):
                    connections.close_all()
                time.sleep(wait)
