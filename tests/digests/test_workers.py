"""Real worker processes: killed with SIGKILL mid-issue, and sharing one relay's rate limit.

These start `dateline send-digests` processes against an aiosmtpd server and
count what the server received; see docs/newsletter.md ("What a crash can do").
"""

from __future__ import annotations

import random
import signal
import time

import pytest

from tests.digests.workers import WorkerDatabase, approved_issue, start_worker, worker_env

pytestmark = pytest.mark.django_db(transaction=True)


def wait(process, seconds: float) -> int:
    try:
        return process.wait(seconds)
    except Exception:
        process.kill()
        process.wait()
        raise


@pytest.mark.parametrize("kind", ["digest", "alert"])
def test_killed_workers_miss_no_reader_and_repeat_at_most_one_per_connection(
    world, mail_server, tmp_path, kind
):
    issue_id, readers = approved_issue(world, 1200, kind)
    database = WorkerDatabase(tmp_path)
    database.publish()
    lanes = 3
    env = worker_env(
        tmp_path, database, mail_server, concurrency=lanes, batch=40, rate_per_second=400
    )
    log = tmp_path / "workers.log"
    kills = 3
    randomness = random.Random()
    for run in range(kills):
        worker = start_worker(env, f"doomed{run}", log)
        # A random moment while it sends: after 20 to 250 more messages arrived.
        target = mail_server.count() + randomness.randint(20, 250)
        deadline = time.monotonic() + 60
        while (
            mail_server.count() < target and worker.poll() is None and time.monotonic() < deadline
        ):
            time.sleep(0.002)
        assert worker.poll() is None, f"worker ended before it was killed:\n{log.read_text()}"
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert mail_server.count() < len(readers), "the kills came too late to test anything"
    survivor = start_worker(env, "survivor", log)
    assert wait(survivor, 120) == 0, log.read_text()

    mail_server.assert_each_reader_once(readers, max_repeats=kills * lanes)
    states = dict(
        database.query(
            "SELECT state, COUNT(*) FROM digests_delivery WHERE issue_id = %s GROUP BY state",
            issue_id,
        )
    )
    assert states == {"sent": len(readers)}
    [(status,)] = database.query("SELECT status FROM digests_digestissue WHERE id = %s", issue_id)
    assert status == "sent"
    assert not list((tmp_path / "journals").glob("*")), "journals left behind"


def test_two_workers_keep_together_to_the_relays_rate(world, mail_server, tmp_path):
    _, readers = approved_issue(world, 240)
    database = WorkerDatabase(tmp_path)
    database.publish()
    rate = 60
    env = worker_env(tmp_path, database, mail_server, concurrency=2, batch=20, rate_per_second=rate)
    logs = [tmp_path / f"w{i}.log" for i in range(2)]
    workers = [start_worker(env, f"w{i}", log) for i, log in enumerate(logs)]
    for worker, log in zip(workers, logs, strict=True):
        assert wait(worker, 120) == 0, log.read_text()

    times = sorted(t for t, _, _ in mail_server.received)
    assert {rcpt for _, rcpt, _ in mail_server.received} == readers and len(times) == len(readers)
    # The bucket holds a tenth of a second's tokens and each of the 4 lanes may
    # hold up to that many: this much over the rate in one window, never more.
    slack = 5 * (rate // 10)
    busiest = max(sum(1 for u in times[i:] if u - t < 1.0) for i, t in enumerate(times))
    assert busiest <= rate + slack, busiest
    assert times[-1] - times[0] >= (len(times) - slack) / rate
    senders = database.query(
        "SELECT DISTINCT substr(claimed_by, 1, 2) FROM digests_delivery WHERE state = 'sent'"
    )
    assert sorted(s for (s,) in senders) == ["w0", "w1"]  # both took part
