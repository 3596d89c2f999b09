"""The delivery engine: Delivery rows per reader, claimed in batches by any number of workers.

* ``approve`` creates one queued Delivery per active reader of the issue's
  cadence, streaming readers so memory stays flat however many there are.
* ``claim_batch`` hands a worker rows nobody else holds: on PostgreSQL
  ``SELECT … FOR UPDATE SKIP LOCKED``; everywhere, a conditional UPDATE
  (``… WHERE state = 'queued'``) so that on SQLite, where row locks do not
  exist, the database's single writer decides who got each row.
* ``send_batch`` sends over one persistent SMTP connection. A delivery is
  ``sent`` only after the server accepted it; 4xx and lost connections go back
  to the queue with a growing delay, 5xx fail (and user-unknown bounces suppress
  the address). The suppression list is checked again right before sending.
"""

from __future__ import annotations

import contextlib
import datetime
import smtplib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dateline.digests import render
from dateline.digests.models import Delivery, DigestIssue, DigestStory
from dateline.newsletter.models import Subscriber, Suppression

State = Delivery.State
BULK_SIZE = 5000
MAX_ATTEMPTS = 5
# Delay before the next try after a temporary failure, by attempts so far.
RETRY_DELAYS = (60, 300, 900, 3600)
# A row left in 'sending' this long belongs to a worker that died; others may take it.
STALE_CLAIM = datetime.timedelta(minutes=15)
HARD_BOUNCE_CODES = frozenset({550, 551, 553})


def _sections_keys(cadence: str) -> Iterator[tuple[int, str]]:
    """(subscriber id, sections key) for readers who chose sections, in id order."""
    through = Subscriber.sections.through
    rows = (
        through.objects.filter(
            subscriber__status=Subscriber.Status.ACTIVE, subscriber__cadence=cadence
        )
        .order_by("subscriber_id", "sectionpage_id")
        .values_list("subscriber_id", "sectionpage_id")
        .iterator(chunk_size=BULK_SIZE)
    )
    for subscriber_id, pairs in groupby(rows, key=lambda r: r[0]):
        yield subscriber_id, ",".join(str(p[1]) for p in sorted(pairs, key=lambda r: r[1]))


def approve(issue: DigestIssue) -> int:
    """Approve the issue and queue one delivery per active reader; returns how many readers.

    Approving again queues only readers who have no delivery of this issue yet.
    """
    if issue.status not in (DigestIssue.Status.DRAFT, DigestIssue.Status.APPROVED):
        raise ValueError(f"Issue {issue.pk} is {issue.status}: only drafts can be approved")
    readers = (
        Subscriber.objects.filter(status=Subscriber.Status.ACTIVE, cadence=issue.cadence)
        .order_by("id")
        .values("id", "email")
        .iterator(chunk_size=BULK_SIZE)
    )
    keys = _sections_keys(issue.cadence)
    next_key = next(keys, None)
    created = 0

    def flush(batch: list[Delivery]) -> int:
        emails = {d.email for d in batch} | {d.email.lower() for d in batch}
        suppressed = {
            e.lower()
            for e in Suppression.objects.filter(email__in=emails).values_list("email", flat=True)
        }
        for delivery in batch:
            if delivery.email.lower() in suppressed:
                delivery.state = State.SUPPRESSED
                delivery.last_error = "on the suppression list"
        Delivery.objects.bulk_create(batch, batch_size=BULK_SIZE, ignore_conflicts=True)
        return len(batch)

    batch: list[Delivery] = []
    for reader in readers:
        # Both streams are in subscriber id order: merge them.
        while next_key is not None and next_key[0] < reader["id"]:
            next_key = next(keys, None)
        key = "all"
        if next_key is not None and next_key[0] == reader["id"]:
            key = next_key[1]
        batch.append(
            Delivery(
                issue=issue, subscriber_id=reader["id"], email=reader["email"], sections_key=key
            )
        )
        if len(batch) >= BULK_SIZE:
            created += flush(batch)
            batch = []
    if batch:
        created += flush(batch)
    DigestIssue.objects.filter(pk=issue.pk).update(status=DigestIssue.Status.APPROVED)
    issue.status = DigestIssue.Status.APPROVED
    return created


def _claimable(issue: DigestIssue, now: datetime.datetime) -> Q:
    waiting = Q(state=State.QUEUED) & (Q(retry_at__isnull=True) | Q(retry_at__lte=now))
    abandoned = Q(state=State.SENDING, claimed_at__lt=now - STALE_CLAIM)
    return Q(issue=issue) & (waiting | abandoned)


