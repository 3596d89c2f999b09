#!/usr/bin/env python3
"""bench/send: how fast the digest engine delivers, against a raw blast of the same bytes.

In a throwaway PostgreSQL database (bench_send_<pid>, dropped at the end) with `dateline
demo` content it makes a digest issue per cadence and sends it to a local SMTP sink:

  sink      a minimal asyncio SMTP server (this file, --serve-sink) in --sink-procs
            processes sharing one port (SO_REUSEPORT); it counts what it accepted
  engine    one `dateline shell` process runs what a worker runs: approve (one
            INSERT ... SELECT of the deliveries), then engine.send_issue with
            --connections lanes; timed from the approval to the sink's last 250
  blast     the same number of smtplib connections sending one pre-built message of
            that issue, as it is, over and over to the same sink: the ceiling for this
            client, sink and machine; the engine should reach most of it
  memory    the engine's peak RSS with 10,000 readers and with 100,000 (flat: the
            deliveries stream through in batches)
  approve   the time to create the deliveries of an issue for 1,000,000 readers

Prints the figures, then as its last line one JSON object. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages
from pages import HOST, BenchError, say

TARGETS = {
    "engine_msgs_per_s": (">=", 1000.0),
    "ratio_to_blast": (">=", 0.8),
    "rss_growth_10k_to_100k_mb": ("<=", 30.0),
    "approve_1m_s": ("<=", 60.0),
}


# The sink ----------------------------------------------------------------------------


class SinkProtocol(asyncio.Protocol):
    """Just enough SMTP for a client to deliver: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def __init__(self, stats: dict[str, float]) -> None:
        self.stats = stats
        self.buffer = bytearray()
        self.in_data = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        # asyncio sets this only for sockets made with proto=IPPROTO_TCP; without it
        # the second of two replies waits for the client's delayed ACK (40 ms).
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        # Replies to pipelined commands go out together, as Postfix sends them.
        self.replies: list[bytes] = []
        self.process()
        if self.replies:
            self.transport.write(b"".join(self.replies))

    def process(self) -> None:
        while self.buffer:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    del self.buffer[:-4]  # keep only what could start the end marker
                    return
                del self.buffer[: end + 5]
                self.in_data = False
                self.stats["messages"] += 1
                self.stats["last"] = time.time()
                self.replies.append(b"250 2.0.0 accepted\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return
            verb = bytes(self.buffer[:4]).upper()
            del self.buffer[: end + 2]
            if verb == b"EHLO":
                self.replies.append(b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE\r\n")
            elif verb == b"DATA":
                self.in_data = True
                # The body starts after this line: the end marker's CRLF may be its first bytes.
                self.buffer[:0] = b"\r\n"
                self.replies.append(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"".join([*self.replies, b"221 bye\r\n"]))
                self.replies = []
                self.transport.close()
                return
            elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.replies.append(b"250 ok\r\n")
            else:
                self.replies.append(b"500 unknown\r\n")


def serve_sink(port: int, status: Path) -> None:
    """One sink process: counts accepted messages into ``status`` every 20 ms."""
    stats = {"messages": 0.0, "last": 0.0}

    async def main() -> None:
        loop = asyncio.get_running_loop()
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((HOST, port))
        server = await loop.create_server(lambda: SinkProtocol(stats), sock=sock, backlog=512)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        written = -1.0
        async with server:
            while not stop.is_set():
                if stats["messages"] != written:
                    written = stats["messages"]
                    fresh = status.with_suffix(".tmp")
                    fresh.write_text(json.dumps(stats))
                    fresh.replace(status)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.02)
        status.write_text(json.dumps(stats))

    asyncio.run(main())


# The raw blast -----------------------------------------------------------------------


def blast(port: int, message: Path, count: int, connections: int) -> dict[str, Any]:
    """``count`` copies of one message over ``connections`` smtplib connections, in threads.

    With the engine's own client function (dateline/digests/smtp.py: dot-stuffing in one
    replace, PIPELINING), so the blast is the ceiling of the same client, not a slower one.
    """
    sys.path.insert(0, str(pages.ROOT))
    from dateline.digests.smtp import no_delay, send_prepared

    data = message.read_bytes()
    left = [count]
    lock = threading.Lock()

    def lane() -> None:
        client = no_delay(smtplib.SMTP(HOST, port, timeout=60))
        while True:
            with lock:
                if left[0] <= 0:
                    break
                left[0] -= 1
            send_prepared(client, "bounce+blast@dateline.invalid", "reader@example.org", data)
        client.quit()

    threads = [threading.Thread(target=lane) for _ in range(connections)]
    started = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"started": started, "ended": time.time(), "messages": count}


