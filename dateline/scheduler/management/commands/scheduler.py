from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from dateline.scheduler.jobs import PUBLISH_SCHEDULED, all_jobs, run_due_jobs


class Command(BaseCommand):
    help = "Run periodic jobs (scheduled publishing, and more) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due, then exit")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between checks")

    def handle(self, *args: Any, once: bool, interval: float, **options: Any) -> None:
        self.running = True

        def stop(signum: int, frame: FrameType | None) -> None:
            self.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if not once:
            # What an editor waits for, in the words of docs/editors.md; how often the
            # loop wakes (--interval) is a detail of when a due job starts.
            every = {job.name: job.every for job in all_jobs()}
            self.stdout.write(
                "Scheduler running: scheduled stories go live within "
                f"{every[PUBLISH_SCHEDULED]} s of their time; digests, wire polls and "
                "the other jobs run when due."
            )
        while self.running:
            close_old_connections()
            for name in run_due_jobs():
                if options["verbosity"] > 1:
                    self.stdout.write(f"ran {name}")
            if once:
                break
            deadline = time.monotonic() + interval
            while self.running and time.monotonic() < deadline:
                time.sleep(0.2)
        close_old_connections()
