"""Handing issues to the workers, and giving stalled ones workers again.

Part of the editors' side (editorial re-exports it): approval hands an issue over;
the scheduler finds issues whose workers stopped.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dateline.digests import engine
from dateline.digests.models import DigestIssue

Status = DigestIssue.Status


def enqueue_sending(issue: DigestIssue) -> None:
    """Hand the issue to the workers: several tasks share it (claims keep them apart)."""
    from dateline.digests.tasks import send_issue_task

    for _ in range(settings.DIGEST_SEND_TASKS):
        transaction.on_commit(lambda: send_issue_task.enqueue(issue.pk))


def _waiting_tasks(issue: DigestIssue) -> int:
    """Send tasks for the issue still queued or running (task database only)."""
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        return 0
    from django_tasks_db.models import DBTaskResult

    from dateline.digests.tasks import send_issue_task

    rows = DBTaskResult.objects.filter(
        task_path=send_issue_task.module_path, status__in=["READY", "RUNNING"]
    ).values_list("args_kwargs", flat=True)
    return sum(1 for row in rows if (row or {}).get("args") == [issue.pk])


# An approval still queueing readers this long after it began has died: a million
# readers are queued in seconds.
APPROVAL_STALE = datetime.timedelta(minutes=15)


def resume_stalled(now: datetime.datetime | None = None) -> list[DigestIssue]:
    """Issues being sent with deliveries waiting and no worker on them get workers again.

    Covers retries that came due after the workers finished and workers that died.
    """
    now = now or timezone.now()
    resumed = []
    # An approval that died between two chunks of readers (engine.approve): queue the rest.
    for issue in DigestIssue.objects.filter(
        status__in=[Status.APPROVED, Status.SENDING, Status.PAUSED],
        queueing=True,
        approved_at__lt=now - APPROVAL_STALE,
    ):
        engine.approve(issue)
    for issue in DigestIssue.objects.filter(status__in=[Status.APPROVED, Status.SENDING]):
        deliveries = issue.deliveries
        busy = deliveries.filter(
            state=engine.State.SENDING, claimed_at__gte=now - engine.STALE_CLAIM
        ).exists()
        if busy or not deliveries.filter(engine.claimable(issue, now)).exists():
            engine.finish_if_done(issue)
            continue
        if _waiting_tasks(issue):
            continue  # workers have it in their queue already (a busy or stopped worker)
        enqueue_sending(issue)
        resumed.append(issue)
    return resumed