# Inside `dateline shell` ---------------------------------------------------------------

SEED = r"""
import json, random, time
from django.db import connection
from dateline.newsroom.models import SectionPage
from dateline.newsletter.models import Subscriber

def add_readers(cadence, count, start):
    # Readers straight in SQL: a million through the ORM would take longer than the bench.
    sections = list(SectionPage.objects.values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute('''
            INSERT INTO newsletter_subscriber
                (email, status, cadence, public_id, token_key, created_at, confirmed_at)
            SELECT 'reader' || n || '@example.org', 'active', %s,
                   substr(md5(random()::text || n), 1, 16), substr(md5(random()::text), 1, 16),
                   now(), now()
            FROM generate_series(%s, %s) AS n''', [cadence, start, start + count - 1])
        # One reader in seven chose one or two sections: several render groups, as in life.
        cursor.execute('''
            INSERT INTO newsletter_subscriber_sections (subscriber_id, sectionpage_id)
            SELECT s.id, (%s::bigint[])[1 + (s.id %% %s)]
            FROM newsletter_subscriber s
            WHERE s.cadence = %s AND s.id %% 7 = 0 AND s.email LIKE 'reader%%'
            ON CONFLICT DO NOTHING''', [sections, len(sections), cadence])
        cursor.execute("ANALYZE newsletter_subscriber, newsletter_subscriber_sections")
    print("BENCH " + json.dumps({"cadence": cadence, "readers": count}))
"""

# A reused database keeps its readers and content; its earlier issues go.
RESET = r"""
import json
from dateline.digests.models import DigestIssue, RelayBudget
from dateline.newsletter.models import Subscriber
DigestIssue.objects.all().delete()
RelayBudget.objects.all().delete()
counts = {c: Subscriber.objects.filter(cadence=c).count() for c in ("weekly", "twice_weekly")}
print("BENCH " + json.dumps(counts))
"""

RUN_ISSUE = r"""
import json, os, resource, time
from django.conf import settings
from django.utils import timezone
from dateline.digests import engine, render
from dateline.digests.models import Delivery
from dateline.digests.selection import create_due_issue

cadence = os.environ["BENCH_CADENCE"]
issue = create_due_issue(cadence, timezone.now(), at_once=True)
approve_started = time.time()
deliveries = engine.approve(issue)
approved = time.time()
totals = engine.send_issue(issue, "bench")
sent = time.time()
sample = Delivery.objects.filter(issue=issue).select_related("subscriber").first()
sender = engine.Sender(issue)
group = sender.group(sample.sections_key, sample.section_ids, frozenset())
message = group.message_for(sample, sample.subscriber)
open(os.environ["BENCH_MESSAGE"], "wb").write(message)
result = {
    "deliveries": deliveries, "totals": totals, "approve_started": approve_started,
    "approve_s": approved - approve_started, "send_s": sent - approved,
    "groups": Delivery.objects.filter(issue=issue).values("sections_key").distinct().count(),
    "stories": len(group.story_ids),
    "html_bytes": len(group.html.encode()), "message_bytes": len(message),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}
print("BENCH " + json.dumps(result))
"""

