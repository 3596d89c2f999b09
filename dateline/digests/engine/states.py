"""The issue's states as the engine moves it: sending, paused, resumed, sent.

An approved issue becomes ``sending`` when the first worker starts on it and
``sent`` when every reader is queued (``queueing`` is off) and no delivery waits
or is in flight. Too many failures pause it; an editor resumes it.
"""

from __future__ import annotations

from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Count, Q

from dateline.digests.engine.claims import State
from dateline.digests.models import Delivery, DigestIssue


def start_sending(issue: DigestIssue) -> bool:
    """Mark an approved issue sending; False if it is neither approved nor sending."""
    if issue.status not in (DigestIssue.Status.APPROVED, DigestIssue.Status.SENDING):
        return False
    DigestIssue.objects.filter(pk=issue.pk, status=DigestIssue.Status.APPROVED).update(
        status=DigestIssue.Status.SENDING
    )
    return True


def status_now(issue: DigestIssue) -> tuple[str, bool]:
    """The issue's status and queueing flag now, in SQL: a worker reads it before every claim."""
    sql = f"SELECT status, queueing FROM {DigestIssue._meta.db_table} WHERE id = %s"  # noqa: S608
    with db_connection.cursor() as cursor:
        cursor.execute(sql, [issue.pk])
        row = cursor.fetchone()
    return (row[0], bool(row[1])) if row else ("", False)


def failure_counts(issue: DigestIssue) -> tuple[int, int]:
    """(tried, failed) so far: failed counts hard failures, bounces and pending retries."""
    failing = Q(state__in=[State.FAILED, State.BOUNCED]) | Q(state=State.QUEUED, attempts__gt=0)
    counts = Delivery.objects.filter(issue=issue).aggregate(
        sent=Count("id", filter=Q(state=State.SENT)), failed=Count("id", filter=failing)
    )
    return counts["sent"] + counts["failed"], counts["failed"]


def pause(issue: DigestIssue, reason: str) -> bool:
    """Stop sending the issue (workers finish the message in hand); False if it was not sending."""
    paused = DigestIssue.objects.filter(
        pk=issue.pk, status__in=[DigestIssue.Status.APPROVED, DigestIssue.Status.SENDING]
    ).update(status=DigestIssue.Status.PAUSED, pause_reason=reason[:500])
    if paused:
        issue.status, issue.pause_reason = DigestIssue.Status.PAUSED, reason[:500]
    return bool(paused)


def resume(issue: DigestIssue) -> None:
    """Let a paused issue go on; its failure rate counts afresh from now.

    Workers (``send-digests``, the scheduler's stalled-issue job) pick it up again.
    """
    with transaction.atomic():
        current = DigestIssue.objects.select_for_update().get(pk=issue.pk)
        if current.status != DigestIssue.Status.PAUSED:
            raise ValueError(f"{current} is {current.get_status_display().lower()}, not paused")
        tried, failed = failure_counts(current)
        DigestIssue.objects.filter(pk=issue.pk).update(
            status=DigestIssue.Status.SENDING,
            pause_reason="",
            tried_at_resume=tried,
            failed_at_resume=failed,
        )
    issue.refresh_from_db()


def finish_if_done(issue: DigestIssue) -> bool:
    """Mark the issue sent once every reader is queued and none is waiting or in flight."""
    pending = Delivery.objects.filter(issue=issue, state__in=[State.QUEUED, State.SENDING])
    if pending.exists():
        return False
    DigestIssue.objects.filter(
        pk=issue.pk,
        status__in=[DigestIssue.Status.APPROVED, DigestIssue.Status.SENDING],
        queueing=False,
    ).update(status=DigestIssue.Status.SENT)
    issue.refresh_from_db(fields=["status", "queueing"])
    return not issue.queueing
