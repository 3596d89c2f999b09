"""200 comments posted at once to a real server on a file-backed SQLite database.

The server is `dateline serve` (granian, 2 worker processes) in a process group of its
own, on a copy of the migrated test database written to a file, so SQLite runs as in
production: WAL mode, BEGIN IMMEDIATE and a busy timeout (settings.py). Every post must
be answered with the redirect (no 5xx), and every one answered must be a row.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
DATELINE = ROOT / ".venv" / "bin" / "dateline"
POSTS = 200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


@pytest.fixture
def file_database(transactional_db, django_db_serialized_rollback, tmp_path):
    """The test database with one article, copied to a file the server can open."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite concurrency test; PostgreSQL has its own in CI")
    from tests.factories import make_article, make_home, make_section

    article = make_article(make_section(make_home(), "World News"), "Ferry talks resume")
    connection.ensure_connection()
    path = tmp_path / "dateline.sqlite3"
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return path, article


@pytest.fixture
def server(file_database, tmp_path):
    path, article = file_database
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DATELINE_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{path}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        # The test settings for the rest (static files uncompressed, cache in memory,
        # tasks inline), importable from the repository.
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "COMMENTS_MODERATION": "none",
        "COMMENTS_MIN_FORM_SECONDS": "0",
        "COMMENTS_PER_IP_PER_HOUR": "0",
        "COMMENTS_PER_ADDRESS_PER_HOUR": "0",
        "PYTHONUNBUFFERED": "1",
    }
    # Static files are not what this test is about; granian only needs the folder.
    (tmp_path / "var" / "static").mkdir(parents=True)
    log = (tmp_path / "server.log").open("wb")
    argv = [str(DATELINE), "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [*argv, "--workers", "2", "--no-collectstatic"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            with contextlib.suppress(OSError):
                if get(port, article.url)[0] == 200:
                    break
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.25)
        yield port, article, path
    finally:
        # Our own process group only: the server and its granian workers.
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def test_200_concurrent_posts_lose_nothing_and_fail_none(server):
    port, article, path = server
    _, page = get(port, article.url)
    stamp = re.search(r'name="stamp" value="([^"]+)"', page).group(1)
    start = threading.Barrier(POSTS)
    answers: dict[int, int] = {}
    lock = threading.Lock()

    def post(number: int) -> None:
        body = urlencode(
            {
                "article": article.pk,
                "name": f"Reader {number}",
                "email": f"reader{number}@example.org",
                "body": f"Comment number {number} on the ferry talks.",
                "stamp": stamp,
                "website": "",
            }
        )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start.wait()
        try:
            conn.request(
                "POST",
                "/comments/post/",
                body,
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            code = conn.getresponse().status
        except OSError:
            code = -1
        finally:
            conn.close()
        with lock:
            answers[number] = code

    threads = [threading.Thread(target=post, args=(n,)) for n in range(POSTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = sorted(set(answers.values()))
    assert len(answers) == POSTS and statuses == [303], {
        s: list(answers.values()).count(s) for s in statuses
    }
    with contextlib.closing(sqlite3.connect(path)) as db:
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
        rows = db.execute(
            "SELECT count(*), count(DISTINCT commenter_id) FROM comments_comment "
            "WHERE article_id = ? AND status = 'approved'",
            (article.pk,),
        ).fetchone()
    assert journal == "wal"
    assert rows == (POSTS, POSTS)
    _, page = get(port, article.url)
    assert f"({POSTS} comments)" in page
