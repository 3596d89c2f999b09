"""Real worker processes (`dateline send-digests`) against a real SMTP server, for tests.

The workers need a database they can open: on PostgreSQL the test database
itself (the tests using this are transactional, so their rows are committed);
on SQLite the in-memory test database is copied to a file first, and read back
from that file afterwards.
"""

from __future__ import annotations

import collections
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from django.db import connection

MESSAGE_ID = re.compile(rb"^Message-ID: *(\S+)\r?$", re.MULTILINE | re.IGNORECASE)
REPO = Path(__file__).resolve().parents[2]


class Sink:
    """An aiosmtpd server that notes, per message, when it came, to whom and its Message-ID."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[tuple[float, str, str]] = []  # (monotonic time, rcpt, Message-ID)
        self.contents: list[bytes] = []
        self.peers: set[tuple[str, int]] = set()  # one per SMTP connection that sent mail
        # Addresses refused at RCPT with this reply, every time.
        self.refuse: dict[str, str] = {}
        # Addresses whose message is refused at the end of DATA with this reply.
        self.refuse_data: dict[str, str] = {}
        # Addresses at whose message's end of DATA the server hangs up without an answer
        # (once each): the message is lost, as on a network failure.
        self.hang_up_at: set[str] = set()
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_EHLO(self, server, session, envelope, hostname, responses):
                # As real relays do: the engine then sends the envelope in one write.
                session.host_name = hostname
                return [*responses[:-1], "250-PIPELINING", responses[-1]]

            async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
                if address in sink.refuse:
                    return sink.refuse[address]
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, smtp, session, envelope):
                for rcpt in envelope.rcpt_tos:
                    if rcpt in sink.hang_up_at:
                        sink.hang_up_at.discard(rcpt)
                        smtp.transport.close()
                        return "421 gone"  # never reaches the client
                    if rcpt in sink.refuse_data:
                        return sink.refuse_data[rcpt]
                found = MESSAGE_ID.search(envelope.content)
                message_id = found.group(1).decode() if found else ""
                with sink.lock:
                    sink.peers.add(session.peer)
                    sink.contents.append(envelope.content)
                    for rcpt in envelope.rcpt_tos:
                        sink.received.append((time.monotonic(), rcpt, message_id))
                return "250 Message accepted"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def assert_each_reader_once(self, readers: set[str], max_repeats: int) -> None:
        """Every reader got the issue and nobody else did; a repeat is allowed only as the
        same message (same Message-ID, so mail clients show it once) and only for what was
        in flight when a worker died: at most ``max_repeats`` (one per open connection).
        """
        by_reader: dict[str, list[str]] = collections.defaultdict(list)
        for _, rcpt, message_id in self.received:
            by_reader[rcpt].append(message_id)
        assert set(by_reader) == readers  # none missed, nobody else
        assert all(len(set(ids)) == 1 for ids in by_reader.values())
        repeats = sum(len(ids) - 1 for ids in by_reader.values())
        assert repeats <= max_repeats, repeats

    def use(self, settings: Any) -> Sink:
        """Point the engine of this (test) process at the sink."""
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", self.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        return self

    def stop(self) -> None:
        self.controller.stop()


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


def worker_env(tmp_path: Path, database: WorkerDatabase, sink: Sink, **digest: Any) -> dict:
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
