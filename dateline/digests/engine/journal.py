"""The journal: what the relay accepted and the database does not know yet.

A run marks a batch's accepted deliveries sent with one UPDATE. So that a crash
between the relay's 250 and that UPDATE does not send the batch again, each
accepted id is first appended to the run's journal file, which the run holds
locked. A worker starting on the same machine replays the journals of dead runs
(their lock is free) before it claims anything.
"""

from __future__ import annotations

import contextlib
import fcntl
import mmap
import os
import re
import secrets
import threading
import time
from pathlib import Path

from dateline.digests.engine.claims import mark_sent, release

# A journal being made (Journal.__init__; ".new" by earlier versions). One left by a
# run killed in the microseconds before its rename held no claims yet: it goes once it
# is this old.
_MAKING = ".making"
_MAKING_LEFT_FOR = 3600


class Journal:
    """Ids the server accepted and the database does not know yet, in a file only this run locks.

    The file is mapped into memory (``MAP_SHARED``): recording an accepted delivery
    is a copy of a few bytes into the page cache, with no system call and no GIL
    hand-off in the lanes. No fsync: the page cache outlives a killed process, not a
    lost machine. The unused tail of the file is zeros. A run that dies leaves its
    file unlocked; ``replay`` then marks those ids sent and puts the rest of the dead
    run's claims back.
    """

    SIZE = 64 * 1024  # to start with; doubled when full

    def __init__(self, directory: Path, claim_id: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", claim_id)
        # Made under a name replay leaves alone and locked before it gets the name replay
        # looks for. A replay that opened it between the open and the lock (a worker
        # starting beside this one) would take it for a dead run's and delete it.
        fresh = directory / f"{name}.{secrets.token_hex(4)}{_MAKING}"
        self.fd = os.open(fresh, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        first = claim_id.encode("utf-8") + b"\n"
        self.size = max(self.SIZE, 2 * len(first))
        # Blocks allocated now, not when a page is first touched: on a full disk that
        # is an OSError here (as a failed write was), not a SIGBUS in a lane.
        os.posix_fallocate(self.fd, 0, self.size)
        self.map = mmap.mmap(self.fd, self.size)
        self.map[: len(first)] = first
        self.end = len(first)
        self.lock = threading.Lock()  # the lanes record at once
        self.path = directory / f"{name}.journal"
        os.rename(fresh, self.path)

    def record(self, delivery_id: int) -> None:
        line = b"%d\n" % delivery_id
        with self.lock:
            end = self.end + len(line)
            if end > self.size:
                os.posix_fallocate(self.fd, 0, self.size * 2)
                self.size *= 2
                self.map.resize(self.size)
            self.map[self.end : end] = line
            self.end = end

    def close(self) -> None:
        """Settle what it holds, then remove it (the run is over).

        If the database is gone, the file stays and its lock is let go: the next run
        on this machine replays it, as it would a dead run's.
        """
        try:
            self.map.close()
            _settle(self.path)
            with contextlib.suppress(OSError):
                self.path.unlink()
        finally:
            os.close(self.fd)


def journal_ids(path: Path) -> tuple[str, list[int]]:
    """A journal's claim id and the delivery ids it recorded."""
    lines = path.read_bytes().rstrip(b"\0").split(b"\n")
    # The last piece is empty, or a line cut short by the crash: not a whole id.
    return lines[0].decode("utf-8"), [int(x) for x in lines[1:-1] if x.isdigit()]


def _settle(path: Path) -> tuple[int, int]:
    """Mark a journal's ids sent and release the rest of its run's claims: (sent, released)."""
    claim_id, ids = journal_ids(path)
    if not claim_id:
        return 0, 0
    sent = mark_sent(ids, claim_id)
    released = release(claim_id)
    return sent, released


def replay(directory: Path) -> tuple[int, int]:
    """Settle the journals of runs that died on this machine: (marked sent, released)."""
    totals = (0, 0)
    if not directory.is_dir():
        return totals
    for path in [*directory.glob(f"*{_MAKING}"), *directory.glob("*.new")]:
        with contextlib.suppress(OSError):
            if time.time() - path.stat().st_mtime > _MAKING_LEFT_FOR:
                path.unlink()
    for path in sorted(directory.glob("*.journal")):
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            continue  # another worker replayed it
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # its run is alive
        try:
            if path.exists():
                sent, released = _settle(path)
                totals = (totals[0] + sent, totals[1] + released)
                path.unlink()
        finally:
            os.close(fd)
    return totals
