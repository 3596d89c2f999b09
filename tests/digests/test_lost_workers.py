"""A `dateline worker` killed with SIGKILL while it sends a digest: the send is not lost.

Real processes: the doomed worker takes the issue's one send task; a second worker
and the scheduler start beside it. While the doomed worker lives, its task stays
its own, however much longer than the lease it runs (its heartbeat says it is
alive). Once it is killed, its heartbeat stops; the scheduler's recover-lost-tasks
job puts the task back in the queue, the other worker takes it, settles the dead
run's journal and sends the rest: every reader gets the issue, a repeat only for a
message in flight at the kill. Without the recovery the task stays RUNNING for good
and the scheduler's stalled-issue job never hands the issue out again.
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from django_tasks_db.models import DBTaskResult, get_date_max

from dateline.digests.tasks import send_issue_task
from tests.digests.workers import WorkerDatabase, approved_issue, worker_env
from tests.helpers.mailserver import MailServer
from tests.ops.processes import Processes

pytestmark = pytest.mark.django_db(transaction=True)

READERS = 600
LANES = 2
LEASE = 4  # seconds; heartbeats every half second, the recovery job every 2 s


def until(condition, seconds: float, why: str, logs: Processes) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            names = ("doomed", "survivor", "scheduler")
            raise AssertionError(why + "\n" + "\n".join(f"{n}: {logs.log(n)}" for n in names))
        time.sleep(0.1)


def test_a_killed_workers_digest_send_is_taken_up_and_no_reader_missed(world, tmp_path):
    issue_id, readers = approved_issue(world, READERS)
    task = DBTaskResult.objects.create(
        task_path=send_issue_task.module_path,
        args_kwargs={"args": [issue_id], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
    )
    database = WorkerDatabase(tmp_path)
    database.publish()
    sink = MailServer()
    processes = Processes(tmp_path / "logs")

    def task_row() -> tuple[str, list[str]]:
        [(status, worker_ids)] = database.query(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s",
            task.pk.hex if database.sqlite_path else task.pk,
        )
        return status, worker_ids if isinstance(worker_ids, list) else json.loads(worker_ids)

    def recovery_rounds() -> int:
        rows = database.query(
            "SELECT last_finished_at FROM scheduler_jobrun WHERE name = 'recover-lost-tasks'"
        )
        return 1 if rows and rows[0][0] else 0

    try:
        env = worker_env(
            tmp_path,
            database,
            sink,
            concurrency=LANES,
            batch=20,
            rate_per_second=30,
            send_tasks=1,
        )
        env.update(TASK_HEARTBEAT_SECONDS="0.5", TASK_LEASE_SECONDS=str(LEASE))
        worker_args = ["worker", "--interval", "0.2", "--worker-id"]
        doomed = processes.start("doomed", [*worker_args, "doomed"], env)
        until(lambda: sink.count() >= 20, 90, "the doomed worker sent nothing", processes)
        assert task_row() == ("RUNNING", ["doomed"])

        processes.start("survivor", [*worker_args, "survivor"], env)
        processes.start("scheduler", ["scheduler", "--interval", "0.5"], env)
        until(lambda: recovery_rounds() > 0, 90, "the scheduler did not start", processes)
        # Rounds that judge, with the task running longer than the lease: still its own.
        time.sleep(LEASE + 3)
        assert doomed.poll() is None, processes.log("doomed")
        assert sink.count() < len(readers), "the send ended before the kill: nothing tested"
        assert task_row() == ("RUNNING", ["doomed"])

        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(10)
        at_kill = sink.count()

        def issue_status() -> str:
            [(status,)] = database.query(
                "SELECT status FROM digests_digestissue WHERE id = %s", issue_id
            )
            return status

        until(lambda: issue_status() == "sent", 120, "the send was not taken up", processes)
        assert sink.count() > at_kill
        assert "queued again" in processes.log("scheduler")
    finally:
        processes.stop_all()
        sink.stop()

    sink.assert_each_reader_once(readers, max_repeats=LANES)  # one kill
    states = database.query(
        "SELECT state, COUNT(*) FROM digests_delivery WHERE issue_id = %s GROUP BY state",
        issue_id,
    )
    assert dict(states) == {"sent": len(readers)}
    # The same task row, run to the end by the second worker.
    assert task_row() == ("SUCCESSFUL", ["doomed", "survivor"])
    assert not list((tmp_path / "journals").glob("*")), "journals left behind"
