"""PostgreSQL restarted while pages are served and a digest is being sent.

The database is a throwaway cluster of the test's own (initdb and pg_ctl on a
free port, never the machine's shared server), loaded with a copy of the test
database. While a `dateline serve` process answers readers and a `dateline
send-digests` process sends an issue, the cluster is stopped and started again:

* readers get their page, or a 503 that says to try again: no hang, no
  traceback; cached pages are served throughout; once the database is back the
  same server renders pages again;
* the send waits for the database and carries on: every reader gets the issue,
  a repeat only for a message in flight at the moment of the stop;
* an idle `dateline worker` waits for the database rather than exiting, and runs
  the tasks queued once it is back.
"""

from __future__ import annotations

import collections
import contextlib
import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from dateline.digests import engine
from dateline.newsletter.models import Subscriber
from tests.digests.helpers import make_issue, subscribe_all
from tests.factories import make_article
from tests.helpers.mailserver import MailServer
from tests.ops.processes import Processes, fetch, free_port, server_url, site_env

BIN_DIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
BIN = Path(BIN_DIRS[-1]) if BIN_DIRS else None
TOOLS = ("initdb", "pg_ctl", "pg_dump", "psql", "createdb")

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="copies the PostgreSQL test database: DATABASE_URL=postgres://…",
    ),
    pytest.mark.skipif(
        BIN is None or not all((BIN / tool).exists() for tool in TOOLS),
        reason="needs PostgreSQL's server binaries (initdb, pg_ctl: apt-get install postgresql)",
    ),
    pytest.mark.django_db(transaction=True),
]

READERS = 400
LANES = 2


