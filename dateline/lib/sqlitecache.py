"""The shared cache of a one-machine site: one SQLite file that every process opens.

Django's FileBasedCache was the default before this. Each of its stores writes a
temporary file and renames it over the old one (about 3 ms here: ext4 flushes on
a rename over an existing file) and then lists the whole cache folder to decide
whether to cull. A rate-limit count (``add`` then ``incr``) cost 6.5 ms and a
14 KB page 4.6 ms; here they are one statement each, 0.05-0.5 ms (bench/RESULTS.md,
"The shared cache"), and ``incr`` is atomic across processes, which the file
cache's never was.

Integers are kept as SQLite integers so that ``incr`` is a single
``UPDATE … RETURNING``; every other value is pickled, as Django's own file and
database caches do. The file is created readable by its owner only: whoever can
write it can make the site unpickle what they like, exactly as with those caches.

A cache must never take a page down with it: a locked or full database makes a
read miss and a write a no-op, with a warning in the log. Only ``incr`` raises,
because no answer would be right (callers such as ``dateline.lib.ratelimit``
decide what an unknown count means).

Redis (``REDIS_URL``) replaces this as soon as more than one machine serves.
"""

from __future__ import annotations

import json
import logging
import os
import pickle  # nosec B403 - values come only from this site's own processes
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db.utils import DatabaseError

