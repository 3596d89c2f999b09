"""Counts kept in a process's memory and written to the database in batches.

A request adds one to a key in memory (a dict under a lock: no query); a daemon
thread hands the whole tally to a ``write`` function every ``every`` seconds, in
one go, and once more at process exit. When ``write`` fails (the database is
down) the counts go back into the tally for the next try. Memory stays bounded:
at most ``max_keys`` distinct keys wait; a count for a new key beyond that is
refused and counted in ``refused``, so it shows rather than vanishes silently.

Knows no Dateline app: the app gives the key type and the ``write`` function.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable
from multiprocessing import util as multiprocessing_util
from typing import Generic, TypeVar

from django.db import connection

logger = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)


class BatchedTally(Generic[K]):
    def __init__(
        self,
        name: str,
        write: Callable[[dict[K, int]], int],
        every: Callable[[], float],
        max_keys: Callable[[], int],
    ) -> None:
        # ``every`` and ``max_keys`` are read when used, so settings changed in tests apply.
        self.name = name
        self._write = write
        self._every = every
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._pending: Counter[K] = Counter()
        self._flush_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._last_flush = time.monotonic()
        self.refused = 0
        atexit.register(self._flush_at_exit)
        # A forked multiprocessing child (a granian worker) leaves by os._exit(), which runs
        # no atexit handler, only multiprocessing's own finalizers.
        multiprocessing_util.Finalize(None, self._flush_at_exit, exitpriority=10)

    def record(self, key: K) -> bool:
        """Add one to ``key``; False when the tally is full and the count is refused."""
        with self._lock:
            if key not in self._pending and len(self._pending) >= self._max_keys():
                self.refused += 1
                return False
            self._pending[key] += 1
        if self._thread is None:
            self._start()
        return True

    def pending(self) -> dict[K, int]:
        with self._lock:
            return dict(self._pending)

    def forget(self) -> None:
        """Drop the unsaved tally and restart the flush clock (tests start from zero)."""
        with self._lock:
            self._pending.clear()
            self.refused = 0
            self._last_flush = time.monotonic()

    def flush(self) -> int:
        """Hand the tally to ``write``; returns what it wrote, 0 (counts kept) on failure."""
        with self._flush_lock:  # one flush at a time, or a retry could write a batch twice
            with self._lock:
                batch = dict(self._pending)
                self._pending.clear()
                self._last_flush = time.monotonic()
            if not batch:
                return 0
            try:
                return self._write(batch)
            except Exception:
                logger.warning(
                    "Could not store %d %s; keeping them for the next flush",
                    sum(batch.values()),
                    self.name,
                    exc_info=True,
                )
                with self._lock:
                    # Back in, even past max_keys: they were already counted once.
                    self._pending.update(batch)
                return 0

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._loop, name=f"tally-{self.name}", daemon=True
            )
        self._thread.start()

    def _loop(self) -> None:
        # Looks every second at most, so a changed ``every`` or a restarted clock (forget)
        # counts from then on.
        while not self._stop.wait(min(1.0, self._every())):
            if time.monotonic() - self._last_flush >= self._every():
                self.flush()
                self._close_connection()

    @staticmethod
    def _close_connection() -> None:
        # The thread's own database connection: closed after each flush, so a database
        # that went away is reconnected to afresh the next time.
        with contextlib.suppress(Exception):
            connection.close()

    def _flush_at_exit(self) -> None:
        with contextlib.suppress(Exception):
            self.flush()
