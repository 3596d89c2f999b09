"""The feeder: claims batches, checks them, and hands the deliveries to send to the lanes."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection as db_connection
from django.utils import timezone

from dateline.digests import render
from dateline.digests.engine import states
from dateline.digests.engine.claims import (
    STALE_CLAIM,
    Claimed,
    State,
    any_of,
    claim_batch,
    settle_held,
)
from dateline.digests.engine.options import Options
from dateline.digests.engine.outcomes import Outcomes
from dateline.digests.engine.rendering import GroupKey, RenderCache, already_received
from dateline.digests.models import Delivery, DigestIssue
from dateline.newsletter.models import Subscription, Suppression

Item = tuple[Claimed, render.RenderedGroup]  # a delivery to send, and its group's message
# Seconds between looks for the next chunk of an approval still queueing readers.
QUEUEING_POLL = 0.02


class Feeder:
    """The run's calling thread: claims, checks and hands out until nothing is left for now."""

    def __init__(
        self,
        issue: DigestIssue,
        options: Options,
        claim_id: str,
        outcomes: Outcomes,
        deliver: Callable[[list[Item]], None],
    ) -> None:
        self.issue = issue
        self.options = options
        self.claim_id = claim_id
        self.outcomes = outcomes
        self.stop = outcomes.stop
        self.deliver = deliver  # to the lanes (Lanes.hand_out), or sent in this thread
        self.cache = RenderCache(issue)

    def feed(self) -> None:
        last_renewal = time.monotonic()
        # Claims go on from the last row this run took: a scan from the issue's start
        # would test every row already claimed or sent, more with each batch. Rows
        # behind the cursor that became claimable again (released by a run that
        # stopped, a due retry, a dead run's) are found by one more pass from the
        # start before the run ends.
        after = 0
        # While the approval is still queueing readers (approval.approve), an empty claim
        # means "not yet": wait for the next chunk (its ids come after the cursor's).
        waited_since: float | None = None
        while not self.stop.is_set():
            status, queueing = states.status_now(self.issue)
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
                self.outcomes.flush()
                time.sleep(QUEUEING_POLL)
                continue
            waited_since = None
            after = batch[-1].pk
            self.deliver(self.prepare(batch))
            self.outcomes.flush()
            if time.monotonic() - last_renewal > STALE_CLAIM.total_seconds() / 3:
                # Slow batches (a low rate limit): show the rows are still in hand.
                Delivery.objects.filter(state=State.SENDING, claimed_by=self.claim_id).update(
                    claimed_at=timezone.now()
                )
                last_renewal = time.monotonic()

    def prepare(self, deliveries: list[Claimed]) -> list[Item]:
        """The batch's deliveries to send with their group; the others settled in bulk."""
        settled: dict[tuple[str, str], list[int]] = {}  # (state, error) -> ids
        suppressed = self.suppressed({d.email for d in deliveries})
        staying = self.still_subscribed(deliveries)
        received = already_received(self.cache, deliveries)
        groups: dict[GroupKey, render.RenderedGroup | None] = {}
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
            elif subscriber.pk not in staying:
                state, error = State.SUPPRESSED, "left the newsletter"
            else:
                key = (delivery.sections_key, received.get(subscriber.pk, frozenset()))
                if key not in groups:
                    groups[key] = self.cache.group(key[0], delivery.section_ids, key[1])
                group = groups[key]
                if group is None:
                    state, error = State.SKIPPED, "no new stories in the chosen sections"
            if group is not None:
                to_send.append((delivery, group))
            else:
                settled.setdefault((state, error), []).append(delivery.pk)
                self.outcomes.count(state)
        for (state, error), ids in settled.items():
            assignments = "state = %(state)s, last_error = %(error)s"
            settle_held(ids, self.claim_id, assignments, {"state": state, "error": error})
        return to_send

    def still_subscribed(self, deliveries: list[Claimed]) -> set[int]:
        """Which of the batch's readers are still on the issue's newsletter.

        A reader who left it since the approval (its unsubscribe link leaves that
        newsletter alone, the reader stays active) gets nothing more from it.
        """
        ids = [d.subscriber.pk for d in deliveries if d.subscriber is not None]
        if not ids:
            return set()
        match, param = any_of("subscriber_id", ids, "readers")
        sql = (
            f"SELECT subscriber_id FROM {Subscription._meta.db_table} "  # noqa: S608
            f"WHERE newsletter_id = %(newsletter)s AND left_at IS NULL AND {match}"
        )
        with db_connection.cursor() as cursor:
            cursor.execute(sql, {"newsletter": self.issue.newsletter_id, **param})
            return {subscriber_id for (subscriber_id,) in cursor.fetchall()}

    @staticmethod
    def suppressed(emails: set[str]) -> set[str]:
        """Which of ``emails`` (compared in lower case) are on the suppression list."""
        match, param = any_of("email", sorted(emails | {e.lower() for e in emails}), "emails")
        sql = f"SELECT email FROM {Suppression._meta.db_table} WHERE {match}"  # noqa: S608
        with db_connection.cursor() as cursor:
            cursor.execute(sql, param)
            return {email.lower() for (email,) in cursor.fetchall()}