def claim_batch(issue: DigestIssue, worker_id: str, size: int = 200) -> list[Delivery]:
    """Up to ``size`` deliveries that this worker, and no other, now holds."""
    now = timezone.now()
    condition = _claimable(issue, now)
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(condition)
            .select_for_update(skip_locked=True)  # PostgreSQL; a no-op on SQLite
            .order_by("sections_key", "id")
            .values_list("id", flat=True)[:size]
        )
        if not ids:
            return []
        # Conditional: a row another worker took meanwhile no longer matches.
        Delivery.objects.filter(condition, id__in=ids).update(
            state=State.SENDING, claimed_by=worker_id, claimed_at=now
        )
    return list(
        Delivery.objects.filter(
            id__in=ids, state=State.SENDING, claimed_by=worker_id, claimed_at=now
        )
        .select_related("subscriber")
        .order_by("sections_key", "id")
    )


def _retry_later(delivery: Delivery, error: str) -> None:
    attempts = delivery.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _finish(delivery, State.FAILED, error=error, attempts=attempts)
        return
    delay = RETRY_DELAYS[min(attempts - 1, len(RETRY_DELAYS) - 1)]
    Delivery.objects.filter(pk=delivery.pk).update(
        state=State.QUEUED,
        attempts=attempts,
        retry_at=timezone.now() + datetime.timedelta(seconds=delay),
        claimed_by="",
        claimed_at=None,
        last_error=error[:500],
    )


def _finish(delivery: Delivery, state: str, *, error: str = "", **fields: Any) -> None:
    if state == State.SENT:
        fields["sent_at"] = timezone.now()
        fields.setdefault("attempts", delivery.attempts + 1)
    Delivery.objects.filter(pk=delivery.pk).update(state=state, last_error=error[:500], **fields)


@dataclass
class Sender:
    """One worker's SMTP connection and the groups it has rendered, kept across batches."""

    issue: DigestIssue
    connection: smtplib.SMTP | None = None
    stories: list[render.Story] | None = None
    groups: dict[tuple[str, frozenset[int]], render.RenderedGroup | None] = field(
        default_factory=dict
    )

    def connect(self) -> smtplib.SMTP:
        if self.connection is None:
            connection = smtplib.SMTP(
                settings.EMAIL_HOST,
                settings.EMAIL_PORT,
                timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 60,
            )
            if getattr(settings, "EMAIL_USE_TLS", False):
                connection.starttls()
            user = getattr(settings, "EMAIL_HOST_USER", "")
            if user:
                connection.login(user, settings.EMAIL_HOST_PASSWORD)
            self.connection = connection
        return self.connection

    def all_stories(self) -> list[render.Story]:
        if self.stories is None:
            self.stories = render.issue_stories(self.issue)
        return self.stories

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError):
                self.connection.quit()
            self.connection = None

    def group(
        self, key: str, section_ids: frozenset[int] | None, exclude: frozenset[int]
    ) -> render.RenderedGroup | None:
        if (key, exclude) not in self.groups:
            self.groups[(key, exclude)] = render.render_group(
                self.issue, self.all_stories(), section_ids, exclude
            )
        return self.groups[(key, exclude)]


def already_received(sender: Sender, deliveries: list[Delivery]) -> dict[int, frozenset[int]]:
    """For each reader, this issue's stories that an earlier issue's mail already gave them."""
    section_of = {story.article.pk: story.section_id for story in sender.all_stories()}
    subscriber_ids = [d.subscriber_id for d in deliveries if d.subscriber_id]
    if not section_of or not subscriber_ids:
        return {}
    rows = (
        DigestStory.objects.filter(
            article_id__in=list(section_of),
            dropped=False,
            issue__deliveries__subscriber_id__in=subscriber_ids,
            issue__deliveries__state=State.SENT,
        )
        .exclude(issue=sender.issue)
        .values_list(
            "issue__deliveries__subscriber_id", "issue__deliveries__sections_key", "article_id"
        )
    )
    received: dict[int, set[int]] = {}
    for subscriber_id, sections_key, article_id in rows:
        # It was in that mail only if it was in the sections the reader had then.
        if sections_key == "all" or str(section_of[article_id]) in sections_key.split(","):
            received.setdefault(subscriber_id, set()).add(article_id)
    return {k: frozenset(v) for k, v in received.items()}


