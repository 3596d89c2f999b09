"""Real `dateline serve` and `dateline worker` processes for the tests, and their database.

The processes run the production code paths (no test settings: DEBUG off, the
database task queue, the manifest static files) against a database of the test's
own. Each starts in a session of its own, so stopping it stops granian's worker
processes too; its output goes to a log file the failing assertion can show.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.db import connection

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, timeout: float) -> int:
    """The status of the first answer from ``url`` within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def fetch(
    port: int,
    path: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 15,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


def site_env(var: Path, database_url: str, **extra: Any) -> dict[str, str]:
    """The environment of a production-like process (not production: no TLS, no 2FA)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DIGEST_", "PYTEST", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"))
    }
    env.update(
        DATABASE_URL=database_url,
        DATELINE_VAR_DIR=str(var),
        DEBUG="false",
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def collect_static(var: Path) -> None:
    """What `dateline serve` would collect first (its --no-collectstatic skips it)."""
    done = subprocess.run(
        [sys.executable, "-m", "dateline.cli", "collectstatic", "--no-input"],
        env=site_env(var, "sqlite:///unused.sqlite3"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


class Processes:
    """Started processes, their logs, and stopping them all."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        logs.mkdir(parents=True, exist_ok=True)
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "dateline.cli", *args],
                env=env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.running[name] = process
        return process

    def serve(self, name: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
        args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
        return self.start(name, [*args, "--threads", "2", "--no-collectstatic"], env)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def wait_until_serving(self, name: str, port: int, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        process = self.running[name]
        while time.monotonic() < deadline:
            assert process.poll() is None, f"{name} exited:\n{self.log(name)}"
            with contextlib.suppress(OSError):
                if fetch(port, "/healthz", timeout=2)[0] == 200:
                    return
            time.sleep(0.2)
        raise AssertionError(f"{name} did not answer in {seconds} s:\n{self.log(name)}")

    def stop(self, name: str) -> None:
        process = self.running.pop(name)
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
        # Whatever is left of its group (granian's workers), whatever the leader did.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


def shell(code: str, env: dict[str, str], timeout: float = 120) -> str:
    """`dateline shell -c code` with this environment; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "dateline.cli", "shell", "-c", code],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


# PostgreSQL -------------------------------------------------------------------------------


def server_url(settings: dict[str, Any] | None = None, database: str = "") -> str:
    """postgres://user[:password]@host:port/database of the configured PostgreSQL server."""
    settings = settings or connection.settings_dict
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{database}"


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(server_url(database="postgres"), autocommit=True) as db:
        db.execute(statement)


class ClonedDatabase:
    """A copy of the test database (its rows so far) under a name of its own, dropped after.

    CREATE DATABASE … TEMPLATE copies it in a moment, where `migrate` takes a minute;
    the template must have no other connection, so this process's is closed first.
    """

    def __init__(self, prefix: str) -> None:
        import psycopg
        from django.db import connections

        self.template = connection.settings_dict["NAME"]
        self.name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
        connections.close_all()
        # Threads of earlier tests in this run (live servers for the browser tests) may
        # still hold connections to the test database; the copy needs them gone.
        # The name is our own test database's, never input.
        others = (
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608
            f"WHERE datname = '{self.template}' AND pid <> pg_backend_pid()"
        )
        for attempt in range(10):
            admin_sql(others)
            try:
                admin_sql(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"')
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 9:
                    raise
                time.sleep(0.5)  # a terminated backend takes a moment to go
        self.url = server_url(database=self.name)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db:
            return db.execute(sql, params).fetchall()

    def drop(self) -> None:
        admin_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
