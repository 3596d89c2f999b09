"""send_issue: a worker's share of an issue, one Run at a time, outliving a database restart."""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError
from django.db import connection as db_connection

from dateline.digests.engine import states
from dateline.digests.engine.feeder import Feeder
from dateline.digests.engine.journal import Journal, replay
from dateline.digests.engine.lanes import Lanes
from dateline.digests.engine.options import Options
from dateline.digests.engine.outcomes import Outcomes
from dateline.digests.models import DigestIssue

# How long a send waits for a database that went away (restarting, failing over)
# before giving up, and how many times in a row it starts again without progress.
DATABASE_WAIT_SECONDS = 300
DATABASE_RETRIES = 5


class Run:
    """One pass of send_issue: a feeder (this thread), its lanes and their outcomes.

    The feeder claims batches, checks them and queues the deliveries to send; the
    lanes only splice and send, so no lane waits for the database between
    messages; the outcomes record what the relay accepted with one UPDATE per batch.
    """

    def __init__(
        self,
        issue: DigestIssue,
        worker_id: str,
        options: Options,
        on_batch: Callable[[dict[str, int]], None] | None,
    ) -> None:
        self.options = options
        # Unique per run, so a dead run's claims can be told from a live one's.
        self.claim_id = f"{worker_id[:90]}#{secrets.token_hex(4)}"
        self.outcomes = Outcomes(issue, options, self.claim_id, on_batch)
        self.lanes = Lanes(options, self.outcomes, issue)
        self.feeder = Feeder(issue, options, self.claim_id, self.outcomes, self.lanes.deliver)

    @property
    def totals(self) -> dict[str, int]:
        return self.outcomes.totals

    def run(self) -> dict[str, int]:
        replay(self.options.journal_dir)
        journal = self.outcomes.journal = Journal(self.options.journal_dir, self.claim_id)
        try:
            self.lanes.start()
            try:
                self.feeder.feed()
            except BaseException as error:
                self.outcomes.abort(error)
            finally:
                self.lanes.close()
                self.outcomes.flush()
        finally:
            self.lanes.release_inline()
            # Marks what the lanes sent (if the last flush failed) and releases the rest.
            journal.close()
        if self.outcomes.errors:
            raise self.outcomes.errors[0]
        return self.totals


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
    if not states.start_sending(issue):
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
    states.finish_if_done(issue)
    return totals