def send_batch(sender: Sender, deliveries: list[Delivery]) -> dict[str, int]:
    """Send a claimed batch; returns counts by the state each delivery ended in."""
    counts: dict[str, int] = {}

    def count(state: str) -> None:
        counts[state] = counts.get(state, 0) + 1

    emails = {d.email for d in deliveries} | {d.email.lower() for d in deliveries}
    suppressed = {
        e.lower()
        for e in Suppression.objects.filter(email__in=emails).values_list("email", flat=True)
    }
    received = already_received(sender, deliveries)
    for delivery in deliveries:
        subscriber = delivery.subscriber
        if delivery.email.lower() in suppressed:
            _finish(delivery, State.SUPPRESSED, error="on the suppression list")
            count(State.SUPPRESSED)
            continue
        if subscriber is None or not subscriber.is_active or subscriber.email != delivery.email:
            _finish(delivery, State.SUPPRESSED, error="no longer subscribed at this address")
            count(State.SUPPRESSED)
            continue
        exclude = received.get(subscriber.pk, frozenset())
        group = sender.group(delivery.sections_key, delivery.section_ids, exclude)
        if group is None:
            _finish(delivery, State.SKIPPED, error="no new stories in the chosen sections")
            count(State.SKIPPED)
            continue
        try:
            data = group.message_for(delivery, subscriber)
        except UnicodeEncodeError:
            _finish(delivery, State.FAILED, error="address needs SMTPUTF8, not supported yet")
            count(State.FAILED)
            continue
        state = _send_one(sender, delivery, data)
        count(state)
    return counts


def _send_one(sender: Sender, delivery: Delivery, data: bytes) -> str:
    try:
        connection = sender.connect()
        refused = connection.sendmail(render.return_path(delivery), [delivery.email], data)
        if refused:  # one recipient: sendmail raises instead, but be safe
            code, message = next(iter(refused.values()))
            raise smtplib.SMTPRecipientsRefused({delivery.email: (code, message)})
    except smtplib.SMTPRecipientsRefused as error:
        code, message = next(iter(error.recipients.values()))
        return _smtp_failure(sender, delivery, code, message)
    except smtplib.SMTPResponseException as error:  # data or sender refused, 421 …
        return _smtp_failure(sender, delivery, error.smtp_code, error.smtp_error)
    except OSError as error:  # disconnected, refused, timed out (SMTPException is an OSError)
        sender.connection = None  # reconnect for the next one
        _retry_later(delivery, f"connection: {error}")
        return State.QUEUED
    _finish(delivery, State.SENT)
    return State.SENT


def _smtp_failure(sender: Sender, delivery: Delivery, code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    error = f"{code} {text}"
    if sender.connection is not None:
        try:
            sender.connection.rset()
        except (smtplib.SMTPException, OSError):
            sender.connection = None
    if 400 <= code < 500:
        _retry_later(delivery, error)
        return State.QUEUED
    if code in HARD_BOUNCE_CODES:
        Suppression.objects.get_or_create(
            email=delivery.email,
            defaults={"reason": Suppression.Reason.HARD_BOUNCE, "note": error[:500]},
        )
        _finish(delivery, State.BOUNCED, error=error, attempts=delivery.attempts + 1)
        return State.BOUNCED
    _finish(delivery, State.FAILED, error=error, attempts=delivery.attempts + 1)
    return State.FAILED


def finish_if_done(issue: DigestIssue) -> bool:
    """Mark the issue sent once no delivery is waiting or in flight."""
    pending = Delivery.objects.filter(issue=issue, state__in=[State.QUEUED, State.SENDING])
    if pending.exists():
        return False
    DigestIssue.objects.filter(pk=issue.pk).exclude(status=DigestIssue.Status.SENT).update(
        status=DigestIssue.Status.SENT
    )
    issue.status = DigestIssue.Status.SENT
    return True


def send_issue(
    issue: DigestIssue,
    worker_id: str,
    *,
    batch_size: int = 200,
    on_batch: Callable[[dict[str, int]], None] | None = None,
) -> dict[str, int]:
    """Claim and send batches of the issue until none is left for now."""
    if issue.status in (DigestIssue.Status.APPROVED, DigestIssue.Status.SENDING):
        DigestIssue.objects.filter(pk=issue.pk, status=DigestIssue.Status.APPROVED).update(
            status=DigestIssue.Status.SENDING
        )
    else:
        return {}
    totals: dict[str, int] = {}
    sender = Sender(issue)
    try:
        while batch := claim_batch(issue, worker_id, batch_size):
            counts = send_batch(sender, batch)
            for state, n in counts.items():
                totals[state] = totals.get(state, 0) + n
            if on_batch:
                on_batch(counts)
    finally:
        sender.close()
    finish_if_done(issue)
    return totals
