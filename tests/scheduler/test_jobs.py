import datetime

import pytest
import time_machine
from django.utils import timezone

from dateline.lib.jobs import Job
from dateline.newsroom.models import ArticlePage
from dateline.scheduler.jobs import all_jobs, claim, run_due_jobs
from dateline.scheduler.models import JobRun
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_a_slot_is_claimed_by_one_scheduler_only():
    job = Job("tick", 60, lambda: None)
    now = timezone.now()
    assert claim(job, now) is True
    assert claim(job, now) is False
    assert claim(job, now + datetime.timedelta(seconds=61)) is True


def test_due_jobs_run_and_wait_for_their_next_slot():
    calls = []
    job = Job("count", 60, lambda: calls.append(1))
    assert run_due_jobs([job]) == ["count"]
    assert run_due_jobs([job]) == []
    assert len(calls) == 1


def test_a_failing_job_is_recorded_and_does_not_stop_the_others():
    def broken():
        raise RuntimeError("feed server down")

    calls = []
    ran = run_due_jobs([Job("broken", 60, broken), Job("fine", 60, lambda: calls.append(1))])
    assert ran == ["broken", "fine"]
    assert "feed server down" in JobRun.objects.get(name="broken").last_error
    assert calls == [1]


def test_each_app_adds_its_own_jobs_after_the_schedulers():
    names = [job.name for job in all_jobs()]
    assert names[:3] == ["recover-lost-tasks", "publish-scheduled-pages", "prune-task-results"]
    assert sorted(names[3:]) == [
        "comment-moderation-summary",  # comments/jobs.py
        "digests",  # digests/jobs.py
        "expire-unconfirmed-subscribers",  # newsletter/jobs.py
        "poll-bounce-mailbox",  # digests/jobs.py
        "poll-wire-providers",  # wire/jobs.py
    ]


def test_a_scheduled_article_goes_live_on_time(client, world):
    article = make_article(world, "Budget vote results", publish=False)
    go_live = timezone.now() + datetime.timedelta(hours=2)
    article.go_live_at = go_live
    article.save_revision().publish()
    article.refresh_from_db()
    assert not article.live
    assert client.get("/world-news/budget-vote-results/").status_code == 404

    with time_machine.travel(go_live + datetime.timedelta(seconds=5)):
        run_due_jobs([j for j in all_jobs() if j.name == "publish-scheduled-pages"])
    article = ArticlePage.objects.get(pk=article.pk)
    assert article.live
    assert article.published_at is not None
    assert client.get("/world-news/budget-vote-results/").status_code == 200
