"""The delivery engine: Delivery rows per reader, claimed in batches by any number of workers.

* ``approve`` creates one queued Delivery per active reader of the issue's
  cadence, in the database a chunk of readers at a time; workers may start on
  the first chunk while the rest are queued.
* ``claim_batch`` hands a worker rows nobody else holds: on PostgreSQL
  ``SELECT … FOR UPDATE SKIP LOCKED``; everywhere, a conditional UPDATE
  (``… WHERE state = 'queued'``) so that on SQLite, where row locks do not
  exist, the database's single writer decides who got each row.
* ``send_issue`` runs DIGEST_CONCURRENCY lanes (threads), each with its own
  persistent SMTP connection from the process's pool, claiming and sending
  batches, pipelined (smtp.send_pipelined). A delivery is ``sent`` only after
  the server accepted it; 4xx and lost connections go back to the queue with a
  growing delay, 5xx fail (and user-unknown bounces suppress the address). The
  suppression list is checked again right before sending.
* Speed: the accepted deliveries of a batch are marked sent in one UPDATE. So
  that a crash between the server's 250 and that UPDATE does not resend the
  whole batch, each accepted id is first appended to the run's journal file
  (memory-mapped, no fsync: it survives a killed process, not a lost machine). A
  worker starting on the same machine replays the journals of dead runs
  (their file lock is free) before it claims anything.
* A token bucket per relay in the database (RelayBudget) keeps every worker
  together within DIGEST_RATE_PER_SECOND and DIGEST_RATE_PER_HOUR.
* An issue whose failure rate passes DIGEST_PAUSE_FAILURE_RATE pauses itself;
  ``resume`` lets it go on.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import datetime
import fcntl
import json
import math
import mmap
import os
import queue
import re
import secrets
import smtplib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.db import connection as db_connection
from django.db.models import Count, Max, Min, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dateline.digests import dkimsign, render, smtp
from dateline.digests.models import (
    Delivery,
    DigestIssue,
    DigestStory,
    RelayBudget,
    delivery_token,
)
from dateline.newsletter import tokens
from dateline.newsletter.models import Subscriber, Suppression

State = Delivery.State
MAX_ATTEMPTS = 5
# Delay before the next try after a temporary failure, by attempts so far.
RETRY_DELAYS = (60, 300, 900, 3600)
# A row left in 'sending' this long belongs to a worker that died; others may take it.
STALE_CLAIM = datetime.timedelta(minutes=15)
# Deliveries the feeder hands a lane at a time (Run.hand_out).
HANDOFF = 25
# Seconds between looks for the next chunk of an approval still queueing readers.
QUEUEING_POLL = 0.02
HARD_BOUNCE_CODES = frozenset({550, 551, 553})
# The relay itself is out of service (RFC 5321 4.2.3: 421, closing the channel).
RELAY_UNAVAILABLE_CODE = 421
# When the relay cannot be reached, the delivery in hand waits this long; the rest go
# back to the queue, and the scheduler's stalled-issue job tries again each minute.
RELAY_RETRY = datetime.timedelta(seconds=60)
# How long a send waits for a database that went away (restarting, failing over)
# before giving up, and how many times in a row it starts again without progress.
DATABASE_WAIT_SECONDS = 300
DATABASE_RETRIES = 5


def _sections_sql(vendor: str, through: str) -> str:
    """subscriber_id -> chosen section ids, sorted and comma separated (Delivery.sections_key).

    ``through`` is a model's table name, never input. Parameters: the range of
    subscriber ids (after, up to).
    """
    if vendor == "postgresql":
        return (
            "SELECT subscriber_id, string_agg(sectionpage_id::text, ',' ORDER BY sectionpage_id) "  # noqa: S608
            f"AS sections_key FROM {through} WHERE subscriber_id > %s AND subscriber_id <= %s "
            "GROUP BY subscriber_id"
        )
    return (
        "SELECT subscriber_id, group_concat(sectionpage_id, ',') AS sections_key FROM "  # noqa: S608
        f"(SELECT subscriber_id, sectionpage_id FROM {through} "
        "WHERE subscriber_id > %s AND subscriber_id <= %s "
        "ORDER BY subscriber_id, sectionpage_id) GROUP BY subscriber_id"
    )


# Readers queued a transaction (by subscriber id: ids are nearly dense). The first chunk
# is small, so that workers start sending within milliseconds of an approval while the
# rest of the list is queued; chunks then grow to this size.
APPROVE_CHUNK = 50_000
APPROVE_FIRST_CHUNK = 2_000


def approve(
    issue: DigestIssue,
    *,
    on_first_chunk: Callable[[], None] | None = None,
    chunk: int = APPROVE_CHUNK,
) -> int:
    """Approve the issue and queue one delivery per active reader; returns the issue's deliveries.

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
    if issue.status not in (DigestIssue.Status.DRAFT, DigestIssue.Status.APPROVED) and not (
        issue.queueing and issue.status in (DigestIssue.Status.SENDING, DigestIssue.Status.PAUSED)
    ):
        raise ValueError(f"Issue {issue.pk} is {issue.status}: only drafts can be approved")
    vendor = db_connection.vendor
    through = Subscriber.sections.through._meta.db_table
    sql = f"""
        INSERT INTO {Delivery._meta.db_table}
            (issue_id, subscriber_id, email, sections_key, state, attempts, claimed_by,
             last_error)
        SELECT %s, s.id, s.email, COALESCE(k.sections_key, 'all'),
            CASE WHEN sup.email IS NULL THEN %s ELSE %s END, 0, '',
            CASE WHEN sup.email IS NULL THEN '' ELSE %s END
        FROM {Subscriber._meta.db_table} s
        LEFT JOIN ({_sections_sql(vendor, through)}) k ON k.subscriber_id = s.id
        LEFT JOIN (SELECT DISTINCT lower(email) AS email FROM {Suppression._meta.db_table}) sup
            ON sup.email = lower(s.email)
        WHERE s.status = %s AND s.cadence = %s AND s.id > %s AND s.id <= %s
        ORDER BY s.id
        ON CONFLICT (issue_id, subscriber_id) DO NOTHING
    """  # noqa: S608 - table names from the models, values as parameters
    readers = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE, cadence=issue.cadence)
    span = readers.aggregate(first=Min("id"), last=Max("id"))
    last_id = span["last"] or 0
    after, size, first = (span["first"] or 1) - 1, min(APPROVE_FIRST_CHUNK, chunk), True
    while first or after < last_id:
        up_to = min(after + size, last_id)
        params: list[Any] = [
            issue.pk,
            State.QUEUED,
            State.SUPPRESSED,
            "on the suppression list",
            after,
            up_to,
            Subscriber.Status.ACTIVE,
            issue.cadence,
            after,
            up_to,
        ]
        with transaction.atomic(), db_connection.cursor() as cursor:
            if vendor == "postgresql":
                # Right after a big import the statistics still say "a few readers", and a
                # nested loop over the sections would then take minutes instead of seconds.
                cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute(sql, params)
            if first:
                DigestIssue.objects.filter(pk=issue.pk, status=DigestIssue.Status.DRAFT).update(
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
        after, size, first = up_to, min(size * 4, chunk), False
    issue.queueing = False
    return Delivery.objects.filter(issue=issue).count()


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


def any_of(column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """``column`` is one of ``values`` (ids or strings): SQL and its one parameter.

    ``IN (%s, %s, …)`` with hundreds of parameters costs the driver milliseconds
    to rewrite on every statement; one array (PostgreSQL) or one JSON list
    (SQLite) costs next to nothing. On PostgreSQL ids go as one array literal in
    text and strings as one JSON list: psycopg would otherwise quote each element
    of a list in Python (~3 us each). ``column`` is ours, never input.
    """
    if db_connection.vendor == "postgresql":
        if values and all(type(value) is int for value in values):
            return f"{column} = ANY(%s::bigint[])", ["{" + ",".join(map(str, values)) + "}"]
        return (
            f"{column} = ANY(ARRAY(SELECT jsonb_array_elements_text(%s::jsonb)))",
            [json.dumps(values)],
        )
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(values)]  # noqa: S608


# What a claimable row is: waiting (and due), or held by a run that died. The claim
# walks the issue's rows in id order on the (issue, id) index and tests this on each.
_CLAIMABLE = (
    "((state = 'queued' AND (retry_at IS NULL OR retry_at <= %s))"
    " OR (state = 'sending' AND claimed_at < %s))"
)


def _claimable_values(now: datetime.datetime) -> list[datetime.datetime]:
    return [now, now - STALE_CLAIM]


def claimable(issue: DigestIssue, now: datetime.datetime) -> Q:
    """The issue's rows a worker may claim, for the ORM: _CLAIMABLE's two kinds."""
    waiting = Q(state=State.QUEUED) & (Q(retry_at__isnull=True) | Q(retry_at__lte=now))
    abandoned = Q(state=State.SENDING, claimed_at__lt=now - STALE_CLAIM)
    return Q(issue=issue) & (waiting | abandoned)


def _claim_sql(vendor: str) -> str:
    """Take up to n claimable rows of the issue, for one run.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` in a materialised CTE, so the rows are
    picked once and any number of workers pass each other by. SQLite has one
    writer at a time, so the conditional UPDATE alone decides who gets a row (and
    before 3.35 it knows no ``MATERIALIZED``). Parameters: issue, _claimable_values,
    the id to start after, n, claimed_by, claimed_at.
    """
    table = Delivery._meta.db_table
    postgresql = vendor == "postgresql"
    lock = "FOR UPDATE SKIP LOCKED" if postgresql else ""
    materialized = "MATERIALIZED" if postgresql else ""
    return f"""
        WITH picked AS {materialized} (
            SELECT id FROM {table} WHERE issue_id = %s AND {_CLAIMABLE} AND id > %s
            ORDER BY id LIMIT %s {lock}
        )
        UPDATE {table} SET state = 'sending', claimed_by = %s, claimed_at = %s
        WHERE id IN (SELECT id FROM picked)
    """  # noqa: S608 - table and condition are ours, values are parameters


def _claim_and_read_sql() -> str:
    """PostgreSQL: _claim_sql's claim and _claimed_rows_sql's read in one statement.

    Parameters as _claim_sql's. One round trip and no second look-up of the rows just
    taken.
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
    """The rows one claim took, with their subscribers. Parameters: issue, claimed_by, at."""
    return f"""
        SELECT d.id, d.email, d.sections_key, d.attempts,
               s.id, s.email, s.status, s.public_id, s.token_key
        FROM {Delivery._meta.db_table} d
        LEFT JOIN {Subscriber._meta.db_table} s ON s.id = d.subscriber_id
        WHERE d.issue_id = %s AND d.state = 'sending' AND d.claimed_by = %s
          AND d.claimed_at = %s
        ORDER BY d.id
    """  # noqa: S608 - table names from the models, values as parameters


def claim_batch(
    issue: DigestIssue, worker_id: str, size: int = 200, after: int = 0
) -> list[Claimed]:
    """Up to ``size`` deliveries that this worker, and no other, now holds.

    ``after``: only rows with a greater id (see Run.feed). Empty only when nothing
    (past ``after``) is claimable. Each claim's rows carry its own time, so one read
    after the claim finds exactly them.
    """
    vendor = db_connection.vendor
    # Raw SQL: datetimes as the ORM stores them (SQLite: naive UTC text).
    at = db_connection.ops.adapt_datetimefield_value
    now = timezone.now()
    with transaction.atomic(), db_connection.cursor() as cursor:
        if vendor == "postgresql":
            # The (issue, id) index hands out rows in id order with no sort. Right after
            # the approval the statistics say the issue has a few rows, and the planner
            # would rather read all of them into a bitmap and sort them, every batch.
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        params = [issue.pk, *map(at, _claimable_values(now)), after, size, worker_id, at(now)]
        if vendor == "postgresql":
            cursor.execute(_claim_and_read_sql(), params)
            rows = cursor.fetchall()
        else:
            cursor.execute(_claim_sql(vendor), params)
            if not cursor.rowcount:
                return []
            cursor.execute(_claimed_rows_sql(), [issue.pk, worker_id, at(now)])
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


def _retry_later(delivery: Claimed, error: str) -> str:
    attempts = delivery.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _finish(delivery, State.FAILED, error=error, attempts=attempts)
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


def _finish(delivery: Claimed, state: str, *, error: str = "", **fields: Any) -> None:
    if state == State.SENT:
        fields["sent_at"] = timezone.now()
        fields.setdefault("attempts", delivery.attempts + 1)
    Delivery.objects.filter(pk=delivery.pk).update(state=state, last_error=error[:500], **fields)


def _chunks(ids: list[int], size: int = 5000) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _settle_held(ids: list[int] | None, claim_id: str, assignments: str, values: list[Any]) -> int:
    """Apply ``assignments`` (SQL, ours) to the rows of ``ids`` this run still holds.

    ``ids=None``: every row the run holds. Rows another run took over meanwhile
    (this one was taken for dead) are left alone.
    """
    table = Delivery._meta.db_table
    held = "state = 'sending' AND claimed_by = %s"
    done = 0
    with db_connection.cursor() as cursor:
        for chunk in [None] if ids is None else _chunks(ids):
            where, params = (held, [claim_id])
            if chunk is not None:
                match, id_params = any_of("id", chunk)
                where, params = f"{match} AND {held}", [*id_params, claim_id]
            sql = f"UPDATE {table} SET {assignments} WHERE {where}"  # noqa: S608 - ours
            cursor.execute(sql, [*values, *params])
            done += cursor.rowcount
    return done


def _mark_sent(ids: list[int], claim_id: str) -> int:
    """One UPDATE for many accepted deliveries (only rows this run still holds)."""
    if not ids:
        return 0
    now = db_connection.ops.adapt_datetimefield_value(timezone.now())
    assignments = "state = %s, sent_at = %s, attempts = attempts + 1, last_error = ''"
    return _settle_held(ids, claim_id, assignments, [State.SENT, now])


def _release(claim_id: str, ids: list[int] | None = None) -> int:
    """Give rows this run holds but did not try back to the queue, untouched."""
    assignments = "state = %s, claimed_by = '', claimed_at = NULL"
    return _settle_held(ids, claim_id, assignments, [State.QUEUED])


# Options -------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """How a worker sends; from settings (DIGEST_*), overridable per call."""

    concurrency: int = 4
    batch_size: int = 1000
    per_second: float = 0.0
    per_hour: float = 0.0
    pause_failure_rate: float = 0.2
    pause_min_tried: int = 100
    journal_dir: Path = Path("var/digest-journals")
    # How long a run waits for an approval still queueing readers to queue more.
    queueing_wait: float = 60.0

    @classmethod
    def from_settings(cls, **overrides: Any) -> Options:
        options = cls(
            concurrency=getattr(settings, "DIGEST_CONCURRENCY", cls.concurrency),
            batch_size=getattr(settings, "DIGEST_BATCH", cls.batch_size),
            per_second=getattr(settings, "DIGEST_RATE_PER_SECOND", cls.per_second),
            per_hour=getattr(settings, "DIGEST_RATE_PER_HOUR", cls.per_hour),
            pause_failure_rate=getattr(
                settings, "DIGEST_PAUSE_FAILURE_RATE", cls.pause_failure_rate
            ),
            pause_min_tried=getattr(settings, "DIGEST_PAUSE_MIN_TRIED", cls.pause_min_tried),
            journal_dir=Path(getattr(settings, "DIGEST_JOURNAL_DIR", cls.journal_dir)),
            queueing_wait=getattr(settings, "DIGEST_QUEUEING_WAIT", cls.queueing_wait),
        )
        options = replace(options, **{k: v for k, v in overrides.items() if v is not None})
        if options.concurrency < 1 or options.batch_size < 1:
            raise ValueError("concurrency and batch size must be at least 1")
        if options.per_second < 0 or options.per_hour < 0:
            raise ValueError("rate limits must be 0 (none) or positive")
        return options


def relay_name() -> str:
    """The relay a rate limit belongs to: workers sending through one share its budget."""
    return f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"


# Rate limit ----------------------------------------------------------------


class RelayLimiter:
    """Token buckets in the database, so all workers of all machines share one relay's limits.

    The per-second bucket holds at most a tenth of a second's tokens and the
    per-hour one a minute's, so no window of any length sees much more than
    the rate: a relay's counters are kept, not merely its averages.
    """

    def __init__(self, relay: str, per_second: float, per_hour: float) -> None:
        self.relay = relay
        self.per_second = per_second
        self.per_hour = per_hour
        self.second_cap = max(1.0, per_second / 10)
        self.hour_cap = max(1.0, per_hour / 60)
        if self.active:
            RelayBudget.objects.get_or_create(
                relay=relay,
                defaults={
                    "second_tokens": self.second_cap,
                    "hour_tokens": self.hour_cap,
                    "updated": time.time(),
                },
            )

    @property
    def active(self) -> bool:
        return self.per_second > 0 or self.per_hour > 0

    def take(self, wanted: int, stop: threading.Event) -> int:
        """Wait for at least one token and take up to ``wanted``; 0 if told to stop."""
        if not self.active:
            return wanted
        while True:
            granted, wait = self._try(wanted)
            if granted:
                return granted
            if stop.wait(min(wait, 1.0)):
                return 0

    def _try(self, wanted: int) -> tuple[int, float]:
        now = time.time()
        with transaction.atomic():
            budget = RelayBudget.objects.select_for_update().get(relay=self.relay)
            elapsed = max(0.0, now - budget.updated)
            buckets = []
            if self.per_second:
                budget.second_tokens = min(
                    self.second_cap, budget.second_tokens + elapsed * self.per_second
                )
                buckets.append(("second_tokens", self.per_second))
            if self.per_hour:
                budget.hour_tokens = min(
                    self.hour_cap, budget.hour_tokens + elapsed * self.per_hour / 3600
                )
                buckets.append(("hour_tokens", self.per_hour / 3600))
            granted = min(wanted, *(math.floor(getattr(budget, name)) for name, _ in buckets))
            for name, _ in buckets:
                setattr(budget, name, getattr(budget, name) - max(granted, 0))
            budget.updated = max(now, budget.updated)
            budget.save(update_fields=["second_tokens", "hour_tokens", "updated"])
        if granted >= 1:
            return granted, 0.0
        wait = max((1 - getattr(budget, name)) / rate for name, rate in buckets)
        return 0, max(wait, 0.001)


# Journal -------------------------------------------------------------------


class Journal:
    """Ids the server accepted and the database does not know yet, in a file only this run locks.

    The file is mapped into memory (``MAP_SHARED``): recording an accepted delivery
    is a copy of a few bytes into the page cache, no system call (a ``write`` each
    cost the lanes ~10 us and a GIL hand-off). No fsync: the page cache outlives a
    killed process, not a lost machine. The unused tail of the file is zeros. A run
    that dies leaves its file unlocked; ``replay`` then marks those ids sent and puts
    the rest of the dead run's claims back.
    """

    SIZE = 64 * 1024  # to start with; doubled when full

    def __init__(self, directory: Path, claim_id: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", claim_id)
        # Made under a name replay leaves alone and locked before it gets the name replay
        # looks for. A replay that opened it between the open and the lock (a worker
        # starting beside this one) would take it for a dead run's and delete it.
        fresh = directory / f"{name}.{secrets.token_hex(4)}{_MAKING}"
        self.fd = os.open(fresh, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        first = claim_id.encode("utf-8") + b"\n"
        self.size = max(self.SIZE, 2 * len(first))
        # Blocks allocated now, not when a page is first touched: on a full disk that
        # is an OSError here (as a failed write was), not a SIGBUS in a lane.
        os.posix_fallocate(self.fd, 0, self.size)
        self.map = mmap.mmap(self.fd, self.size)
        self.map[: len(first)] = first
        self.end = len(first)
        self.lock = threading.Lock()  # the lanes record at once
        self.path = directory / f"{name}.journal"
        os.rename(fresh, self.path)

    def record(self, delivery_id: int) -> None:
        line = b"%d\n" % delivery_id
        with self.lock:
            end = self.end + len(line)
            if end > self.size:
                os.posix_fallocate(self.fd, 0, self.size * 2)
                self.size *= 2
                self.map.resize(self.size)
            self.map[self.end : end] = line
            self.end = end

    def close(self) -> None:
        """Settle what it holds, then remove it (the run is over).

        If the database is gone, the file stays and its lock is let go: the next run
        on this machine replays it, as it would a dead run's.
        """
        try:
            self.map.close()
            _settle(self.path)
            with contextlib.suppress(OSError):
                self.path.unlink()
        finally:
            os.close(self.fd)


def journal_ids(path: Path) -> tuple[str, list[int]]:
    """A journal's claim id and the delivery ids it recorded."""
    lines = path.read_bytes().rstrip(b"\0").split(b"\n")
    # The last piece is empty, or a line cut short by the crash: not a whole id.
    return lines[0].decode("utf-8"), [int(x) for x in lines[1:-1] if x.isdigit()]


def _settle(path: Path) -> tuple[int, int]:
    """Mark a journal's ids sent and release the rest of its run's claims: (sent, released)."""
    claim_id, ids = journal_ids(path)
    if not claim_id:
        return 0, 0
    sent = _mark_sent(ids, claim_id)
    released = _release(claim_id)
    return sent, released


# A journal being made (Journal.__init__; ".new" by earlier versions). One left by a
# run killed in the microseconds before its rename held no claims yet: it goes once it
# is this old.
_MAKING = ".making"
_MAKING_LEFT_FOR = 3600


def replay(directory: Path) -> tuple[int, int]:
    """Settle the journals of runs that died on this machine: (marked sent, released)."""
    totals = (0, 0)
    if not directory.is_dir():
        return totals
    for path in [*directory.glob(f"*{_MAKING}"), *directory.glob("*.new")]:
        with contextlib.suppress(OSError):
            if time.time() - path.stat().st_mtime > _MAKING_LEFT_FOR:
                path.unlink()
    for path in sorted(directory.glob("*.journal")):
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            continue  # another worker replayed it
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # its run is alive
        try:
            if path.exists():
                sent, released = _settle(path)
                totals = (totals[0] + sent, totals[1] + released)
                path.unlink()
        finally:
            os.close(fd)
    return totals


# SMTP connections ----------------------------------------------------------


class RelayPool:
    """This process's idle SMTP connections, kept between batches and issues."""

    # An idle connection older than this is checked with NOOP before use: relays
    # hang up on idle clients, and a dead one must not cost a reader a retry delay.
    CHECK_AFTER = 20.0

    def __init__(self) -> None:
        self._idle: list[tuple[tuple[Any, ...], smtplib.SMTP, float]] = []
        self._lock = threading.Lock()

    @staticmethod
    def _key() -> tuple[Any, ...]:
        return (
            settings.EMAIL_HOST,
            settings.EMAIL_PORT,
            getattr(settings, "EMAIL_HOST_USER", ""),
            getattr(settings, "EMAIL_USE_TLS", False),
            getattr(settings, "EMAIL_USE_SSL", False),
        )

    def acquire(self, fresh: bool = False) -> smtplib.SMTP:
        """An idle connection to the configured relay, or a new one (always new if ``fresh``)."""
        key = self._key()
        while not fresh:
            with self._lock:
                found = next((i for i, item in enumerate(self._idle) if item[0] == key), None)
                item = self._idle.pop(found) if found is not None else None
            if item is None:
                return self._connect()
            _, connection, since = item
            if time.monotonic() - since < self.CHECK_AFTER:
                return connection
            try:
                if connection.noop()[0] == 250:
                    return connection
            except (smtplib.SMTPException, OSError):
                pass
            self.discard(connection)
        return self._connect()

    def release(self, connection: smtplib.SMTP) -> None:
        with self._lock:
            self._idle.append((self._key(), connection, time.monotonic()))

    @staticmethod
    def discard(connection: smtplib.SMTP) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()

    def close_all(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for _, connection, _ in idle:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.quit()
            self.discard(connection)

    @staticmethod
    def _connect() -> smtplib.SMTP:
        # smtps:// (implicit TLS, port 465) or plain, then STARTTLS for smtp+tls://.
        factory = smtplib.SMTP_SSL if getattr(settings, "EMAIL_USE_SSL", False) else smtplib.SMTP
        connection = factory(
            settings.EMAIL_HOST,
            settings.EMAIL_PORT,
            timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 60,
        )
        smtp.no_delay(connection)
        if getattr(settings, "EMAIL_USE_TLS", False):
            connection.starttls()
        user = getattr(settings, "EMAIL_HOST_USER", "")
        if user:
            connection.login(user, settings.EMAIL_HOST_PASSWORD)
        return connection


POOL = RelayPool()
atexit.register(POOL.close_all)


# Rendering -----------------------------------------------------------------


@dataclass
class Sender:
    """The issue's stories and the groups rendered so far, shared by a run's lanes."""

    issue: DigestIssue
    stories: list[render.Story] | None = None
    earlier: dict[int, frozenset[int]] | None = None
    groups: dict[tuple[str, frozenset[int]], render.RenderedGroup | None] = field(
        default_factory=dict
    )
    lock: threading.Lock = field(default_factory=threading.Lock)

    def all_stories(self) -> list[render.Story]:
        with self.lock:
            if self.stories is None:
                self.stories = render.issue_stories(self.issue)
            return self.stories

    def earlier_issues(self) -> dict[int, frozenset[int]]:
        """Other issues that carried any of this issue's stories: issue id -> those stories.

        Asked once a run: after that, finding what a batch of readers already got
        is one look-up by (issue, reader) in the deliveries' unique index.
        """
        stories = [story.article.pk for story in self.all_stories()]
        with self.lock:
            if self.earlier is None:
                rows = (
                    DigestStory.objects.filter(article_id__in=stories, dropped=False)
                    .exclude(issue=self.issue)
                    .values_list("issue_id", "article_id")
                )
                found: dict[int, set[int]] = {}
                for issue_id, article_id in rows:
                    found.setdefault(issue_id, set()).add(article_id)
                self.earlier = {k: frozenset(v) for k, v in found.items()}
            return self.earlier

    def group(
        self, key: str, section_ids: frozenset[int] | None, exclude: frozenset[int]
    ) -> render.RenderedGroup | None:
        stories = self.all_stories()
        with self.lock:
            if (key, exclude) not in self.groups:
                self.groups[(key, exclude)] = render.render_group(
                    self.issue, stories, section_ids, exclude
                )
            return self.groups[(key, exclude)]


def already_received(sender: Sender, deliveries: list[Claimed]) -> dict[int, frozenset[int]]:
    """For each reader, this issue's stories that an earlier issue's mail already gave them."""
    earlier = sender.earlier_issues()
    subscriber_ids = [d.subscriber.pk for d in deliveries if d.subscriber is not None]
    if not earlier or not subscriber_ids:
        return {}
    section_of = {story.article.pk: story.section_id for story in sender.all_stories()}
    in_issues, issue_params = any_of("issue_id", list(earlier))
    of_readers, reader_params = any_of("subscriber_id", subscriber_ids)
    sql = f"""
        SELECT subscriber_id, sections_key, issue_id FROM {Delivery._meta.db_table}
        WHERE {in_issues} AND {of_readers} AND state = 'sent'
    """  # noqa: S608 - table name from the model, values as parameters
    with db_connection.cursor() as cursor:
        cursor.execute(sql, [*issue_params, *reader_params])
        rows = cursor.fetchall()
    received: dict[int, set[int]] = {}
    for subscriber_id, sections_key, issue_id in rows:
        for article_id in earlier[issue_id]:
            # It was in that mail only if it was in the sections the reader had then.
            if sections_key == "all" or str(section_of[article_id]) in sections_key.split(","):
                received.setdefault(subscriber_id, set()).add(article_id)
    return {k: frozenset(v) for k, v in received.items()}


# Sending -------------------------------------------------------------------


def _failure_counts(issue: DigestIssue) -> tuple[int, int]:
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
        tried, failed = _failure_counts(current)
        DigestIssue.objects.filter(pk=issue.pk).update(
            status=DigestIssue.Status.SENDING,
            pause_reason="",
            tried_at_resume=tried,
            failed_at_resume=failed,
        )
    issue.refresh_from_db()


@dataclass
class Lane:
    """One thread of a run: its SMTP connection and the rate-limit tokens it holds."""

    connection: smtplib.SMTP | None = None
    tokens: int = 0
    # Messages sent on this connection since the lane took it from the pool.
    sent_on_connection: int = 0


class Run:
    """One call of send_issue.

    The calling thread is the feeder: it claims batches, checks them (suppression,
    stories already received) and queues the deliveries to send; the lanes
    (threads, one SMTP connection each) only splice and send, so no lane waits
    for the database between messages. The feeder records the accepted ones
    with one UPDATE per batch. With one lane there is no thread: it all happens
    in the calling thread, in turn.
    """

    def __init__(
        self,
        issue: DigestIssue,
        worker_id: str,
        options: Options,
        on_batch: Callable[[dict[str, int]], None] | None,
    ) -> None:
        self.issue = issue
        self.options = options
        self.on_batch = on_batch
        # Unique per run, so a dead run's claims can be told from a live one's.
        self.claim_id = f"{worker_id[:90]}#{secrets.token_hex(4)}"
        self.sender = Sender(issue)
        self.limiter = RelayLimiter(relay_name(), options.per_second, options.per_hour)
        self.signer = dkimsign.from_settings()
        # Read once: each read of django.conf.settings costs more than a splice's join.
        self.links = tokens.Links.from_settings()
        self.domain = render.mail_domain()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.totals: dict[str, int] = {}
        self.unreported: dict[str, int] = {}
        self.sent_ids: list[int] = []
        self.errors: list[BaseException] = []
        # Why the run stopped early because of the relay, if it did.
        self.relay_error = ""
        self.failures_unchecked = 0
        self.last_check = -math.inf
        self.journal: Journal | None = None
        # Deliveries ready to send, HANDOFF at a time (at most two batches ahead), then one
        # None per lane.
        self.ready: queue.Queue[list[tuple[Claimed, render.RenderedGroup]] | None] = queue.Queue(
            maxsize=max(2, 2 * options.batch_size // HANDOFF)
        )
        self.inline_lane: Lane | None = Lane() if options.concurrency == 1 else None

    def run(self) -> dict[str, int]:
        replay(self.options.journal_dir)
        self.journal = Journal(self.options.journal_dir, self.claim_id)
        threads = [
            threading.Thread(target=self.lane_loop, name=f"lane-{i}")
            for i in range(self.options.concurrency if self.inline_lane is None else 0)
        ]
        try:
            for thread in threads:
                thread.start()
            try:
                self.feed()
            except BaseException as error:
                self.stop.set()
                self.errors.append(error)
            finally:
                for _ in threads:
                    self.ready.put(None)
                for thread in threads:
                    thread.join()
                self.flush()
        finally:
            if self.inline_lane is not None and self.inline_lane.connection is not None:
                POOL.release(self.inline_lane.connection)
            # Marks what the lanes sent (if the last flush failed) and releases the rest.
            self.journal.close()
        if self.errors:
            raise self.errors[0]
        return self.totals

    def count(self, state: str, n: int = 1) -> None:
        with self.lock:
            self.totals[state] = self.totals.get(state, 0) + n
            self.unreported[state] = self.unreported.get(state, 0) + n

    def flush(self) -> None:
        """Record the deliveries the lanes sent since the last flush, in one UPDATE."""
        with self.lock:
            ids, self.sent_ids = self.sent_ids, []
            counts, self.unreported = self.unreported, {}
        _mark_sent(ids, self.claim_id)
        self.check_failures(0, settle=True)
        if self.on_batch and counts:
            self.on_batch(counts)

    def feed(self) -> None:
        last_renewal = time.monotonic()
        # Claims go on from the last row this run took: a scan from the issue's start
        # would test every row already claimed or sent, more with each batch. Rows
        # behind the cursor that became claimable again (released by a run that
        # stopped, a due retry, a dead run's) are found by one more pass from the
        # start before the run ends.
        after = 0
        # While the approval is still queueing readers (engine.approve), an empty claim
        # means "not yet": wait for the next chunk (its ids come after the cursor's).
        waited_since: float | None = None
        while not self.stop.is_set():
            status, queueing = self.issue_state()
            if status != DigestIssue.Status.SENDING:
                self.stop.set()  # paused or cancelled meanwhile
                break
            batch = claim_batch(self.issue, self.claim_id, self.options.batch_size, after)
            if not batch and after and not queueing:
                after = 0
                batch = claim_batch(self.issue, self.claim_id, self.options.batch_size)
            if not batch:
                if not queueing:
                    break
                waited_since = waited_since or time.monotonic()
                if time.monotonic() - waited_since > self.options.queueing_wait:
                    break  # the approval died: the scheduler finishes it (resume_stalled)
                self.flush()
                time.sleep(QUEUEING_POLL)
                continue
            waited_since = None
            after = batch[-1].pk
            items = self.prepare(batch)
            if self.inline_lane is None:
                self.hand_out(items)
            else:
                self.send_chunk(self.inline_lane, items)
            self.flush()
            if time.monotonic() - last_renewal > STALE_CLAIM.total_seconds() / 3:
                # Slow batches (a low rate limit): show the rows are still in hand.
                Delivery.objects.filter(state=State.SENDING, claimed_by=self.claim_id).update(
                    claimed_at=timezone.now()
                )
                last_renewal = time.monotonic()

    def issue_state(self) -> tuple[str, bool]:
        """The issue's status and queueing flag now (in SQL: read before every claim)."""
        sql = f"SELECT status, queueing FROM {DigestIssue._meta.db_table} WHERE id = %s"  # noqa: S608
        with db_connection.cursor() as cursor:
            cursor.execute(sql, [self.issue.pk])
            row = cursor.fetchone()
        return (row[0], bool(row[1])) if row else ("", False)

    def hand_out(self, items: list[tuple[Claimed, render.RenderedGroup]]) -> None:
        """Queue a batch's deliveries for the lanes, HANDOFF at a time.

        One at a time, each message cost a wake-up of the feeder by the lane that made
        room in the queue, and the GIL handed back and forth between them.
        """
        for start in range(0, len(items), HANDOFF):
            chunk = items[start : start + HANDOFF]
            while not self.stop.is_set():
                try:
                    self.ready.put(chunk, timeout=0.5)
                    break
                except queue.Full:
                    self.flush()  # the lanes are busy: meanwhile, record what they sent
            if self.stop.is_set():
                return  # what is left of the batch goes back to the queue at the end

    def prepare(self, deliveries: list[Claimed]) -> list[tuple[Claimed, render.RenderedGroup]]:
        """The batch's deliveries to send with their group; the others settled in bulk."""
        settled: dict[tuple[str, str], list[int]] = {}  # (state, error) -> ids
        suppressed = self.suppressed({d.email for d in deliveries})
        received = already_received(self.sender, deliveries)
        groups: dict[tuple[str, frozenset[int]], render.RenderedGroup | None] = {}
        to_send = []
        for delivery in deliveries:
            subscriber = delivery.subscriber
            state, error, group = "", "", None
            if delivery.email.lower() in suppressed:
                state, error = State.SUPPRESSED, "on the suppression list"
            elif (
                subscriber is None or not subscriber.is_active or subscriber.email != delivery.email
            ):
                state, error = State.SUPPRESSED, "no longer subscribed at this address"
            else:
                key = (delivery.sections_key, received.get(subscriber.pk, frozenset()))
                if key not in groups:
                    groups[key] = self.sender.group(key[0], delivery.section_ids, key[1])
                group = groups[key]
                if group is None:
                    state, error = State.SKIPPED, "no new stories in the chosen sections"
            if group is not None:
                to_send.append((delivery, group))
            else:
                settled.setdefault((state, error), []).append(delivery.pk)
                self.count(state)
        for (state, error), ids in settled.items():
            _settle_held(ids, self.claim_id, "state = %s, last_error = %s", [state, error])
        return to_send

    @staticmethod
    def suppressed(emails: set[str]) -> set[str]:
        """Which of ``emails`` (compared in lower case) are on the suppression list."""
        match, params = any_of("email", sorted(emails | {e.lower() for e in emails}))
        sql = f"SELECT email FROM {Suppression._meta.db_table} WHERE {match}"  # noqa: S608
        with db_connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {email.lower() for (email,) in cursor.fetchall()}

    def lane_loop(self) -> None:
        lane = Lane()
        try:
            while (chunk := self.ready.get()) is not None:
                if self.stop.is_set():
                    continue  # drained: left claimed, released when the run ends
                try:
                    self.send_chunk(lane, chunk)
                except BaseException as error:
                    self.stop.set()
                    with self.lock:
                        self.errors.append(error)
        finally:
            if lane.connection is not None:
                POOL.release(lane.connection)
            connections.close_all()  # this thread's own connections only

    def send_chunk(self, lane: Lane, items: list[tuple[Claimed, render.RenderedGroup]]) -> None:
        """Send ``items`` on the lane's connection, pipelined (smtp.send_pipelined).

        Deliveries whose data never went out on a connection that failed are tried
        again on a new one; a second loss before anything was accepted gives them
        back to the queue with a delay, as any lost connection does.
        """
        waiting = collections.deque(items)
        losses = 0  # connections lost in a row with nothing accepted on them
        while waiting and not self.stop.is_set():
            if lane.tokens == 0:
                lane.tokens = self.limiter.take(self.options.batch_size, self.stop)
                if lane.tokens == 0:  # stopped while waiting
                    return
            if lane.connection is None:
                try:
                    lane.connection, lane.sent_on_connection = self.connect(fresh=losses > 0), 0
                except RelayUnavailable as error:
                    self.settle_one(lane, waiting.popleft()[0], error)
                    return
                except smtplib.SMTPResponseException as error:  # e.g. our login refused
                    self.settle_one(lane, waiting.popleft()[0], error)
                    continue
            accepted_before = lane.sent_on_connection
            try:
                smtp.send_pipelined(
                    lane.connection,
                    self.envelopes(lane, waiting),
                    lambda message, error: self.settle_one(lane, message.tag[0], error),
                )
            except smtp.ConnectionLost as lost:
                POOL.discard(lane.connection)
                lane.connection = None
                untried = [message.tag for message in lost.untried]
                lane.tokens += len(untried)
                losses = 0 if lane.sent_on_connection > accepted_before else losses + 1
                if losses < 2:
                    # A pooled connection the relay had closed while idle, or one that
                    # failed mid-run: not the readers' fault.
                    waiting.extendleft(reversed(untried))
                    continue
                for delivery, _ in untried:
                    self.settle_one(lane, delivery, lost.error)
            except BaseException:
                # Replies may be left unread on it: pooled, it would answer the next run
                # with this one's.
                POOL.discard(lane.connection)
                lane.connection = None
                raise

    def envelopes(
        self, lane: Lane, waiting: collections.deque[tuple[Claimed, render.RenderedGroup]]
    ) -> Iterator[smtp.Envelope]:
        """The waiting deliveries as messages, spliced one at a time, while tokens last."""
        while waiting and lane.tokens > 0 and not self.stop.is_set():
            delivery, group = item = waiting.popleft()
            assert delivery.subscriber is not None
            try:
                if self.signer is None:
                    data = group.payload_for(delivery, delivery.subscriber, self.links, self.domain)
                else:  # signed as the reader gets it, then stuffed
                    data = smtp.stuffed(
                        self.signer.sign(
                            group.message_for(
                                delivery, delivery.subscriber, self.links, self.domain
                            )
                        )
                    )
            except UnicodeEncodeError:
                _finish(delivery, State.FAILED, error="address needs SMTPUTF8, not supported yet")
                self.count(State.FAILED)
                continue
            lane.tokens -= 1
            yield smtp.Envelope(
                render.return_path(delivery, self.domain), delivery.email, data, item
            )

    def settle_one(self, lane: Lane, delivery: Claimed, error: BaseException | None) -> None:
        """What became of one delivery the relay answered (or did not)."""
        if error is None:
            assert self.journal is not None
            self.journal.record(delivery.pk)
            lane.sent_on_connection += 1
            with self.lock:
                self.sent_ids.append(delivery.pk)
            self.count(State.SENT)
            return
        if isinstance(error, RelayUnavailable):
            state = self.relay_unavailable(delivery, str(error))
        elif isinstance(error, smtplib.SMTPRecipientsRefused):
            code, message = next(iter(error.recipients.values()))
            state = self.smtp_failure(delivery, code, message)
        elif isinstance(error, smtplib.SMTPResponseException):  # sender or data refused, 421
            state = self.smtp_failure(delivery, error.smtp_code, error.smtp_error)
        else:  # disconnected, timed out (SMTPException is an OSError)
            state = _retry_later(delivery, f"connection: {error}")
        self.check_failures(1)
        self.count(state)

    @staticmethod
    def connect(fresh: bool = False) -> smtplib.SMTP:
        """A connection to the relay; RelayUnavailable when it cannot be had at all."""
        try:
            return POOL.acquire(fresh=fresh)
        except smtplib.SMTPResponseException as error:
            if error.smtp_code == RELAY_UNAVAILABLE_CODE or not 500 <= error.smtp_code < 600:
                raise RelayUnavailable(f"relay: {error.smtp_code} {error.smtp_error!r}") from error
            raise
        except OSError as error:  # refused, unreachable, timed out
            raise RelayUnavailable(f"relay unreachable: {error}") from error

    def relay_unavailable(self, delivery: Claimed, error: str) -> str:
        """The relay is down or out of service: stop the run, the readers lose nothing.

        Not the reader's fault, so it costs the delivery no attempt (an outage longer
        than the retries would otherwise fail every reader) and counts towards no
        pause. The delivery waits RELAY_RETRY; the run's other claims go back to the
        queue when it ends, for the scheduler's stalled-issue job to hand out again.
        """
        self.stop.set()
        Delivery.objects.filter(pk=delivery.pk).update(
            state=State.QUEUED,
            retry_at=timezone.now() + RELAY_RETRY,
            claimed_by="",
            claimed_at=None,
            last_error=error[:500],
        )
        with self.lock:
            self.relay_error = error
        return State.QUEUED

    def smtp_failure(self, delivery: Claimed, code: int, message: bytes | str) -> str:
        """A refusal; the connection is smtp.send_pipelined's (RSET, or closed on a 421)."""
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
        error = f"{code} {text}"
        if code == RELAY_UNAVAILABLE_CODE:
            return self.relay_unavailable(delivery, error)
        if 400 <= code < 500:
            return _retry_later(delivery, error)
        if code in HARD_BOUNCE_CODES:
            Suppression.objects.get_or_create(
                email=delivery.email,
                defaults={"reason": Suppression.Reason.HARD_BOUNCE, "note": error[:500]},
            )
            _finish(delivery, State.BOUNCED, error=error, attempts=delivery.attempts + 1)
            return State.BOUNCED
        _finish(delivery, State.FAILED, error=error, attempts=delivery.attempts + 1)
        return State.FAILED

    def check_failures(self, new_failures: int, *, settle: bool = False) -> None:
        """Pause the issue when too many tries failed since it was approved or resumed.

        ``settle`` (at each batch's end): check any failure not counted yet. Only
        this run's own new failures lead to a count: deliveries sent lower the rate,
        never raise it, and every other worker checks after its own failures.
        """
        threshold = self.options.pause_failure_rate
        if threshold <= 0:
            return
        with self.lock:
            self.failures_unchecked += new_failures
            # A count over the whole issue: at most once a second unless failures pile up.
            due = self.failures_unchecked > 0 and (
                settle
                or time.monotonic() - self.last_check >= 1.0
                or self.failures_unchecked >= max(1, self.options.pause_min_tried // 5)
            )
            if not due:
                return
            self.failures_unchecked, self.last_check = 0, time.monotonic()
        baseline = DigestIssue.objects.filter(pk=self.issue.pk).values_list(
            "tried_at_resume", "failed_at_resume"
        )
        tried_before, failed_before = baseline.first() or (0, 0)
        tried, failed = _failure_counts(self.issue)
        tried, failed = tried - tried_before, failed - failed_before
        if tried >= self.options.pause_min_tried and failed > threshold * tried:
            reason = (
                f"Paused by the engine: {failed} of the last {tried} deliveries failed "
                f"(more than {threshold:.0%})."
            )
            pause(self.issue, reason)
            self.stop.set()


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


class RelayUnavailable(Exception):
    """The relay refused the connection, or answered it with 421: no reader is at fault."""


def _connection_lost(error: BaseException) -> bool:
    """True when ``error`` is the database going away rather than a statement failing."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    # SQLite is a file: locked or full, never "gone", and waiting would not help.
    return db_connection.vendor != "sqlite"


def _wait_for_database(seconds: float) -> bool:
    """Drop this thread's broken connection and wait until the database answers again."""
    deadline = time.monotonic() + seconds
    delay = 0.2
    while True:
        with contextlib.suppress(DatabaseError):
            db_connection.close()
        try:
            with db_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except DatabaseError:
            if time.monotonic() + delay > deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def send_issue(
    issue: DigestIssue,
    worker_id: str,
    *,
    batch_size: int | None = None,
    concurrency: int | None = None,
    on_batch: Callable[[dict[str, int]], None] | None = None,
) -> dict[str, int]:
    """Claim and send batches of the issue until none is left for now; counts by final state.

    If the database goes away meanwhile (PostgreSQL restarting, a failover), the run
    stops, waits up to DATABASE_WAIT_SECONDS for it and starts again: the new run
    replays the old one's journal (what the relay accepted is marked sent, not sent
    again) and takes up the rest.
    """
    options = Options.from_settings(batch_size=batch_size, concurrency=concurrency)
    if issue.status in (DigestIssue.Status.APPROVED, DigestIssue.Status.SENDING):
        DigestIssue.objects.filter(pk=issue.pk, status=DigestIssue.Status.APPROVED).update(
            status=DigestIssue.Status.SENDING
        )
    else:
        return {}
    totals: dict[str, int] = {}
    fruitless = 0
    while True:
        run = Run(issue, worker_id, options, on_batch)
        try:
            finished = run.run()
        except Exception as error:
            if not _connection_lost(error):
                raise
            fruitless = 0 if run.totals else fruitless + 1
            for state, n in run.totals.items():
                totals[state] = totals.get(state, 0) + n
            if fruitless >= DATABASE_RETRIES or not _wait_for_database(DATABASE_WAIT_SECONDS):
                raise
            continue
        for state, n in finished.items():
            totals[state] = totals.get(state, 0) + n
        break
    finish_if_done(issue)
    return totals
