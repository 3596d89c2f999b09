"""What `dateline run` prints: the banner, what happened and what needs acting on, once each."""

from __future__ import annotations

import collections
import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

from tests.ops.processes import free_port, wait_for

# "2026-12-06 05:04:15,905 INFO mail.log: " and granian's "[INFO] ".
LOG_PREFIX = re.compile(r"^(\d{4}-\d\d-\d\d [\d:,]+ \w+ [\w.]+: |\[\w+\] )")


def test_a_short_run_prints_only_what_an_operator_needs(tmp_path):
    port, smtp_port = free_port(), free_port()
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST", "LOG_LEVEL")
    }
    environ.update(
        DATELINE_VAR_DIR=str(tmp_path),
        PORT=str(port),
        OUTBOX_SMTP_PORT=str(smtp_port),
        PYTHONUNBUFFERED="1",
    )
    run = subprocess.Popen(
        [sys.executable, "-m", "dateline.cli", "run", "--no-demo", "--workers", "1"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    site = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(site + "/", timeout=180) == 200
        # What a newcomer's browser does: a missing page, a form posted incomplete
        # (the admin's autosave posts many while a new article has no slug).
        assert wait_for(site + "/no-such-page/", timeout=10) == 404
        request = urllib.request.Request(
            site + "/comments/preview/", data=b"", headers={"Accept": "application/json"}
        )
        assert wait_for(request, timeout=10) == 400
        # The scheduler's first round queues tasks; the worker runs them.
        time.sleep(8)
        run.send_signal(signal.SIGINT)
        output, _ = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, output

    assert f"Dateline is running: {site}/" in output
    assert "scheduled stories go live within 30 s" in output
    for noise in (
        "Task id=",  # a line for every task run
        "mail.log",  # the outbox's SMTP server, and its self-test at start
        "Connection lost",
        "Bad Request",
        "Not Found",
        "Websockets are not supported",
        "Listening at",  # granian, saying again what the banner says
    ):
        assert noise not in output, noise
    messages = [LOG_PREFIX.sub("", line).strip() for line in output.splitlines()]
    twice = [m for m, n in collections.Counter(m for m in messages if m).items() if n > 1]
    assert twice == []


def test_failures_still_reach_the_console():
    from dateline.ops.management.commands.worker import TaskWorker

    TaskWorker().configure_logging(verbosity=1)
    for name in ("django_tasks", "django_tasks_db", "django.request", "mail.log"):
        assert logging.getLogger(name).isEnabledFor(logging.ERROR), name
    assert not logging.getLogger("django_tasks").isEnabledFor(logging.INFO)
    assert not logging.getLogger("django.request").isEnabledFor(logging.WARNING)
    assert logging.getLogger("dateline").isEnabledFor(logging.INFO)
