"""The SQLite cache that one-machine sites share between their processes."""

from __future__ import annotations

import logging
import multiprocessing
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest
import time_machine

from dateline.lib.sqlitecache import STORES_PER_CULL, SQLiteCache


def make_cache(path: Path, **options: object) -> SQLiteCache:
    return SQLiteCache(str(path / "cache.sqlite3"), {"OPTIONS": options})


@pytest.fixture
def cache(tmp_path: Path) -> SQLiteCache:
    return make_cache(tmp_path)


def test_values_come_back_as_they_went_in(cache: SQLiteCache) -> None:
    values = {
        "int": 42,
        "negative": -7,
        "bool": True,  # not turned into 1
        "big": 2**80,
        "text": "Élysée",
        "bytes": os.urandom(20_000),
        "nested": {"a": [1, 2.5, None], "b": ("x", b"y")},
    }
    for key, value in values.items():
        cache.set(key, value)
    for key, value in values.items():
        assert cache.get(key) == value
        assert type(cache.get(key)) is type(value)
    assert cache.get("absent") is None
    assert cache.get("absent", "fallback") == "fallback"
    assert cache.get_many(["int", "text", "absent"]) == {"int": 42, "text": "Élysée"}


def test_entries_expire(cache: SQLiteCache) -> None:
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        cache.set("short", "soon gone", timeout=10)
        cache.set("forever", "kept", timeout=None)
        cache.set("zero", "never stored", timeout=0)
        assert cache.get("zero") is None
        clock.shift(9)
        assert cache.get("short") == "soon gone"
        assert cache.has_key("short")
        clock.shift(2)
        assert cache.get("short") is None
        assert not cache.has_key("short")
        assert cache.get("forever") == "kept"
        with pytest.raises(ValueError):
            cache.incr("short")


def test_add_only_when_absent_or_expired(cache: SQLiteCache) -> None:
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        assert cache.add("k", "first", timeout=5)
        assert not cache.add("k", "second", timeout=5)
        assert cache.get("k") == "first"
        clock.shift(6)
        assert cache.add("k", "third", timeout=5)
        assert cache.get("k") == "third"


def test_incr_and_decr(cache: SQLiteCache) -> None:
    with pytest.raises(ValueError):
        cache.incr("missing")
    cache.set("n", 1)
    assert cache.incr("n") == 2
    assert cache.incr("n", 10) == 12
    assert cache.decr("n", 2) == 10
    cache.set("huge", 2**63 - 1)
    assert cache.incr("huge") == 2**63  # past 64 bits: kept exact, not made a float
    assert cache.get("huge") == 2**63
    cache.set("word", "abc")
    with pytest.raises(TypeError):
        cache.incr("word")
    assert cache.get("word") == "abc"


def test_incr_keeps_the_expiry(cache: SQLiteCache) -> None:
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        cache.set("window", 1, timeout=60)
        cache.incr("window")
        clock.shift(61)
        assert cache.get("window") is None


def test_touch_delete_clear(cache: SQLiteCache) -> None:
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        cache.set("k", "v", timeout=5)
        assert cache.touch("k", timeout=100)
        assert not cache.touch("absent")
        clock.shift(50)
        assert cache.get("k") == "v"
    assert cache.delete("k")
    assert not cache.delete("k")
    assert cache.set_many({"a": 1, "b": 2}) == []
    cache.delete_many(["a"])
    assert cache.get_many(["a", "b"]) == {"b": 2}
    cache.clear()
    assert cache.get("b") is None


def test_versions_and_prefixes_are_apart(tmp_path: Path) -> None:
    one = SQLiteCache(str(tmp_path / "c.sqlite3"), {"KEY_PREFIX": "one"})
    two = SQLiteCache(str(tmp_path / "c.sqlite3"), {"KEY_PREFIX": "two"})
    one.set("k", "from one")
    one.set("k", "version 2", version=2)
    assert two.get("k") is None
    assert one.get("k") == "from one"
    assert one.get("k", version=2) == "version 2"


