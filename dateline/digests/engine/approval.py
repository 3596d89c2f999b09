"""Approval: one queued delivery per reader on the issue's newsletter, made in SQL.

A reader is on it with an open Subscription; a digest goes only to its cadence's readers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Max, Min, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dateline.digests.engine.claims import State
from dateline.digests.models import Delivery, DigestIssue
from dateline.newsletter.models import Subscriber, Subscription, Suppression

# Readers queued a transaction (by subscriber id: ids are nearly dense). The first chunk
# is small, so that workers start sending within milliseconds of an approval while the
# rest of the list is queued; chunks then grow to this size.
APPROVE_CHUNK = 50_000
APPROVE_FIRST_CHUNK = 2_000


def id_ranges(first: int, last: int, size: int, largest: int) -> Iterator[tuple[int, int]]:
    """Ranges ``(after, up_to]`` covering ids ``first`` to ``last``, at least one.

    Each is four times the one before, up to ``largest``.
    """
    after = first - 1
    while True:
        up_to = min(after + size, last)
        yield after, up_to
        if up_to >= last:
            return
        after, size = up_to, min(size * 4, largest)


def _sections_sql(vendor: str, through: str) -> str:
    """subscriber_id -> chosen section ids, sorted and comma separated (Delivery.sections_key).

    ``through`` is a model's table name, never input. Parameters: the range of
    subscriber ids (``after``, ``up_to``).
    """
    if vendor == "postgresql":
        return (
            "SELECT subscriber_id, string_agg(sectionpage_id::text, ',' ORDER BY sectionpage_id) "  # noqa: S608
            f"AS sections_key FROM {through} "
            "WHERE subscriber_id > %(after)s AND subscriber_id <= %(up_to)s "
            "GROUP BY subscriber_id"
        )
    return (
        "SELECT subscriber_id, group_concat(sectionpage_id, ',') AS sections_key FROM "  # noqa: S608
        f"(SELECT subscriber_id, sectionpage_id FROM {through} "
        "WHERE subscriber_id > %(after)s AND subscriber_id <= %(up_to)s "
        "ORDER BY subscriber_id, sectionpage_id) GROUP BY subscriber_id"
    )


def _insert_sql(vendor: str, digest: bool) -> str:
    """The deliveries of a range of readers, suppressed addresses marked at once.

    ``digest``: only the issue's cadence, with each reader's sections; other kinds go
    to every reader of the newsletter whole (sections_key 'all').
    """
    through = Subscriber.sections.through._meta.db_table
    sections, sections_join, cadence = "'all'", "", ""
    if digest:
        sections = "COALESCE(k.sections_key, 'all')"
        sections_join = f"LEFT JOIN ({_sections_sql(vendor, through)}) k ON k.subscriber_id = s.id"
        cadence = "AND s.cadence = %(cadence)s"
    # The range again inside EXISTS: the (newsletter, subscriber) index then reads only
    # this chunk's subscriptions, not the newsletter's whole list for every chunk.
    return f"""
        INSERT INTO {Delivery._meta.db_table}
            (issue_id, subscriber_id, email, sections_key, state, attempts, claimed_by,
             last_error)
        SELECT %(issue)s, s.id, s.email, {sections},
            CASE WHEN sup.email IS NULL THEN %(queued)s ELSE %(suppressed)s END, 0, '',
            CASE WHEN sup.email IS NULL THEN '' ELSE %(suppressed_why)s END
        FROM {Subscriber._meta.db_table} s
        {sections_join}
        LEFT JOIN (SELECT DISTINCT lower(email) AS email FROM {Suppression._meta.db_table}) sup
            ON sup.email = lower(s.email)
        WHERE s.status = %(active)s {cadence}
            AND s.id > %(after)s AND s.id <= %(up_to)s
            AND EXISTS (
                SELECT 1 FROM {Subscription._meta.db_table} ns
                WHERE ns.newsletter_id = %(newsletter)s AND ns.subscriber_id = s.id
                    AND ns.subscriber_id > %(after)s AND ns.subscriber_id <= %(up_to)s
                    AND ns.left_at IS NULL
            )
        ORDER BY s.id
        ON CONFLICT (issue_id, subscriber_id) DO NOTHING
    """  # noqa: S608 - table names from the models, values as parameters


def approve(
    issue: DigestIssue,
    *,
    on_first_chunk: Callable[[], None] | None = None,
    chunk: int = APPROVE_CHUNK,
) -> int:
    """Approve the issue and queue one delivery per reader; returns the issue's deliveries.

    The readers: active, with an open subscription to the issue's newsletter, and for a
    digest of the issue's cadence (a written issue to the digest goes to every cadence).

    One INSERT … SELECT a chunk of readers, in the database: nothing passes through
    Python (a million readers take seconds, and no memory here). Deliveries are
    made, and so sent, in the readers' order. Each chunk commits
    on its own, so the workers can send the first readers while the others are
    queued; the issue is ``queueing`` until the last chunk, and no worker calls it
    sent before (docs/decisions/0007). ``on_first_chunk`` runs after the first
    commit: where to start the workers. Approving again queues only readers who
    have no delivery of this issue yet, and finishes an approval that died midway.
    Readers on the suppression list get a ``suppressed`` delivery, for the record.
    """
    waiting = (DigestIssue.Status.DRAFT, DigestIssue.Status.SCHEDULED)
    if issue.status not in (*waiting, DigestIssue.Status.APPROVED) and not (
        issue.queueing and issue.status in (DigestIssue.Status.SENDING, DigestIssue.Status.PAUSED)
    ):
        raise ValueError(
            f"Issue {issue.pk} is {issue.status}: only drafts and scheduled issues can be approved"
        )
    vendor = db_connection.vendor
    digest = issue.kind == DigestIssue.Kind.DIGEST
    sql = _insert_sql(vendor, digest)
    fixed: dict[str, Any] = {
        "issue": issue.pk,
        "queued": State.QUEUED,
        "suppressed": State.SUPPRESSED,
        "suppressed_why": "on the suppression list",
        "active": Subscriber.Status.ACTIVE,
        "cadence": issue.cadence,
        "newsletter": issue.newsletter_id,
    }
    readers = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE)
    if digest:
        readers = readers.filter(cadence=issue.cadence)
    span = readers.aggregate(first=Min("id"), last=Max("id"))
    last_id = span["last"] or 0
    ranges = id_ranges(span["first"] or 1, last_id, min(APPROVE_FIRST_CHUNK, chunk), chunk)
    for n, (after, up_to) in enumerate(ranges):
        first = n == 0
        with transaction.atomic(), db_connection.cursor() as cursor:
            if vendor == "postgresql":
                # Right after a big import the statistics still say "a few readers", and a
                # nested loop over the sections would then take minutes instead of seconds.
                cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute(sql, {**fixed, "after": after, "up_to": up_to})
            if first:
                DigestIssue.objects.filter(pk=issue.pk, status__in=waiting).update(
                    status=DigestIssue.Status.APPROVED
                )
                DigestIssue.objects.filter(pk=issue.pk).update(
                    approved_at=Coalesce("approved_at", Value(timezone.now())),
                    queueing=up_to < last_id,
                )
            elif up_to >= last_id:
                DigestIssue.objects.filter(pk=issue.pk).update(queueing=False)
        if first:
            issue.refresh_from_db(fields=["status", "queueing"])
            if on_first_chunk is not None:
                on_first_chunk()
    issue.queueing = False
    return Delivery.objects.filter(issue=issue).count()
