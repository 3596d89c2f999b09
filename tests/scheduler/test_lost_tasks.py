"""Tasks left RUNNING by a worker that died go back to the queue; a live worker's never do.

The whole story with real processes (a `dateline worker` killed with SIGKILL in the
middle of a digest) is tests/digests/test_lost_workers.py.
"""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from dateline.scheduler import jobs, workers
from dateline.scheduler.models import JobRun, WorkerHeartbeat

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.timedelta(hours=3)


@pytest.fixture(autouse=True)
def _lease(settings):
    settings.TASK_LEASE_SECONDS = 60
    settings.TASK_MAX_ATTEMPTS = 3


def worker(name: str, seen_ago: float) -> str:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=name,
        host="web1",
        pid=100,
        started_at=now - LONG_AGO,
        seen_at=now - datetime.timedelta(seconds=seen_ago),
    )
    return name


def running(*worker_ids: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path="dateline.digests.tasks.send_issue_task",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        status="RUNNING",
        # Started long ago: how long a task has run says nothing about its worker.
        started_at=timezone.now() - LONG_AGO,
        worker_ids=list(worker_ids),
    )


def recover() -> list[str]:
    return workers.recover_lost_tasks(previous_check=timezone.now())


def test_a_task_of_a_live_worker_stays_running_however_long_it_runs():
    task = running(worker("alive", seen_ago=5))
    assert recover() == []
    task.refresh_from_db()
    assert task.status == "RUNNING" and task.worker_ids == ["alive"]


def test_a_task_of_a_worker_gone_quiet_goes_back_to_the_queue_once():
    task = running(worker("dead", seen_ago=120))
    other = running(worker("alive", seen_ago=1))
    assert recover() == [str(task.pk)]
    task.refresh_from_db()
    assert task.status == "READY" and task.started_at is None
    assert task.worker_ids == ["dead"]  # one entry per attempt, kept
    assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()
    # A second scheduler (or the next round) finds nothing more to do.
    assert recover() == []
    other.refresh_from_db()
    assert other.status == "RUNNING"
    # The dead worker has nothing left running: forgotten. The live one is kept.
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {"alive"}


def test_the_next_worker_takes_it_and_its_name_is_added():
    task = running(worker("dead", seen_ago=120))
    recover()
    claimed = DBTaskResult.objects.ready().get_locked()
    assert claimed is not None and claimed.pk == task.pk
    claimed.claim("survivor")
    task.refresh_from_db()
    assert task.status == "RUNNING" and task.worker_ids == ["dead", "survivor"]


def test_a_task_that_its_workers_keep_dying_on_fails_at_the_last_attempt():
    task = running("w1", "w2", worker("w3", seen_ago=120))
    assert recover() == [str(task.pk)]
    task.refresh_from_db()
    assert task.status == "FAILED" and task.finished_at is not None
    assert task.exception_class_path == "dateline.scheduler.workers.WorkerLost"
    assert "3 workers died" in task.traceback
    assert task.task_result.errors  # shown as a failure, like any other


def test_a_worker_without_a_heartbeat_is_not_judged():
    # A plain `db_worker`, or a worker of a version before heartbeats.
    task = running("unknown")
    worker("dead", seen_ago=120)
    assert recover() == []
    task.refresh_from_db()
    assert task.status == "RUNNING"


def test_after_the_database_was_away_the_job_waits_a_round_before_judging():
    # Every heartbeat looks old after an outage longer than the lease: live workers get
    # a round to be heard again.
    task = running(worker("quiet", seen_ago=120))
    assert workers.recover_lost_tasks(previous_check=None) == []
    long_ago = timezone.now() - datetime.timedelta(seconds=300)
    assert workers.recover_lost_tasks(previous_check=long_ago) == []
    task.refresh_from_db()
    assert task.status == "RUNNING"


def test_the_scheduler_job_recovers_on_its_second_round():
    task = running(worker("dead", seen_ago=120))
    job = next(j for j in jobs.all_jobs() if j.name == jobs.RECOVER_LOST_TASKS)
    assert jobs.run_due_jobs([job]) == [jobs.RECOVER_LOST_TASKS]
    task.refresh_from_db()
    assert task.status == "RUNNING"  # first round: only looks
    JobRun.objects.filter(name=job.name).update(next_run_at=timezone.now())
    assert jobs.run_due_jobs([job]) == [jobs.RECOVER_LOST_TASKS]
    task.refresh_from_db()
    assert task.status == "READY"
    assert JobRun.objects.get(name=job.name).last_error == ""


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_keeps_the_worker_seen():
    workers.beat("w")
    first = WorkerHeartbeat.objects.get(worker_id="w")
    assert first.host and first.pid
    heartbeat = workers.Heartbeat("w", every=0.05)
    heartbeat.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if WorkerHeartbeat.objects.get(worker_id="w").seen_at > first.seen_at:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the heartbeat thread recorded nothing")
    finally:
        heartbeat.stop()
    assert not heartbeat.thread.is_alive()
    assert WorkerHeartbeat.objects.filter(worker_id="w").count() == 1
