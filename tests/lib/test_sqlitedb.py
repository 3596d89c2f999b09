"""SQLite writers take turns (dateline/lib/sqlitedb): one at a time, released however
the transaction ends, across threads and processes."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest
from django.db.utils import ConnectionHandler, OperationalError

from dateline.lib.sqlitedb.base import queue_for


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    # These tests open their own database files, not the test database.
    with django_db_blocker.unblock():
        yield


def handler(database: Path, timeout: float = 20) -> ConnectionHandler:
    return ConnectionHandler(
        {
            "default": {
                "ENGINE": "dateline.lib.sqlitedb",
                "NAME": str(database),
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout},
            }
        }
    )


def in_transaction(connection, work) -> None:
    """What Django's atomic() does to a SQLite connection, without the global registry."""
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    try:
        work(connection.cursor())
    except BaseException:
        connection.rollback()
        connection.set_autocommit(True)
        raise
    connection.commit()
    connection.set_autocommit(True)


def _hold_and_record(database: str, log: str, rounds: int) -> None:
    connection = handler(Path(database))["default"]

    def work(cursor) -> None:
        # Read, pause, write: with two writers inside at once an update would be lost,
        # and the log would show an "in" following an "in".
        with open(log, "a") as out:
            out.write(f"in {os.getpid()}\n")
        (count,) = cursor.execute("SELECT n FROM counter").fetchone()
        time.sleep(0.001)
        cursor.execute("UPDATE counter SET n = %s", [count + 1])
        with open(log, "a") as out:
            out.write(f"out {os.getpid()}\n")

    for _ in range(rounds):
        in_transaction(connection, work)
    connection.close()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "site.sqlite3"
    connection = handler(path)["default"]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    connection.close()
    return path


def test_writers_take_turns_across_processes_and_threads(database: Path, tmp_path: Path) -> None:
    log = tmp_path / "turns.log"
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_hold_and_record, args=(str(database), str(log), 30))
        for _ in range(2)
    ]
    threads = [
        threading.Thread(target=_hold_and_record, args=(str(database), str(log), 30))
        for _ in range(3)
    ]
    for worker in [*processes, *threads]:
        worker.start()
    for worker in [*processes, *threads]:
        worker.join(timeout=120)
    assert [process.exitcode for process in processes] == [0, 0]
    lines = log.read_text().split("\n")[:-1]
    assert len(lines) == 2 * 5 * 30
    # Strictly alternating: nobody came in while another was inside.
    assert [line.split()[0] for line in lines] == ["in", "out"] * (5 * 30)
    with handler(database)["default"].cursor() as cursor:
        assert cursor.execute("SELECT n FROM counter").fetchone() == (150,)


def test_the_turn_is_given_back_after_a_rollback(database: Path) -> None:
    connection = handler(database)["default"]

    def fail(cursor) -> None:
        cursor.execute("UPDATE counter SET n = 99")
        raise RuntimeError("the view failed")

    with pytest.raises(RuntimeError):
        in_transaction(connection, fail)
    assert not connection._write_turn
    # Another thread can write straight away, and the failed write left nothing.
    other: list[object] = []

    def write() -> None:
        conn = handler(database, timeout=1)["default"]
        in_transaction(conn, lambda cursor: cursor.execute("UPDATE counter SET n = n + 1"))
        other.append(conn.cursor().execute("SELECT n FROM counter").fetchone())

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(timeout=10)
    assert other == [(1,)]


def test_a_writer_that_never_gets_a_turn_gets_a_clear_error(database: Path) -> None:
    queue = queue_for(str(database))
    held = threading.Event()
    done = threading.Event()

    def hold() -> None:
        queue.acquire(5)
        held.set()
        done.wait(10)
        queue.release()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        connection = handler(database, timeout=0.2)["default"]
        with pytest.raises(OperationalError, match="database is locked"):
            in_transaction(connection, lambda cursor: cursor.execute("SELECT 1"))
        assert not connection._write_turn
    finally:
        done.set()
        holder.join(timeout=10)


def test_in_memory_databases_are_left_alone() -> None:
    connection = handler(Path(":memory:"))["default"]
    assert connection._queue() is None
    in_transaction(connection, lambda cursor: cursor.execute("SELECT 1"))


def test_a_transaction_holds_the_turn_until_it_commits(database: Path) -> None:
    connection = handler(database)["default"]
    queue = queue_for(str(database))
    seen: list[bool] = []

    def work(cursor) -> None:
        seen.append(connection._write_turn and queue.threads.locked())
        cursor.execute("UPDATE counter SET n = n + 1")

    in_transaction(connection, work)
    assert seen == [True]
    assert not queue.threads.locked()
    # The turn is a real lock on the file: another process could not take it now...
    assert queue.fd is not None
    queue.acquire(1)
    try:
        probe = os.open(queue.path, os.O_RDWR)
        with pytest.raises(BlockingIOError):
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        queue.release()
    # ...and can once it is given back.
    fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.close(probe)


def test_a_forked_child_lets_go_of_its_parents_turn(database: Path) -> None:
    queue = queue_for(str(database))
    queue.acquire(1)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: outlives its parent's turn, then says whether it is free
        os.close(read)
        time.sleep(0.3)
        probe = os.open(queue.path, os.O_RDWR)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(write, b"free")
        except BlockingIOError:
            os.write(write, b"held")
        os._exit(0)
    os.close(write)
    # The parent gives its turn up by closing its own copy, as a dying process would.
    os.close(queue.fd)
    queue._reset()
    assert os.read(read, 10) == b"free"
    os.waitpid(pid, 0)


def _open_at_once(settings: dict, start, failures) -> None:
    connection = ConnectionHandler({"default": settings})["default"]
    start.wait()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")
    except BaseException as error:
        failures.put(repr(error))
    finally:
        connection.close()


def test_processes_connecting_together_to_a_new_file_all_switch_it_to_wal(tmp_path: Path) -> None:
    # Each connection's init_command switches the file to WAL. Two processes at once on
    # a file not yet in WAL deadlock inside SQLite, and one got "database is locked" at
    # once, busy timeout or not: two digest workers started together died of it.
    import sqlite3

    context = multiprocessing.get_context("fork")
    failures = context.Queue()
    for round_ in range(8):
        path = tmp_path / f"new-{round_}.sqlite3"
        sqlite3.connect(path).execute("CREATE TABLE t (n INTEGER)").connection.close()
        settings = {
            "ENGINE": "dateline.lib.sqlitedb",
            "NAME": str(path),
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20},
        }
        start = context.Barrier(4)
        processes = [
            context.Process(target=_open_at_once, args=(settings, start, failures))
            for _ in range(4)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=60)
        assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    seen = []
    while not failures.empty():
        seen.append(failures.get())
    assert seen == []
