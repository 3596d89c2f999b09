"""What moderators do to comments, in bulk: approve, reject, mark spam, ban.

Queryset updates skip model signals, so each action refreshes the cached pages
itself when a comment readers can see (or could see before) changed, and
queues the reply mail for comments it newly publishes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from dateline.comments.models import Ban, Comment
from dateline.comments.signals import refresh_pages


def _moderate(ids: Iterable[int], status: str, reason: str = "") -> int:
    ids = list(ids)
    now = timezone.now()
    with transaction.atomic():
        comments = list(
            Comment.objects.select_for_update()
            .filter(pk__in=ids)
            .exclude(status__in=[status, Comment.Status.DELETED])
        )
        if not comments:
            return 0
        changes: dict[str, object] = {"status": status, "moderated_at": now}
        if status == Comment.Status.APPROVED:
            # Approving a reported comment is the moderator's answer to the reports.
            changes.update(report_count=0, hold_reason="")
        elif reason:
            changes["hold_reason"] = reason
        Comment.objects.filter(pk__in=[c.pk for c in comments]).update(**changes)
        seen = {c.article_id for c in comments if c.status == Comment.Status.APPROVED}
        if status == Comment.Status.APPROVED:
            seen |= {c.article_id for c in comments}
        for article_id in seen:
            refresh_pages(article_id)
        if status == Comment.Status.APPROVED:
            published = [c.pk for c in comments]
            transaction.on_commit(lambda: _after_approval(published))
    return len(comments)


def _after_approval(comment_ids: list[int]) -> None:
    from dateline.comments import tasks

    for pk in comment_ids:
        tasks.enqueue_safely(tasks.notify_reply, pk)


def approve(ids: Iterable[int]) -> int:
    return _moderate(ids, Comment.Status.APPROVED)


def reject(ids: Iterable[int]) -> int:
    return _moderate(ids, Comment.Status.REJECTED, "rejected by a moderator")


def mark_spam(ids: Iterable[int]) -> int:
    return _moderate(ids, Comment.Status.SPAM, "marked spam by a moderator")


def ban(kind: str, values: Iterable[str], days: int | None, note: str = "") -> int:
    """Ban addresses or IPs for ``days`` (None: until lifted); existing bans are replaced."""
    expires = timezone.now() + datetime.timedelta(days=days) if days else None
    values = sorted({v for v in values if v})
    with transaction.atomic():
        Ban.objects.filter(kind=kind, value__in=values).delete()
        Ban.objects.bulk_create(
            [Ban(kind=kind, value=v, expires_at=expires, note=note[:300]) for v in values]
        )
    return len(values)
