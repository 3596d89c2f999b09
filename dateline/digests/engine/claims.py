"""Claims: which deliveries a run holds, and what it writes back to them.

A run claims a batch of its issue's rows (``state = 'sending'``, its own claim id
and time) and every later write goes to rows it still holds: a run taken for dead
(STALE_CLAIM) whose rows another run took over changes nothing.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dateline.digests.models import Delivery, DigestIssue, delivery_token
from dateline.newsletter.models import Subscriber

State = Delivery.State
MAX_ATTEMPTS = 5
# Delay before the next try after a temporary failure, by attempts so far.
RETRY_DELAYS = (60, 300, 900, 3600)
# A row left in 'sending' this long belongs to a worker that died; others may take it.
STALE_CLAIM = datetime.timedelta(minutes=15)
# Ids per UPDATE when settling a batch's rows.
SETTLE_CHUNK = 5000


@dataclass(slots=True)
class Reader:
    """The subscriber of a claimed delivery, as the engine needs it: plain values."""

    pk: int
    email: str
    status: str
    public_id: str
    token_key: str

    @property
    def is_active(self) -> bool:
        return self.status == Subscriber.Status.ACTIVE


@dataclass(slots=True)
class Claimed:
    """A delivery this worker holds, as plain values read in the claim's own query.

    Model objects cost more to build than the splice of a reader's message, and
    a worker handles thousands a second; the rest of the engine reads only these.
    """

    pk: int
    issue_id: int
    email: str
    sections_key: str
    attempts: int
    claimed_by: str
    subscriber: Reader | None
    token: str  # models.delivery_token: for the bounce address and the Message-ID

    @property
    def section_ids(self) -> frozenset[int] | None:
        """None for every section."""
        if self.sections_key == "all":
            return None
        return frozenset(int(x) for x in self.sections_key.split(","))


def any_of(column: str, values: list[Any], name: str) -> tuple[str, dict[str, Any]]:
    """``column`` is one of ``values`` (ids or strings): SQL and its one parameter, ``name``.

    ``IN (%s, %s, …)`` with hundreds of parameters costs the driver time to rewrite
    on every statement; one array (PostgreSQL) or one JSON list (SQLite) costs next
    to nothing. On PostgreSQL ids go as one array literal in text, because psycopg
    would quote each element of a list in Python. ``column`` is ours, never input.
    """
    if db_connection.vendor == "postgresql":
        if values and all(type(value) is int for value in values):
            return (
                f"{column} = ANY(%({name})s::bigint[])",
                {name: "{" + ",".join(map(str, values)) + "}"},
            )
        return (
            f"{column} = ANY(ARRAY(SELECT jsonb_array_elements_text(%({name})s::jsonb)))",
            {name: json.dumps(values)},
        )
    return f"{column} IN (SELECT value FROM json_each(%({name})s))", {name: json.dumps(values)}  # noqa: S608


# What a claimable row is: waiting (and due), or held by a run that died. The claim
# walks the issue's rows in id order on the (issue, id) index and tests this on each.
_CLAIMABLE = (
    "((state = 'queued' AND (retry_at IS NULL OR retry_at <= %(now)s))"
    " OR (state = 'sending' AND claimed_at < %(stale_before)s))"
)


def claimable(issue: DigestIssue, now: datetime.datetime) -> Q:
    """The issue's rows a worker may claim, for the ORM: _CLAIMABLE's two kinds."""
    waiting = Q(state=State.QUEUED) & (Q(retry_at__isnull=True) | Q(retry_at__lte=now))
    abandoned = Q(state=State.SENDING, claimed_at__lt=now - STALE_CLAIM)
    return Q(issue=issue) & (waiting | abandoned)


def _claim_sql(vendor: str) -> str:
    """Take up to ``size`` claimable rows of the issue past ``after``, for one run.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` in a materialised CTE, so the rows are
    picked once and any number of workers pass each other by. SQLite has one
    writer at a time, so the conditional UPDATE alone decides who gets a row (and
    before 3.35 it knows no ``MATERIALIZED``).
    """
    table = Delivery._meta.db_table
    postgresql = vendor == "postgresql"
    lock = "FOR UPDATE SKIP LOCKED" if postgresql else ""
    materialized = "MATERIALIZED" if postgresql else ""
    return f"""
        WITH picked AS {materialized} (
            SELECT id FROM {table} WHERE issue_id = %(issue)s AND {_CLAIMABLE}
                AND id > %(after)s
            ORDER BY id LIMIT %(size)s {lock}
        )
        UPDATE {table} SET state = 'sending', claimed_by = %(claim)s, claimed_at = %(now)s
        WHERE id IN (SELECT id FROM picked)
    """  # noqa: S608 - table and condition are ours, values are parameters


def _claim_and_read_sql() -> str:
    """PostgreSQL: _claim_sql's claim and _claimed_rows_sql's read in one statement.

    One round trip and no second look-up of the rows just taken.
    """
    subscribers = Subscriber._meta.db_table
    return f"""
        WITH taken AS ({_claim_sql("postgresql")}
            RETURNING id, email, sections_key, attempts, subscriber_id)
        SELECT t.id, t.email, t.sections_key, t.attempts,
               s.id, s.email, s.status, s.public_id, s.token_key
        FROM taken t LEFT JOIN {subscribers} s ON s.id = t.subscriber_id
        ORDER BY t.id
    """  # noqa: S608 - table names from the models, values as parameters


def _claimed_rows_sql() -> str:
    """The rows one claim took, with their subscribers (the claim's own time finds them)."""
    return f"""
        SELECT d.id, d.email, d.sections_key, d.attempts,
               s.id, s.email, s.status, s.public_id, s.token_key
        FROM {Delivery._meta.db_table} d
        LEFT JOIN {Subscriber._meta.db_table} s ON s.id = d.subscriber_id
        WHERE d.issue_id = %(issue)s AND d.state = 'sending' AND d.claimed_by = %(claim)s
          AND d.claimed_at = %(now)s
        ORDER BY d.id
    """  # noqa: S608 - table names from the models, values as parameters


def claim_batch(
    issue: DigestIssue, worker_id: str, size: int = 200, after: int = 0
) -> list[Claimed]:
    """Up to ``size`` deliveries that this worker, and no other, now holds.

    ``after``: only rows with a greater id (see Feeder.feed). Empty only when nothing
    (past ``after``) is claimable. Each claim's rows carry its own time, so one read
    after the claim finds exactly them.
    """
    vendor = db_connection.vendor
    # Raw SQL: datetimes as the ORM stores them (SQLite: naive UTC text).
    at = db_connection.ops.adapt_datetimefield_value
    now = timezone.now()
    params = {
        "issue": issue.pk,
        "now": at(now),
        "stale_before": at(now - STALE_CLAIM),
        "after": after,
        "size": size,
        "claim": worker_id,
    }
    with transaction.atomic(), db_connection.cursor() as cursor:
        if vendor == "postgresql":
            # The (issue, id) index hands out rows in id order with no sort. Right after
            # the approval the statistics say the issue has a few rows, and the planner
            # would rather read all of them into a bitmap and sort them, every batch.
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(_claim_and_read_sql(), params)
            rows = cursor.fetchall()
        else:
            cursor.execute(_claim_sql(vendor), params)
            if not cursor.rowcount:
                return []
            cursor.execute(
                _claimed_rows_sql(), {"issue": issue.pk, "claim": worker_id, "now": at(now)}
            )
            rows = cursor.fetchall()
    secret = settings.SECRET_KEY
    return [
        Claimed(
            pk=pk,
            issue_id=issue.pk,
            email=email,
            sections_key=sections_key,
            attempts=attempts,
            claimed_by=worker_id,
            subscriber=None if reader[0] is None else Reader(*reader),
            token=delivery_token(pk, secret),
        )
        for pk, email, sections_key, attempts, *reader in rows
    ]


# One delivery's outcome --------------------------------------------------------------


def retry_later(delivery: Claimed, error: str) -> str:
    """Back to the queue after a growing delay, or failed after MAX_ATTEMPTS; its state."""
    attempts = delivery.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        finish(delivery, State.FAILED, error=error, attempts=attempts)
        return State.FAILED
    delay = RETRY_DELAYS[min(attempts - 1, len(RETRY_DELAYS) - 1)]
    Delivery.objects.filter(pk=delivery.pk).update(
        state=State.QUEUED,
        attempts=attempts,
        retry_at=timezone.now() + datetime.timedelta(seconds=delay),
        claimed_by="",
        claimed_at=None,
        last_error=error[:500],
    )
    return State.QUEUED


def finish(delivery: Claimed, state: str, *, error: str = "", **fields: Any) -> None:
    """Give the delivery its final ``state``."""
    if state == State.SENT:
        fields["sent_at"] = timezone.now()
        fields.setdefault("attempts", delivery.attempts + 1)
    Delivery.objects.filter(pk=delivery.pk).update(state=state, last_error=error[:500], **fields)


# Many held rows at once --------------------------------------------------------------


def _slices(ids: list[int], size: int = SETTLE_CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def settle_held(
    ids: list[int] | None, claim_id: str, assignments: str, values: dict[str, Any]
) -> int:
    """Apply ``assignments`` (SQL, ours, with named ``values``) to the rows of ``ids`` this
    run still holds; how many it changed.

    ``ids=None``: every row the run holds. Rows another run took over meanwhile
    (this one was taken for dead) are left alone.
    """
    table = Delivery._meta.db_table
    held = "state = 'sending' AND claimed_by = %(claim)s"
    done = 0
    with db_connection.cursor() as cursor:
        for chunk in [None] if ids is None else _slices(ids):
            where, params = held, {**values, "claim": claim_id}
            if chunk is not None:
                match, id_param = any_of("id", chunk, "ids")
                where, params = f"{match} AND {held}", {**params, **id_param}
            sql = f"UPDATE {table} SET {assignments} WHERE {where}"  # noqa: S608 - ours
            cursor.execute(sql, params)
            done += cursor.rowcount
    return done


def mark_sent(ids: list[int], claim_id: str) -> int:
    """One UPDATE for many accepted deliveries (only rows this run still holds)."""
    if not ids:
        return 0
    now = db_connection.ops.adapt_datetimefield_value(timezone.now())
    assignments = (
        "state = %(state)s, sent_at = %(sent_at)s, attempts = attempts + 1, last_error = ''"
    )
    return settle_held(ids, claim_id, assignments, {"state": State.SENT, "sent_at": now})


def release(claim_id: str, ids: list[int] | None = None) -> int:
    """Give rows this run holds but did not try back to the queue, untouched."""
    assignments = "state = %(state)s, claimed_by = '', claimed_at = NULL"
    return settle_held(ids, claim_id, assignments, {"state": State.QUEUED})
