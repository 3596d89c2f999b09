"""Create the digest issues that are due, approve them and send them.

Issues are approved automatically for now; an editor preview and approval step
in the admin (issue status "draft" until then) is future work.
"""

from __future__ import annotations

import os
import socket
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from dateline.digests import engine
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
        parser.add_argument("--batch", type=int, default=200, help="Deliveries claimed at a time")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        worker_id = options["worker_id"] or f"{socket.gethostname()}:{os.getpid()}"
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        for cadence in Cadence.values:
            issue = (
                create_due_issue(cadence, now)
                if not options["now"]
                else self._issue_now(cadence, now)
            )
            if issue is not None:
                queued = engine.approve(issue)
                console.print(
                    f"New issue: {issue} with {issue.stories.count()} stories, {queued} readers"
                )
        # Also whatever earlier runs (or other workers) left unfinished.
        issues = DigestIssue.objects.filter(
            status__in=[DigestIssue.Status.APPROVED, DigestIssue.Status.SENDING]
        ).order_by("slot_at")
        if not issues:
            console.print("Nothing to send.")
            return
        for issue in issues:
            self._send(console, issue, worker_id, options["batch"])

    def _issue_now(self, cadence: str, now: Any) -> DigestIssue | None:
        return create_due_issue(cadence, now, at_once=True)

    def _send(self, console: Console, issue: DigestIssue, worker_id: str, batch: int) -> None:
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