from dateline.lib.sqlitedb.base import queue_for

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,  -- an integer, or a pickle
    expires REAL          -- Unix time; NULL never expires
);
CREATE INDEX IF NOT EXISTS entries_expires ON entries (expires);
"""
INT64 = (-(2**63), 2**63 - 1)
# A process culls after this many stores, not on each: counting the entries is
# the costly part of culling, and a few hundred extra entries are harmless.
STORES_PER_CULL = 200

T = TypeVar("T")


def _encode(value: Any) -> int | bytes:
    if type(value) is int and INT64[0] <= value <= INT64[1]:
        return value
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def _decode(raw: int | bytes) -> Any:
    if isinstance(raw, int):
        return raw
    return pickle.loads(raw)  # noqa: S301  # nosec B301 - see the module docstring


class SQLiteCache(BaseCache):
    """``LOCATION`` is the database file; ``OPTIONS``: MAX_ENTRIES, CULL_FREQUENCY,
    and BUSY_TIMEOUT (seconds to wait for another process's write, default 2)."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.path = Path(location)
        self._busy_timeout = float(params.get("OPTIONS", {}).get("BUSY_TIMEOUT", 2.0))
        self._local = threading.local()
        self._queue = queue_for(str(self.path))
        self._stores = 0
        self._stores_lock = threading.Lock()

    # Connections -------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use (and again in a forked child)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.connection = self._connect()
            local.pid = os.getpid()
        connection: sqlite3.Connection = local.connection
        return connection

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        connection = sqlite3.connect(
            self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
        )
        # WAL: readers never wait for the writer. NORMAL: a commit is not flushed to
        # disk; a power cut may lose the last entries, never the file (fine for a cache).
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.executescript(SCHEMA)
        return connection

    def _write(self, sql: str, params: Iterable[Any]) -> tuple[int, Any]:
        """One writing statement, in turn with the other writers (see _write_transaction):
        the rows it changed, and its first row (for RETURNING), read before the turn ends."""
        with self._queue.turn(self._busy_timeout):
            cursor = self._connection().execute(sql, tuple(params))
            return cursor.rowcount, cursor.fetchone()

    @contextmanager
    def _write_transaction(self) -> Iterator[sqlite3.Connection]:
        # Writers queue for their turn (dateline/lib/sqlitedb) rather than meet SQLite's
        # busy handler, which sleeps up to 100 ms between tries: every signup counts
        # itself on the same rate-limit key.
        with self._queue.turn(self._busy_timeout):
            connection = self._connection()
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                # Also when COMMIT itself failed (a full disk): never leave the
                # connection inside a transaction that every later write would join.
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise

    def _quietly(self, action: str, default: T, work: Callable[[], T]) -> T:
        try:
            return work()
        except (sqlite3.Error, DatabaseError, OSError) as error:
            # DatabaseError: no turn to write in time (dateline.lib.sqlitedb); OSError:
            # the file cannot be created (a full or read-only disk).
            logger.warning("cache %s failed on %s: %s", action, self.path, error)
            return default

    # Reads -------------------------------------------------------------------
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)

        def read() -> Any:
            row = (
                self._connection()
                .execute(
                    "SELECT value FROM entries WHERE key = ? AND (expires IS NULL OR expires > ?)",
                    (key, time.time()),
                )
                .fetchone()
            )
            return default if row is None else _decode(row[0])

        return self._quietly("get", default, read)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        wanted = {self.make_and_validate_key(key, version=version): key for key in keys}
        if not wanted:
            return {}

        def read() -> dict[Any, Any]:
            rows = self._connection().execute(
                "SELECT key, value FROM entries WHERE key IN (SELECT value FROM json_each(?)) "
                "AND (expires IS NULL OR expires > ?)",
                (json.dumps(list(wanted)), time.time()),
            )
            return {wanted[key]: _decode(value) for key, value in rows}

        return self._quietly("get_many", {}, read)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return self._quietly(
            "has_key",
            False,
            lambda: (
                self._connection()
                .execute(
                    "SELECT 1 FROM entries WHERE key = ? AND (expires IS NULL OR expires > ?)",
                    (key, time.time()),
                )
                .fetchone()
                is not None
            ),
        )

    # Writes ------------------------------------------------------------------
    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        row = (key, _encode(value), self.get_backend_timeout(timeout))
        self._quietly(
            "set",
            None,
            lambda: self._write(
                "INSERT INTO entries (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) "
                "DO UPDATE SET value = excluded.value, expires = excluded.expires",
                row,
            ),
        )
        self._stored(1)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        row = (key, _encode(value), self.get_backend_timeout(timeout), time.time())
        # One statement: inserts, or replaces an expired entry, or changes nothing.
        added = self._quietly(
            "add",
            False,
            lambda: (
                self._write(
                    "INSERT INTO entries (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) "
                    "DO UPDATE SET value = excluded.value, expires = excluded.expires "
                    "WHERE entries.expires IS NOT NULL AND entries.expires <= ?",
                    row,
                )[0]
                == 1
            ),
        )
        if added:
            self._stored(1)
        return added

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        expires = self.get_backend_timeout(timeout)
        rows = [
            (self.make_and_validate_key(key, version=version), _encode(value), expires)
            for key, value in data.items()
        ]

        def write() -> list[Any]:
            with self._write_transaction() as connection:
                connection.executemany(
                    "INSERT INTO entries (key, value, expires) VALUES (?, ?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                    "expires = excluded.expires",
                    rows,
                )
            return []

        failed = self._quietly("set_many", list(data), write)
        self._stored(len(rows))
        return failed

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        now = time.time()
        _, row = self._write(
            "UPDATE entries SET value = value + ? WHERE key = ? "
            "AND typeof(value) = 'integer' AND (expires IS NULL OR expires > ?) "
            "AND value + ? BETWEEN ? AND ? RETURNING value",
            (delta, key, now, delta, *INT64),
        )
        if row is not None:
            return int(row[0])
        # Missing, or not a plain integer (a pickled one past 64 bits): read and write
        # under the write lock, so no other process's increment is lost in between.
        with self._write_transaction() as connection:
            found = connection.execute(
                "SELECT value FROM entries WHERE key = ? AND (expires IS NULL OR expires > ?)",
                (key, now),
            ).fetchone()
            if found is None:
                raise ValueError(f"Key '{key}' not found")
            value = _decode(found[0]) + delta
            connection.execute("UPDATE entries SET value = ? WHERE key = ?", (_encode(value), key))
        return value

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        row = (self.get_backend_timeout(timeout), key, time.time())
        return self._quietly(
            "touch",
            False,
            lambda: (
                self._write(
                    "UPDATE entries SET expires = ? "
                    "WHERE key = ? AND (expires IS NULL OR expires > ?)",
                    row,
                )[0]
                == 1
            ),
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return self._quietly(
            "delete",
            False,
            lambda: self._write("DELETE FROM entries WHERE key = ?", (key,))[0] > 0,
        )

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        rows = [(self.make_and_validate_key(key, version=version),) for key in keys]

        def write() -> None:
            with self._write_transaction() as connection:
                connection.executemany("DELETE FROM entries WHERE key = ?", rows)

        self._quietly("delete_many", None, write)

    def clear(self) -> None:
        self._quietly("clear", None, lambda: self._write("DELETE FROM entries", ()))

    def close(self, **kwargs: Any) -> None:
        # Django calls this after every request; the connection is kept, as the
        # database's is (opening one costs more than most cache reads).
        return

    # Culling -------------------------------------------------------------------
    def _stored(self, count: int) -> None:
        with self._stores_lock:
            self._stores += count
            due = self._stores >= STORES_PER_CULL
            if due:
                self._stores = 0
        if due:
            self._quietly("cull", None, self.cull)

    def cull(self) -> None:
        """Drop expired entries, then a share of the rest if there are too many.

        Those that would expire soonest go first: pages before the long-lived
        generation and navigation entries.
        """
        with self._write_transaction() as connection:
            connection.execute(
                "DELETE FROM entries WHERE expires IS NOT NULL AND expires <= ?", (time.time(),)
            )
            (count,) = connection.execute("SELECT COUNT(*) FROM entries").fetchone()
            if count <= self._max_entries:
                return
            if self._cull_frequency == 0:
                connection.execute("DELETE FROM entries")
                return
            connection.execute(
                "DELETE FROM entries WHERE key IN (SELECT key FROM entries "
                "ORDER BY expires IS NULL, expires LIMIT ?)",
                (count // self._cull_frequency,),
            )
