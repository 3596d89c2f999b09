"""The delivery engine: from an approved issue to one message per reader at the relay.

Every kind goes through it: digests, breaking-news alerts and written issues
(``DigestIssue.kind``); what differs is who gets one (approval) and the mail
(``digests.issuemail``).

Why Dateline sends digests itself rather than through a local MTA's queue or an
ESP's bulk API: docs/decisions/0008. How to run it: docs/newsletter.md.

An issue's way, in the order the code runs it
=============================================

1. **Approval** (``approval.approve``, called by ``editorial.approve``). One
   ``Delivery`` row per active reader with an open subscription to the issue's
   newsletter (a digest: of its cadence too), made by one
   ``INSERT … SELECT`` per chunk of reader ids: 2,000 first, so that workers start
   at once, then growing to 50,000. Suppressed addresses get a ``suppressed`` row.
   The issue is ``queueing`` until the last chunk has committed.

2. **A worker takes it** (``run.send_issue``, from ``tasks.send_issue_task`` or
   ``dateline send-digests``). ``states.start_sending`` moves the issue from
   approved to sending, then a ``run.Run`` goes through these steps:

   a. ``journal.replay``: the journals of runs that died on this machine are
      settled (ids the relay accepted are marked sent, their other claims go
      back to the queue). Then the run opens its own ``journal.Journal``.
   b. ``feeder.Feeder`` (the calling thread) claims a batch with
      ``claims.claim_batch``: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
      conditional UPDATE on SQLite, so that workers never share a row. It checks
      the batch: readers now on the suppression list, gone, or off the issue's
      newsletter are settled at once; for the rest, ``rendering.RenderCache``
      gives the message of their group (same sections, same stories already
      received), rendered once per run.
   c. ``lanes.Lanes`` (``DIGEST_CONCURRENCY`` threads) take the checked deliveries.
      Each lane holds one connection from ``relay.POOL`` and rate-limit tokens
      from ``limiter.RelayLimiter`` (shared by every worker through the
      database), splices each reader's values into the group's bytes, and sends
      pipelined (``digests.smtp.send_pipelined``).
   d. ``outcomes.Outcomes`` hears each answer. 250: the id goes into the journal
      at once and into the next bulk "sent" UPDATE (``claims.mark_sent``, after
      each batch). 4xx or a lost connection: back to the queue with a growing
      delay (``claims.retry_later``). 550/551/553: bounced, the address
      suppressed. Other 5xx: failed. A relay that cannot be reached stops the
      run without costing readers an attempt. Too many failures pause the issue
      (``states.pause``; an editor resumes it with ``states.resume``).
   e. When nothing is left to claim, the lanes finish what they hold and the
      journal is closed: what it recorded is marked sent and any claim not
      tried goes back to the queue.

3. **Sent** (``states.finish_if_done``): once the approval has queued every reader
   and no delivery waits or is in flight, the issue is ``sent``.

A crash anywhere in 2 loses no reader and repeats at most the message in flight
on each connection (docs/newsletter.md, "What a crash can do"); the database
going away restarts the run (``run.send_issue``).

The modules
===========

- ``approval``: the deliveries of an approved issue.
- ``claims``: claiming batches, and every write to the rows a run holds.
- ``states``: the issue's status (sending, paused, resumed, sent).
- ``run``: ``send_issue`` and ``Run``, which puts the next three together.
- ``feeder``, ``lanes``, ``outcomes``: claiming and checking; sending; accounting.
- ``rendering``: the render cache of a run.
- ``journal``, ``relay``, ``limiter``: the crash journal, the SMTP connections,
  the relay's rate limits.
- ``options``: the DIGEST_* settings a run reads.
"""

from dateline.digests.engine.approval import approve
from dateline.digests.engine.claims import STALE_CLAIM, State, claim_batch, claimable
from dateline.digests.engine.relay import POOL
from dateline.digests.engine.run import send_issue
from dateline.digests.engine.states import finish_if_done, pause, resume

__all__ = [
    "POOL",
    "STALE_CLAIM",
    "State",
    "approve",
    "claim_batch",
    "claimable",
    "finish_if_done",
    "pause",
    "resume",
    "send_issue",
]
