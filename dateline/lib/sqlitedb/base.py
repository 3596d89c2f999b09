"""Django's SQLite backend, with writers that queue for their turn instead of sleeping.

SQLite lets one writer in at a time. A second one retries on its busy handler,
which sleeps between tries (1, 2, 5, 10 … up to 100 ms) rather than waking when
the lock is free. A signup holds the write lock for 2-3 ms, but under a burst a
writer that lost a few times waited 100 ms or more while the lock stood idle:
at 200 signups/s, 2 processes x 4 threads gave p99 280 ms where one writer at a
time gave 14.6 ms (bench/RESULTS.md, bench/signup).

So before ``BEGIN IMMEDIATE`` a connection takes a lock of its own: a thread
lock within the process (woken at once on release) and an ``flock`` on a file
beside the database across processes, both released at COMMIT or ROLLBACK.
Only transactions take it: Django's ``atomic`` blocks, which every write of ours
that matters runs in. A lone autocommit statement still meets SQLite's own
busy handler. In-memory databases (the test suite) are left as they were.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError


class WriteQueue:
    """One writer at a time among the threads and processes sharing a database file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._reset()

    def _reset(self) -> None:
        self.threads = threading.Lock()
        self.fd: int | None = None

    def acquire(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        if not self.threads.acquire(timeout=timeout):
            raise OperationalError(f"database is locked (no turn to write within {timeout} s)")
        try:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
            # Only one thread per process gets here, so the wait across processes is
            # a short poll: flock cannot block with a timeout.
            pause = 0.0002
            while True:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise OperationalError(
                            f"database is locked (no turn to write within {timeout} s)"
                        ) from None
                    time.sleep(pause)
                    pause = min(pause * 1.5, 0.001)
        except BaseException:
            self.threads.release()
            raise

    @contextmanager
    def turn(self, timeout: float) -> Iterator[None]:
        self.acquire(timeout)
        try:
            yield
        finally:
            self.release()

    def release(self) -> None:
        try:
            if self.fd is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.threads.release()


_queues: dict[str, WriteQueue] = {}
_queues_lock = threading.Lock()


def queue_for(database: str) -> WriteQueue:
    """The queue of writers to ``database`` (a file path), shared within the process."""
    path = os.path.abspath(database) + ".writelock"
    with _queues_lock:
        return _queues.setdefault(path, WriteQueue(path))


def _after_fork() -> None:
    # A child starts with no turn held, whatever its parent's threads were doing. It
    # closes its copy of the parent's lock file too: an flock lasts while any copy is
    # open, so a child keeping one would hold the parent's turn after the parent died.
    for queue in _queues.values():
        if queue.fd is not None:
            with suppress(OSError):
                os.close(queue.fd)
        queue._reset()


os.register_at_fork(after_in_child=_after_fork)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._write_turn = False

    def _queue(self) -> WriteQueue | None:
        if self.is_in_memory_db():
            return None
        return queue_for(str(self.settings_dict["NAME"]))

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        # The connection's init_command switches the file to WAL. Two processes doing
        # that at once on a new file (workers started together) deadlock in SQLite, and
        # one gets "database is locked" at once, whatever the busy timeout: switch in turn.
        queue = self._queue()
        if queue is None:
            return super().get_new_connection(conn_params)
        with queue.turn(float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))):
            return super().get_new_connection(conn_params)

    def _start_transaction_under_autocommit(self) -> None:
        queue = self._queue()
        if queue is not None and not self._write_turn:
            queue.acquire(float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5)))
            self._write_turn = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._end_turn()
            raise

    def _end_turn(self) -> None:
        if self._write_turn:
            self._write_turn = False
            queue = self._queue()
            if queue is not None:
                queue.release()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._end_turn()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._end_turn()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._end_turn()
