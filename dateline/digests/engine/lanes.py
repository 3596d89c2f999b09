"""The lanes: threads that each hold one SMTP connection and only splice and send."""

from __future__ import annotations

import collections
import queue
import smtplib
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections

from dateline.digests import dkimsign, render, smtp
from dateline.digests.engine.claims import Claimed, State, finish
from dateline.digests.engine.feeder import Item
from dateline.digests.engine.limiter import RelayLimiter, relay_name
from dateline.digests.engine.options import Options
from dateline.digests.engine.outcomes import Outcomes
from dateline.digests.engine.relay import POOL, RelayUnavailable, connect
from dateline.digests.models import DigestIssue
from dateline.newsletter import tokens

# Deliveries the feeder hands a lane at a time (Lanes.hand_out).
HANDOFF = 25


@dataclass
class Lane:
    """One thread of a run: its SMTP connection and the rate-limit tokens it holds."""

    connection: smtplib.SMTP | None = None
    tokens: int = 0
    # Messages sent on this connection since the lane took it from the pool.
    sent_on_connection: int = 0


class Lanes:
    """``options.concurrency`` lanes fed through a queue, or one lane in the feeder's thread."""

    def __init__(self, options: Options, outcomes: Outcomes, issue: DigestIssue) -> None:
        self.options = options
        self.outcomes = outcomes
        self.stop = outcomes.stop
        self.limiter = RelayLimiter(relay_name(), options.per_second, options.per_hour)
        self.signer = dkimsign.from_settings()
        # Read once: each read of django.conf.settings costs more than a splice's join.
        # Unsubscribe links leave the issue's newsletter and count for the issue.
        self.links = tokens.Links.from_settings(newsletter=issue.newsletter.slug, issue=issue.pk)
        self.domain = render.mail_domain()
        # HANDOFF deliveries at a time (at most two batches ahead), then one None per lane.
        self.ready: queue.Queue[list[Item] | None] = queue.Queue(
            maxsize=max(2, 2 * options.batch_size // HANDOFF)
        )
        # With one lane there is no thread: the feeder sends in turn with claiming.
        self.inline = Lane() if options.concurrency == 1 else None
        self.threads = [
            threading.Thread(target=self.loop, name=f"lane-{i}")
            for i in range(options.concurrency if self.inline is None else 0)
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def deliver(self, items: list[Item]) -> None:
        """Send a checked batch: through the lanes' queue, or here on the inline lane."""
        if self.inline is None:
            self.hand_out(items)
        else:
            self.send_chunk(self.inline, items)

    def hand_out(self, items: list[Item]) -> None:
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
                    self.outcomes.flush()  # the lanes are busy: record what they sent
            if self.stop.is_set():
                return  # what is left of the batch goes back to the queue at the end

    def close(self) -> None:
        """Let each thread finish what it holds, and wait for it to end."""
        for _ in self.threads:
            self.ready.put(None)
        for thread in self.threads:
            thread.join()

    def release_inline(self) -> None:
        """The inline lane's connection back to the pool (a thread's goes as it ends)."""
        if self.inline is not None and self.inline.connection is not None:
            POOL.release(self.inline.connection)

    def loop(self) -> None:
        lane = Lane()
        try:
            while (chunk := self.ready.get()) is not None:
                if self.stop.is_set():
                    continue  # drained: left claimed, released when the run ends
                try:
                    self.send_chunk(lane, chunk)
                except BaseException as error:
                    self.outcomes.abort(error)
        finally:
            if lane.connection is not None:
                POOL.release(lane.connection)
            connections.close_all()  # this thread's own connections only

    def send_chunk(self, lane: Lane, items: list[Item]) -> None:
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
                    lane.connection, lane.sent_on_connection = connect(fresh=losses > 0), 0
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

    def envelopes(self, lane: Lane, waiting: collections.deque[Item]) -> Iterator[smtp.Envelope]:
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
                finish(delivery, State.FAILED, error="address needs SMTPUTF8, not supported yet")
                self.outcomes.count(State.FAILED)
                continue
            lane.tokens -= 1
            yield smtp.Envelope(
                render.return_path(delivery, self.domain), delivery.email, data, item
            )

    def settle_one(self, lane: Lane, delivery: Claimed, error: BaseException | None) -> None:
        """What became of one delivery the relay answered (or did not)."""
        if error is None:
            self.outcomes.accepted(delivery)
            lane.sent_on_connection += 1
        else:
            self.outcomes.refused(delivery, error)
