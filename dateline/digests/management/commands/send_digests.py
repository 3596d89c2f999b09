"""Create the digest issues that are due, release them and send them in this process.

Without ``--now`` it does what the scheduler's digest job does (drafts ahead of
their slots, release at the slot: see editorial.py) and then sends every approved
issue itself. ``--now`` makes and approves an issue per cadence at once.
"""

from __future__ import annotations

import os
import socket
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from dateline.digests import editorial, engine
from dateline.digests.models import Delivery, DigestIssue
from dateline.digests.selection import create_due_issue
from dateline.newsletter.models import Cadence


class Command(BaseCommand):
    help = "Create the digest issues that are due (or, with --now, one per cadence) and send them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            action="store_true",
            help="Make and send an issue for every cadence right now, whatever the schedule",
        )
        parser.add_argument("--worker-id", default="", help="This worker's name in claimed rows")
        parser.add_argument(
            "--batch", type=int, default=None, help="Deliveries claimed at a time (DIGEST_BATCH)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        worker_id = options["worker_id"] or f"{socket.gethostname()}:{os.getpid()}"
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        if options["now"]:
            released: list[DigestIssue] = []
            for cadence in Cadence.values:
                issue = create_due_issue(cadence, now, at_once=True)
                if issue is not None:
                    editorial.approve(issue, now=now, hand_to_workers=False)
                    released.append(issue)
        else:
            editorial.prepare_drafts(now)
            released = editorial.release_due(now, hand_to_workers=False)
        for issue in released:
            readers = Delivery.objects.filter(issue=issue).count()
            stories = issue.stories.filter(dropped=False).count()
            console.print(f"New issue: {issue} with {stories} stories, {readers} readers")
        # Also whatever earlier runs (or other workers) left unfinished.
        issues = DigestIssue.objects.filter(
            status__in=[DigestIssue.Status.APPROVED, DigestIssue.Status.SENDING]
        ).order_by("slot_at")
        if not issues:
            console.print("Nothing to send.")
            return
        for issue in issues:
            self._send(console, issue, worker_id, options["batch"])

    def _send(
        self, console: Console, issue: DigestIssue, worker_id: str, batch: int | None
    ) -> None:
        deliveries = Delivery.objects.filter(issue=issue)
        total = deliveries.count()
        done = deliveries.exclude(state__in=[Delivery.State.QUEUED, Delivery.State.SENDING]).count()
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task(str(issue), total=total, completed=done)

            def advance(counts: dict[str, int]) -> None:
                finished = sum(n for state, n in counts.items() if state != Delivery.State.QUEUED)
                progress.advance(task, finished)

            totals = engine.send_issue(issue, worker_id, batch_size=batch, on_batch=advance)
        issue.refresh_from_db()
        summary = ", ".join(f"{n} {state}" for state, n in sorted(totals.items())) or "nothing"
        console.print(f"{issue}: {summary}; issue is {issue.get_status_display().lower()}.")
