"""Real worker processes (`dateline send-digests`) against a real SMTP server, for tests.

The workers need a database they can open: on PostgreSQL the test database
itself (the tests using this are transactional, so their rows are committed);
on SQLite the in-memory test database is copied to a file first, and read back
from that file afterwards.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.db import connection

from dateline.digests import alerts, engine
from dateline.newsletter.models import Newsletter, Subscriber
from tests.digests.helpers import make_issue, subscribe_all
from tests.factories import make_article
from tests.helpers.mailserver import MailServer

REPO = Path(__file__).resolve().parents[2]


def approved_issue(world, readers: int, kind: str = "digest") -> tuple[int, set[str]]:
    """An approved issue to ``readers`` readers: a digest, or an alert (``kind``)."""
    article = make_article(world, "Dam agreement signed")
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{i}@example.org", status=Subscriber.Status.ACTIVE)
        for i in range(readers)
    )
    if kind == "alert":
        subscribe_all(Newsletter.alerts())
        issue = alerts.make_alert(article)
    else:
        subscribe_all()
        issue = make_issue([article])
    # Not active: must get nothing, however often the workers restart.
    Subscriber.objects.create(email="left@example.org", status=Subscriber.Status.UNSUBSCRIBED)
    assert engine.approve(issue) == readers
    return issue.pk, {f"reader{i}@example.org" for i in range(readers)}


class WorkerDatabase:
    """Where worker processes find the test's rows, and how to read their results back."""

    def __init__(self, tmp_path: Path) -> None:
        self.sqlite_path: Path | None = None
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            self.sqlite_path = tmp_path / "workers.sqlite3"
            self.url = f"sqlite:///{self.sqlite_path}"
        else:
            auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
            host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
            self.url = f"postgres://{auth}@{host}/{settings['NAME']}"

    def publish(self) -> None:
        """Make the rows written so far visible to other processes."""
        if self.sqlite_path is not None:
            connection.ensure_connection()
            target = sqlite3.connect(self.sqlite_path)
            connection.connection.backup(target)
            target.close()

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` (placeholders written %s) from the workers' database."""
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def worker_env(tmp_path: Path, database: WorkerDatabase, sink: MailServer, **digest: Any) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_", "PYTEST"))}
    env.update(
        DATABASE_URL=database.url,
        EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
        DATELINE_VAR_DIR=str(tmp_path / "var"),
        DIGEST_JOURNAL_DIR=str(tmp_path / "journals"),
        DEBUG="false",  # no query log growing in a long run
        REDIS_URL="",
        PYTHONUNBUFFERED="1",
    )
    env.update({f"DIGEST_{k.upper()}": str(v) for k, v in digest.items()})
    return env


def start_worker(env: dict, name: str, log: Path) -> subprocess.Popen:
    """`dateline send-digests` in its own process, its output in ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "dateline.cli", "send-digests", "--worker-id", name],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