class Cluster:
    """A PostgreSQL cluster in a temporary folder, on a free port of 127.0.0.1."""

    def __init__(self) -> None:
        assert BIN is not None
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="dateline-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        # initdb and the server refuse to run as root: as root, run them as postgres.
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/dateline"

    def run(self, tool: str, *args: str, timeout: float = 120) -> None:
        done = subprocess.run(
            [*self.as_user, str(BIN / tool), *args],  # type: ignore[operator]
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"{tool}: {done.stdout}{done.stderr}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        # Fast: open sessions are ended at once, as in a restart for an upgrade.
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def load(self, source_url: str) -> None:
        """The test database's schema and rows, copied with pg_dump into `dateline`."""
        psql = [str(BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", self.url]  # type: ignore[operator]
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "dateline")
        dump = subprocess.Popen(
            [str(BIN / "pg_dump"), "--no-owner", "--no-privileges", source_url],  # type: ignore[operator]
            stdout=subprocess.PIPE,
        )
        done = subprocess.run(
            psql, stdin=dump.stdout, capture_output=True, text=True, timeout=120, check=False
        )
        assert dump.stdout is not None
        dump.stdout.close()
        assert dump.wait(60) == 0 and done.returncode == 0, done.stderr[-3000:]

    def query(self, sql: str, *params: object) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as db:
            return db.execute(sql, params).fetchall()

    def remove(self) -> None:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


class Reader(threading.Thread):
    """One reader asking for a page nobody cached, over and over, noting every answer."""

    def __init__(self, port: int, path: str) -> None:
        super().__init__(daemon=True)
        self.port, self.path = port, path
        self.answers: list[tuple[int, float, bytes]] = []  # status, seconds, start of body
        self.stop = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            started = time.monotonic()
            try:
                # A parameter the page cache does not know: rendered every time.
                status, _, body = fetch(self.port, f"{self.path}?reader={n}", timeout=20)
            except OSError as error:
                status, body = -1, str(error).encode()
            self.answers.append((status, time.monotonic() - started, body[:20000]))
            time.sleep(0.05)


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.1)


def test_a_postgresql_restart_costs_readers_a_503_at_most_and_the_send_goes_on(
    world, site_var, tmp_path
):
    article = make_article(world, "Dam agreement signed")
    issue = make_issue([article])
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{i}@example.org", status=Subscriber.Status.ACTIVE)
        for i in range(READERS)
    )
    subscribe_all()
    engine.approve(issue)
    path = article.url

    cluster = Cluster()
    sink = MailServer()
    processes = Processes(tmp_path / "logs")
    reader = None
    try:
        cluster.load(server_url(database=connection.settings_dict["NAME"]))
        port = free_port()
        env = site_env(
            site_var,
            cluster.url,
            PORT=port,
            EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
            DIGEST_JOURNAL_DIR=tmp_path / "journals",
            DIGEST_CONCURRENCY=LANES,
            DIGEST_BATCH=20,
            DIGEST_RATE_PER_SECOND=100,
            NEWSLETTER_MIN_FORM_SECONDS=0,  # the signup below is no bot's
        )
        processes.serve("serve", port, env)
        processes.wait_until_serving("serve", port)
        stamp = json.loads(fetch(port, "/newsletter/api/form")[2])["stamp"]
        reader = Reader(port, path)
        reader.start()
        # A task worker too, idle meanwhile: it must outlive the restart, not exit.
        worker = processes.start("worker", ["worker", "--interval", "0.2"], env)
        sender = processes.start("send", ["send-digests", "--worker-id", "w1"], env)
        wait_for(lambda: sink.count() >= 80 or sender.poll() is not None, 60, "80 sent")
        assert sender.poll() is None, f"the send ended before the restart:\n{processes.log('send')}"

        # The front page in the cache (rendered again if anything changed meanwhile).
        assert fetch(port, "/")[0] == 200
        assert fetch(port, "/")[1].get("x-cache") == "hit"
        cluster.stop()
        stopped_at = len(reader.answers)
        sent_before = sink.count()
        # While it is down: a reader of an uncached page is told to try again...
        status, headers, body = fetch(port, f"{path}?while=down", timeout=20)
        assert status == 503, body[:2000]
        assert b"try again in a minute" in body and headers.get("retry-after")
        # ...a form posted is refused the same way, in JSON for the JSON API...
        status, _, body = fetch(
            port,
            "/newsletter/api/subscribe",
            method="POST",
            body=json.dumps(
                {"email": "down@example.org", "cadence": "weekly", "stamp": stamp}
            ).encode(),
            headers={"Content-Type": "application/json"},
            timeout=20,
        )
        assert status == 503 and b'"ok": false' in body, body[:500]
        # ...and a page in the cache is served as ever.
        status, headers, _ = fetch(port, "/")
        assert status == 200 and headers.get("x-cache") == "hit"
        time.sleep(1.5)
        cluster.start()

        # The same server process renders pages again, on new connections.
        wait_for(lambda: fetch(port, f"{path}?while=up", timeout=20)[0] == 200, 20, "pages again")
        wait_for(lambda: len(reader.answers) > stopped_at + 5, 20, "the reader goes on")
        reader.stop.set()
        reader.join(30)
        statuses = collections.Counter(status for status, _, _ in reader.answers)
        assert set(statuses) <= {200, 503}, statuses
        assert statuses[200] and statuses[503], statuses
        assert max(seconds for _, seconds, _ in reader.answers) < 15  # nothing hung
        assert not any(b"Traceback" in body for _, _, body in reader.answers)
        assert reader.answers[-1][0] == 200

        # A signup now is stored, and the worker that lived through it all mails it.
        status, _, body = fetch(
            port,
            "/newsletter/api/subscribe",
            method="POST",
            body=json.dumps(
                {"email": "after@example.org", "cadence": "weekly", "stamp": stamp}
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert status == 200, body[:500]
        wait_for(
            lambda: any(rcpt == "after@example.org" for _, rcpt, _ in sink.received),
            30,
            f"the confirmation mail from the worker:\n{processes.log('worker')}",
        )
        assert worker.poll() is None, processes.log("worker")
        assert "database is unavailable" in processes.log("worker")

        assert sender.wait(120) == 0, processes.log("send")
        by_reader = collections.Counter(
            rcpt for _, rcpt, _ in sink.received if rcpt.startswith("reader")
        )
        assert sum(by_reader.values()) > sent_before, "nothing was sent after the restart"
        assert set(by_reader) == {f"reader{i}@example.org" for i in range(READERS)}
        # A repeat only for a message in flight when the database went: one per lane.
        assert sum(n - 1 for n in by_reader.values()) <= LANES, by_reader.most_common(3)
        states = cluster.query(
            "SELECT state, COUNT(*) FROM digests_delivery WHERE issue_id = %s GROUP BY state",
            issue.pk,
        )
        assert states == [("sent", READERS)]
        assert cluster.query("SELECT status FROM digests_digestissue WHERE id = %s", issue.pk) == [
            ("sent",)
        ]
        assert not list((tmp_path / "journals").glob("*")), "journals left behind"
    finally:
        if reader is not None:
            reader.stop.set()
        processes.stop_all()
        sink.stop()
        cluster.remove()