def test_the_file_is_private(cache: SQLiteCache) -> None:
    cache.set("k", "v")
    mode = stat.S_IMODE(cache.path.stat().st_mode)
    assert mode & 0o077 == 0, oct(mode)


def test_culls_to_max_entries(tmp_path: Path) -> None:
    cache = make_cache(tmp_path, MAX_ENTRIES=50, CULL_FREQUENCY=2)
    cache.set("generation", "g", timeout=None)
    for n in range(STORES_PER_CULL * 2):
        cache.set(f"page-{n}", n, timeout=1000 + n)
    with sqlite3.connect(cache.path) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM entries").fetchone()
    # Culled at each STORES_PER_CULL stores, never left far above the limit.
    assert count <= 50 + STORES_PER_CULL
    # The entries that expire soonest went first; the one without expiry stayed.
    assert cache.get("generation") == "g"
    assert cache.get("page-0") is None
    assert cache.get(f"page-{STORES_PER_CULL * 2 - 1}") == STORES_PER_CULL * 2 - 1


def test_expired_entries_are_dropped_when_culling(cache: SQLiteCache) -> None:
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        cache.set("old", "x", timeout=1)
        clock.shift(2)
        cache.cull()
    with sqlite3.connect(cache.path) as db:
        assert db.execute("SELECT COUNT(*) FROM entries WHERE key LIKE '%old'").fetchone() == (0,)


def _count_up(location: str, times: int) -> None:
    cache = SQLiteCache(location, {})
    for _ in range(times):
        if not cache.add("counter", 1, timeout=None):
            cache.incr("counter")


def test_no_increment_is_lost_across_processes_and_threads(tmp_path: Path) -> None:
    location = str(tmp_path / "shared.sqlite3")
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_count_up, args=(location, 200)) for _ in range(3)]
    threads = [threading.Thread(target=_count_up, args=(location, 200)) for _ in range(3)]
    for worker in [*processes, *threads]:
        worker.start()
    for worker in [*processes, *threads]:
        worker.join(timeout=60)
    assert all(process.exitcode == 0 for process in processes)
    assert SQLiteCache(location, {}).get("counter") == 1200


def test_a_cache_it_cannot_write_misses_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = make_cache(tmp_path, BUSY_TIMEOUT=0.05)
    cache.set("k", "before")
    # Another process holds the write lock for the whole test: writes give up
    # after the busy timeout, reads still answer (WAL).
    holder = sqlite3.connect(cache.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with caplog.at_level(logging.WARNING, logger="dateline.lib.sqlitecache"):
            cache.set("k", "after")
            assert not cache.add("new", 1)
            assert cache.get("k") == "before"
        assert "cache set failed" in caplog.text
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    cache.set("k", "after")
    assert cache.get("k") == "after"


def test_a_writer_that_gets_no_turn_misses_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = make_cache(tmp_path, BUSY_TIMEOUT=0.05)
    cache.set("k", "before")
    held, done = threading.Event(), threading.Event()

    def hold_the_turn() -> None:
        with cache._queue.turn(5):
            held.set()
            done.wait(10)

    holder = threading.Thread(target=hold_the_turn)
    holder.start()
    held.wait(5)
    try:
        with caplog.at_level(logging.WARNING, logger="dateline.lib.sqlitecache"):
            cache.set("k", "after")
            assert cache.get("k") == "before"
        assert "no turn to write" in caplog.text
    finally:
        done.set()
        holder.join(10)


def test_a_cache_on_a_path_it_cannot_create_misses_quietly(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("a file where the folder should be")
    cache = SQLiteCache(str(tmp_path / "not-a-folder" / "cache.sqlite3"), {})
    cache.set("k", "v")
    assert cache.get("k") is None
    assert not cache.add("k", "v")


def test_a_forked_child_opens_its_own_connection(cache: SQLiteCache) -> None:
    cache.set("k", "parent")
    pid = os.fork()
    if pid == 0:  # the child: exit code says whether it could use the cache
        ok = cache.get("k") == "parent" and cache.add("child", 1)
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert cache.get("child") == 1
