"""PostgreSQL that does not answer: requests get their 503 within the connect timeout.

A server that is down behind a firewall dropping packets, or a host gone, never
refuses the connection: without a connect timeout psycopg waits 130 s per attempt
and every request hangs that long. Here "PostgreSQL" is a local socket that accepts
connections and never says a word (deterministic, no network needed), and a
`dateline shell` process with that DATABASE_URL makes requests through the whole
Django stack.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading

from tests.ops.processes import REPO, shell, site_env

TIMEOUT = 2  # psycopg's smallest (it treats less as 2)

REQUESTS = """
import json, time
from django.db import connection
from django.test import Client

client = Client(raise_request_exception=False)
result = {"params": connection.get_connection_params()}
for path, headers in (("/", {}), ("/newsletter/api/form", {"Accept": "application/json"})):
    started = time.monotonic()
    response = client.get(path, headers=headers)
    result[path] = {
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "seconds": time.monotonic() - started,
        "body": response.content.decode()[:300],
    }
print("RESULT " + json.dumps(result, default=str))
"""


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never reads or writes a byte."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.socket.accept()
                self.accepted.append(conn)

    def stop(self) -> None:
        self.socket.close()
        for conn in self.accepted:
            conn.close()


def database_options(tmp_path, url: str, **env: str) -> dict:
    """DATABASES["default"]["OPTIONS"] as a fresh process with this environment reads it."""
    code = "import json, dateline.settings as s; print(json.dumps(s.DATABASES['default']))"
    environ = site_env(tmp_path, url, **env)
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]).get("OPTIONS", {})


def test_the_connect_timeout_defaults_to_five_seconds_and_can_be_set(tmp_path):
    url = "postgres://postgres@127.0.0.1:5432/dateline"
    assert database_options(tmp_path, url)["connect_timeout"] == 5
    assert database_options(tmp_path, url, DB_CONNECT_TIMEOUT="12")["connect_timeout"] == 12
    # A connect_timeout in the URL itself wins.
    assert database_options(tmp_path, f"{url}?connect_timeout=7")["connect_timeout"] == 7
    # SQLite has no such thing (its own busy timeout is another matter).
    assert "connect_timeout" not in database_options(tmp_path, "sqlite:///x.sqlite3")


def test_a_database_that_never_answers_gives_a_503_not_a_hang(tmp_path):
    server = SilentServer()
    try:
        url = f"postgres://postgres@127.0.0.1:{server.port}/dateline"
        env = site_env(tmp_path / "var", url, DB_CONNECT_TIMEOUT=str(TIMEOUT))
        out = shell(REQUESTS, env, timeout=120)
    finally:
        server.stop()
    result = json.loads(out.split("RESULT ", 1)[1])
    # What Django hands psycopg.connect().
    assert result["params"]["connect_timeout"] == TIMEOUT
    assert server.accepted, "the request never reached the silent server"
    for path in ("/", "/newsletter/api/form"):
        answer = result[path]
        assert answer["status"] == 503, answer
        assert answer["retry_after"] == "30"
        # It waited for the server (it did not fail for another reason), then gave up.
        assert TIMEOUT - 0.5 <= answer["seconds"] <= 3 * TIMEOUT, answer
    assert json.loads(result["/newsletter/api/form"]["body"])["ok"] is False