APPROVE_ONLY = r"""
import json, os, time
from django.db import transaction
from django.utils import timezone
from dateline.digests import engine
from dateline.digests.models import DigestIssue

# In one transaction rolled back at the end: the database is as before for the next run.
with transaction.atomic():
    add_readers("twice_weekly", int(os.environ["BENCH_MORE"]), int(os.environ["BENCH_FIRST"]))
    readers = Subscriber.objects.filter(cadence="twice_weekly", status="active").count()
    slot = timezone.now()
    issue = DigestIssue.objects.create(
        cadence="twice_weekly", slot_at=slot, period_start=slot, period_end=slot
    )
    started = time.time()
    deliveries = engine.approve(issue)
    took = time.time() - started
    transaction.set_rollback(True)
print("BENCH " + json.dumps({"readers": readers, "deliveries": deliveries, "approve_s": took}))
"""


class SendRun(pages.Run):
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.source = pages.ROOT
        self.dateline = [str(pages.DATELINE)]
        self.tmp = Path(tempfile.mkdtemp(prefix="dateline-bench-send-"))
        self.var = self.tmp / "var"
        if args.database:  # its media (photos) must outlive the run, as its rows do
            self.var = Path(tempfile.gettempdir()) / f"dateline-bench-send-{args.database}"
        self.logs = self.tmp / "logs"
        self.logs.mkdir()
        self.status = self.tmp / "sink"
        self.status.mkdir()
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.app_port = pages.free_port()
        self.sink_port = pages.free_port()
        self.env = self._env()
        self.database = args.database or f"bench_send_{os.getpid()}"
        self.env.update(
            DATABASE_URL=f"{args.postgres.rstrip('/')}/{self.database}",
            EMAIL_URL=f"smtp://{HOST}:{self.sink_port}",
            DIGEST_CONCURRENCY=str(args.connections),
            DIGEST_BATCH=str(args.batch),
            DIGEST_JOURNAL_DIR=str(self.tmp / "journals"),
            LOG_LEVEL="WARNING",
        )
        self.created = False

    def _admin_sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.args.postgres.rstrip('/')}/postgres", autocommit=True) as db:
            db.execute(statement)

    def shell(self, name: str, code: str, **env: str) -> dict[str, Any]:
        started = time.monotonic()
        done = subprocess.run(
            [*self.dateline, "shell", "-c", code],
            env={**self.env, **env},
            cwd=self.source,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        (self.logs / f"{name}.log").write_text(done.stdout + done.stderr)
        lines = [x for x in done.stdout.splitlines() if x.startswith("BENCH ")]
        line = lines[-1] if lines else ""  # the last: set-up steps may print their own
        if done.returncode != 0 or not line:
            raise BenchError(f"{name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        say(f"# {name}: {time.monotonic() - started:.1f} s")
        return json.loads(line.removeprefix("BENCH ")) if line else {}

    def database_exists(self) -> bool:
        import psycopg

        with psycopg.connect(f"{self.args.postgres.rstrip('/')}/postgres") as db:
            found = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.database])
            return found.fetchone() is not None

    def setup_database(self) -> None:
        a = self.args
        self._admin_sql(f'CREATE DATABASE "{self.database}"')
        self.created = not a.database  # a named one is kept for the next run
        say(f"# PostgreSQL database {self.database} created")
        seconds = self.command("migrate", [*self.dateline, "migrate", "--no-input"], 300)
        say(f"# migrate: {seconds:.1f} s")
        seconds = self.command("demo", [*self.dateline, "demo", "--articles", "16"], 300)
        say(f"# demo: {seconds:.1f} s")
        self.shell("readers-small", SEED + f"\nadd_readers('weekly', {a.small}, 1)\n")
        seed = SEED + f"\nadd_readers('twice_weekly', {a.large}, {a.small + 1})\n"
        self.shell("readers-large", seed)

    def sink_stats(self) -> tuple[int, float]:
        messages, last = 0, 0.0
        for path in self.status.glob("*.json"):
            try:
                stats = json.loads(path.read_text())
            except (ValueError, OSError):
                continue  # being replaced
            messages += int(stats["messages"])
            last = max(last, stats["last"])
        return messages, last

    def wait_sink(self, expected: int) -> float:
        """The time of the sink's last 250 once it has accepted ``expected`` in all."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.sink_stats()[0] >= expected:
                time.sleep(0.1)
                return self.sink_stats()[1]
            time.sleep(0.05)
        raise BenchError(f"the sink got {self.sink_stats()[0]} of {expected} messages")

    def engine_run(self, cadence: str) -> dict[str, Any]:
        before, _ = self.sink_stats()
        message = self.tmp / f"{cadence}.eml"
        result = self.shell(
            f"engine-{cadence}", RUN_ISSUE, BENCH_CADENCE=cadence, BENCH_MESSAGE=str(message)
        )
        sent = result["totals"].get("sent", 0)
        last = self.wait_sink(before + sent)
        if self.sink_stats()[0] != before + sent:
            raise BenchError(
                f"the sink got {self.sink_stats()[0] - before}, the engine sent {sent}"
            )
        result["end_to_end_s"] = last - result["approve_started"]
        result["msgs_per_s"] = sent / result["end_to_end_s"]
        result["message"] = message
        return result

    def blast_run(self, message: Path, count: int) -> dict[str, Any]:
        before, _ = self.sink_stats()
        out = self.tmp / "blast.json"
        code = (
            "import json, sys; sys.path.insert(0, sys.argv[1]); import send; "
            "json.dump(send.blast(int(sys.argv[2]), __import__('pathlib').Path(sys.argv[3]), "
            "int(sys.argv[4]), int(sys.argv[5])), open(sys.argv[6], 'w'))"
        )
        argv = [sys.executable, "-c", code, str(pages.BENCH), str(self.sink_port), str(message)]
        argv += [str(count), str(self.args.connections), str(out)]
        self.command("blast", argv, 600)
        result: dict[str, Any] = json.loads(out.read_text())
        last = self.wait_sink(before + count)
        result["msgs_per_s"] = count / (last - result["started"])
        return result

    def measure(self) -> dict[str, Any]:
        a = self.args
        load_before = os.getloadavg()[0]
        say(f"# temporary folder {self.tmp}")
        for i in range(a.sink_procs):
            argv = [sys.executable, __file__, "--serve-sink", str(self.sink_port)]
            self.start(f"sink{i}", [*argv, str(self.status / f"{i}.json")])
        if a.database and self.database_exists():
            seconds = self.command("migrate", [*self.dateline, "migrate", "--no-input"], 300)
            say(f"# migrate: {seconds:.1f} s")
            counts = self.shell("reset", RESET)
            if counts != {"weekly": a.small, "twice_weekly": a.large}:
                raise BenchError(f"--database {a.database} has other readers: {counts}")
        else:
            self.setup_database()
        small = self.engine_run("weekly")
        say(
            f"engine, {small['deliveries']:,} readers: {small['msgs_per_s']:,.0f} msg/s end to "
            f"end, peak RSS {small['peak_rss_mb']:.0f} MB"
        )
        large = self.engine_run("twice_weekly")
        say(
            f"engine, {large['deliveries']:,} readers: {large['msgs_per_s']:,.0f} msg/s end to end "
            f"(approve {large['approve_s']:.1f} s, send {large['send_s']:.1f} s), "
            f"peak RSS {large['peak_rss_mb']:.0f} MB"
        )
        raw = self.blast_run(large["message"], a.blast)
        say(f"raw blast, {a.blast:,} messages: {raw['msgs_per_s']:,.0f} msg/s")
        approve: dict[str, Any] = {}
        if a.million:
            env = {
                "BENCH_MORE": str(a.million - a.large),
                "BENCH_FIRST": str(a.small + a.large + 1),
            }
            # SEED's function, minus its own call: the readers are added inside the transaction.
            approve = self.shell("approve-1m", SEED + APPROVE_ONLY, **env)
            say(f"approve, {approve['deliveries']:,} deliveries: {approve['approve_s']:.1f} s")
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        figures: dict[str, Any] = {
            "engine_msgs_per_s": round(large["msgs_per_s"]),
            "blast_msgs_per_s": round(raw["msgs_per_s"]),
            "ratio_to_blast": round(large["msgs_per_s"] / raw["msgs_per_s"], 2),
            "engine_10k_msgs_per_s": round(small["msgs_per_s"]),
            "peak_rss_10k_mb": round(small["peak_rss_mb"], 1),
            "peak_rss_100k_mb": round(large["peak_rss_mb"], 1),
            "rss_growth_10k_to_100k_mb": round(large["peak_rss_mb"] - small["peak_rss_mb"], 1),
            "approve_100k_s": round(large["approve_s"], 2),
            "send_100k_s": round(large["send_s"], 2),
            "approve_1m_s": round(approve["approve_s"], 1) if approve else None,
            "readers_small": small["deliveries"],
            "readers": large["deliveries"],
            "groups": large["groups"],
            "stories": large["stories"],
            "html_bytes": large["html_bytes"],
            "message_bytes": large["message_bytes"],
            "connections": a.connections,
            "batch": a.batch,
            "sink_procs": a.sink_procs,
            "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2),
            "children_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "cpus": os.cpu_count(),
            "targets": {k: f"{op} {v:g}" for k, (op, v) in TARGETS.items()},
        }
        met = {}
        for key, (op, target) in TARGETS.items():
            value = figures[key]
            met[key] = value is not None and (value >= target if op == ">=" else value <= target)
        figures["targets_met"] = met
        return figures

    def cleanup(self) -> None:
        self.stop_all()
        if self.created:
            try:
                self._admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
                say(f"# PostgreSQL database {self.database} dropped")
            except Exception as error:  # reported: the run is over anyway
                say(f"# could not drop {self.database}: {error}")
        if self.args.keep:
            say(f"# kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def report(r: dict[str, Any]) -> None:
    say("")
    say(
        f"Digest to {r['readers']:,} readers ({r['stories']} stories, {r['html_bytes']:,} bytes "
        f"of HTML, {r['message_bytes']:,} bytes a message, {r['groups']} render groups) over "
        f"{r['connections']} connections to a sink of {r['sink_procs']} processes:"
    )
    say(
        f"engine {r['engine_msgs_per_s']:,} msg/s end to end, raw blast {r['blast_msgs_per_s']:,}"
        f" msg/s: {r['ratio_to_blast']} of the blast"
    )
    say(
        f"peak RSS {r['peak_rss_10k_mb']} MB with 10k readers, {r['peak_rss_100k_mb']} MB with "
        f"100k; deliveries for 1M readers in {r['approve_1m_s']} s"
    )
    say(f"load average {r['load_before']} before, {r['load_after']} after ({r['cpus']} CPUs)")
    for key, met in r["targets_met"].items():
        say(f"target {key} {r['targets'][key]}: {r[key]} -> {'met' if met else 'MISSED'}")


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-sink":
        serve_sink(int(sys.argv[2]), Path(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(prog="bench/send", description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000, help="readers of the first issue")
    parser.add_argument("--large", type=int, default=100_000, help="readers of the second")
    parser.add_argument(
        "--million", type=int, default=1_000_000, help="readers for the approve timing (0: skip)"
    )
    parser.add_argument("--blast", type=int, default=30_000, help="messages of the raw blast")
    parser.add_argument("--connections", type=int, default=4, help="SMTP connections (lanes)")
    parser.add_argument("--batch", type=int, default=500, help="deliveries claimed at a time")
    parser.add_argument("--sink-procs", type=int, default=2, help="sink processes")
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432",
        metavar="URL",
        help="the PostgreSQL server for the throwaway database",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--database",
        metavar="NAME",
        help="keep the database under this name and reuse it in later runs (skips the set-up)",
    )
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--time-limit", type=int, default=1200, help="seconds for the whole run")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if urllib.parse.urlsplit(args.postgres).hostname not in (HOST, "localhost"):
        parser.error("--postgres must be on 127.0.0.1")
    return pages.run_bench("bench/send", SendRun(args), args, report)


if __name__ == "__main__":
    sys.exit(main())
