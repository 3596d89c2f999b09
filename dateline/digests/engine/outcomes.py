"""A run's accounts: what became of each delivery, and when the run must stop or pause."""

from __future__ import annotations

import datetime
import math
import smtplib
import threading
import time
from collections.abc import Callable

from django.utils import timezone

from dateline.digests.engine import states
from dateline.digests.engine.claims import Claimed, State, finish, mark_sent, retry_later
from dateline.digests.engine.journal import Journal
from dateline.digests.engine.options import Options
from dateline.digests.engine.relay import RELAY_UNAVAILABLE_CODE, RelayUnavailable
from dateline.digests.models import Delivery, DigestIssue
from dateline.newsletter.models import Suppression

HARD_BOUNCE_CODES = frozenset({550, 551, 553})
# When the relay cannot be reached, the delivery in hand waits this long; the rest go
# back to the queue, and the scheduler's stalled-issue job tries again each minute.
RELAY_RETRY = datetime.timedelta(seconds=60)


class Outcomes:
    """The run's tally, shared by the feeder and the lanes (thread-safe).

    Accepted deliveries are journaled at once and marked sent in bulk by ``flush``;
    refusals are written at once. Failures count towards pausing the issue; an
    unreachable relay or an error stops the run (``stop``).
    """

    def __init__(
        self,
        issue: DigestIssue,
        options: Options,
        claim_id: str,
        on_batch: Callable[[dict[str, int]], None] | None,
    ) -> None:
        self.issue = issue
        self.options = options
        self.claim_id = claim_id
        self.on_batch = on_batch
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.journal: Journal | None = None  # the run opens it when it starts
        self.totals: dict[str, int] = {}
        self.unreported: dict[str, int] = {}
        self.sent_ids: list[int] = []
        self.errors: list[BaseException] = []
        self.failures_unchecked = 0
        self.last_check = -math.inf

    def abort(self, error: BaseException) -> None:
        """Stop the run; ``error`` is raised once it has wound down."""
        self.stop.set()
        with self.lock:
            self.errors.append(error)

    def count(self, state: str, n: int = 1) -> None:
        with self.lock:
            self.totals[state] = self.totals.get(state, 0) + n
            self.unreported[state] = self.unreported.get(state, 0) + n

    def accepted(self, delivery: Claimed) -> None:
        """The relay took it: journaled now, marked sent at the next flush."""
        assert self.journal is not None
        self.journal.record(delivery.pk)
        with self.lock:
            self.sent_ids.append(delivery.pk)
        self.count(State.SENT)

    def refused(self, delivery: Claimed, error: BaseException) -> None:
        """The relay refused it, or the connection failed under it."""
        if isinstance(error, RelayUnavailable):
            state = self.relay_unavailable(delivery, str(error))
        elif isinstance(error, smtplib.SMTPRecipientsRefused):
            code, message = next(iter(error.recipients.values()))
            state = self.smtp_failure(delivery, code, message)
        elif isinstance(error, smtplib.SMTPResponseException):  # sender or data refused, 421
            state = self.smtp_failure(delivery, error.smtp_code, error.smtp_error)
        else:  # disconnected, timed out (SMTPException is an OSError)
            state = retry_later(delivery, f"connection: {error}")
        self.check_failures(1)
        self.count(state)

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
        return State.QUEUED

    def smtp_failure(self, delivery: Claimed, code: int, message: bytes | str) -> str:
        """A refusal; the connection is smtp.send_pipelined's (RSET, or closed on a 421)."""
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
        error = f"{code} {text}"
        if code == RELAY_UNAVAILABLE_CODE:
            return self.relay_unavailable(delivery, error)
        if 400 <= code < 500:
            return retry_later(delivery, error)
        if code in HARD_BOUNCE_CODES:
            Suppression.objects.get_or_create(
                email=delivery.email,
                defaults={"reason": Suppression.Reason.HARD_BOUNCE, "note": error[:500]},
            )
            finish(delivery, State.BOUNCED, error=error, attempts=delivery.attempts + 1)
            return State.BOUNCED
        finish(delivery, State.FAILED, error=error, attempts=delivery.attempts + 1)
        return State.FAILED

    def flush(self) -> None:
        """Record the deliveries the lanes sent since the last flush, in one UPDATE."""
        with self.lock:
            ids, self.sent_ids = self.sent_ids, []
            counts, self.unreported = self.unreported, {}
        mark_sent(ids, self.claim_id)
        self.check_failures(0, settle=True)
        if self.on_batch and counts:
            self.on_batch(counts)

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
        tried, failed = states.failure_counts(self.issue)
        tried, failed = tried - tried_before, failed - failed_before
        if tried >= self.options.pause_min_tried and failed > threshold * tried:
            reason = (
                f"Paused by the engine: {failed} of the last {tried} deliveries failed "
                f"(more than {threshold:.0%})."
            )
            states.pause(self.issue, reason)
            self.stop.set()
