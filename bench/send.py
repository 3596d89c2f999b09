#!/usr/bin/env python3
"""bench/send: how fast the digest engine delivers, against a raw blast of the same bytes.

In a throwaway PostgreSQL database (bench_send_<pid>, dropped at the end) with `dateline
demo` content it makes a digest issue per cadence and sends it to a local SMTP sink:

  sink      Postfix's smtp-sink (C; BENCHMARKS.md's reference sink), counting what it
            accepted
  engine    another `dateline shell` process approves the issue (an INSERT ... SELECT
            of the deliveries a chunk of readers at a time) and one runs what a worker
            runs, engine.send_issue with --connections lanes, from the first chunk on;
            timed from the start of the approval to the engine's last 250
  blast     two raw blasts of one pre-built message of that issue, as it is, over and
            over to the same sink over the same number of connections: smtp-source
            (Postfix's, C) and the engine's own client function in threads (Python,
            pipelined as the engine sends); the faster is the ceiling for this sink and
            machine, and the engine should reach most of it
  memory    the engine's peak RSS with 10,000 readers and with 100,000 (flat: the
            deliveries stream through in batches)
  approve   the time to create the deliveries of an issue for 1,000,000 readers

Prints the figures, then as its last line one JSON object. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
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
# --alert (issue #24): an alert to 100,000 readers at the relay within 2 minutes.
ALERT_TARGETS = {"alert_to_relay_s": ("<=", 120.0)}


# The sink ----------------------------------------------------------------------------

SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
SMTP_SOURCE = shutil.which("smtp-source") or "/usr/sbin/smtp-source"
INSTALL_POSTFIX = "DEBIAN_FRONTEND=noninteractive apt-get install -y postfix"


def sink_count(log: Path) -> int:
    """Messages smtp-sink accepted so far: its -c counter line is "sess=N quit=N mesg=N"."""
    tail = log.read_bytes()[-200:].replace(b"\r", b"\n").split()
    counts = [int(x[5:]) for x in tail if x.startswith(b"mesg=") and x[5:].isdigit()]
    return counts[-1] if counts else 0


# The raw blast -----------------------------------------------------------------------


def blast(port: int, message: Path, count: int, connections: int, go: Path) -> dict[str, Any]:
    """``count`` copies of one message over ``connections`` smtplib connections, in threads.

    With the engine's own client function (dateline/digests/smtp.py: PIPELINING, each
    message's data in one write with the next one's envelope), so the blast is the
    ceiling of the same client, not a slower one. The message is dot-stuffed once, as
    the engine stuffs each render group's bytes once (RenderedGroup.payload_for). The
    connections are made first; sending starts when ``go`` exists, as the engine's
    processes start when the issue is approved.
    """
    sys.path.insert(0, str(pages.ROOT))
    from dateline.digests.smtp import Envelope, no_delay, send_pipelined, stuffed

    data = stuffed(message.read_bytes())
    left = [count]
    lock = threading.Lock()
    clients = [no_delay(smtplib.SMTP(HOST, port, timeout=60)) for _ in range(connections)]
    for client in clients:
        client.ehlo()

    def copies() -> Iterator[Envelope]:
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            yield Envelope("bounce+blast@dateline.invalid", "reader@example.org", data)

    def refused(message: Envelope, error: BaseException | None) -> None:
        if error is not None:
            raise error

    def lane(client: smtplib.SMTP) -> None:
        send_pipelined(client, copies(), refused)
        client.quit()

    threads = [threading.Thread(target=lane, args=(client,)) for client in clients]
    while not go.exists():
        time.sleep(0.001)
    cpu = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "ended": time.time(),
        "messages": count,
        "cpu_s": time.process_time() - cpu,
    }


def shares(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` as evenly as whole numbers allow."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


# Inside `dateline shell` ---------------------------------------------------------------

SEED = r"""
import json, random, time
from django.db import connection
from dateline.newsroom.models import SectionPage
from dateline.newsletter.models import ConsentText, Newsletter, Subscriber

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
        # Each on the digest, as migration newsletter 0005 left every confirmed reader.
        cursor.execute('''
            INSERT INTO newsletter_subscription
                (subscriber_id, newsletter_id, joined_at, source, consent_text_id, left_how)
            SELECT s.id, %s, now(), 'bench', %s, ''
            FROM newsletter_subscriber s
            WHERE s.email LIKE 'reader%%' AND s.id BETWEEN %s AND %s''',
            [Newsletter.digest().pk, ConsentText.current().pk, *id_span(start, count)])
        cursor.execute(
            "ANALYZE newsletter_subscriber, newsletter_subscriber_sections, "
            "newsletter_subscription"
        )
    print("BENCH " + json.dumps({"cadence": cadence, "readers": count}))

def id_span(start, count):
    # Readers n = start … start + count - 1 were inserted in order: their ids are a span.
    ids = Subscriber.objects.filter(
        email__in=[f"reader{start}@example.org", f"reader{start + count - 1}@example.org"]
    ).values_list("id", flat=True)
    return min(ids), max(ids)
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

# One engine process: what `dateline worker` does with a digest task, started (and warmed
# up, as a worker is at start) before the issue exists, sending once it is approved.
SENDER = r"""
import json, os, resource, time
from pathlib import Path
from dateline.digests import engine
from dateline.digests.models import DigestIssue
from dateline.lib.warmup import warm_up

warm_up()
go = Path(os.environ["BENCH_GO"])
Path(os.environ["BENCH_READY"]).touch()
while not go.exists():
    time.sleep(0.002)
issue = DigestIssue.objects.get(pk=int(go.read_text()))
cpu = time.process_time()  # every thread of this process: the feeder and the lanes
totals = engine.send_issue(issue, "bench-" + os.environ["BENCH_INDEX"])
sent = time.time()
result = {
    "totals": totals, "sent_at": sent, "cpu_s": time.process_time() - cpu,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}
print("BENCH " + json.dumps(result))
"""

# The editor's part, once the issue is there (``confirm()`` gives it): approved, timed,
# and the engine processes start sending after the first chunk of readers.
TIMED_APPROVAL = r"""
go = Path(os.environ["BENCH_GO"])
first = []

def start_sending():
    # As editorial.approve hands the issue to the workers: after the first chunk.
    first.append(time.time())
    go.with_suffix(".tmp").write_text(str(issue.pk))
    go.with_suffix(".tmp").replace(go)

approve_started = time.time()
issue = confirm()
deliveries = engine.approve(issue, on_first_chunk=start_sending)
approved = time.time()
result = {
    "issue": issue.pk, "deliveries": deliveries, "approve_started": approve_started,
    "approve_s": approved - approve_started,
    "first_chunk_s": first[0] - approve_started,
}
print("BENCH " + json.dumps(result))
"""

# A digest: its draft made first, then "approve and send now".
APPROVE = (
    r"""
import json, os, time
from pathlib import Path
from django.utils import timezone
from dateline.digests import engine
from dateline.digests.selection import create_due_issue

made = create_due_issue(os.environ["BENCH_CADENCE"], timezone.now(), at_once=True)

def confirm():
    return made
"""
    + TIMED_APPROVAL
)

# After the send: one reader's message as sent (for the blasts) and the issue's shape.
SAMPLE = r"""
import json, os
from django.db.models import Count
from dateline.digests.engine.rendering import RenderCache
from dateline.digests.models import Delivery, DigestIssue

issue = DigestIssue.objects.get(pk=int(os.environ["BENCH_ISSUE"]))
# A reader of the largest render group: the message most readers got.
deliveries = Delivery.objects.filter(issue=issue)
largest = deliveries.values("sections_key").annotate(n=Count("id")).order_by("-n")[0]
sample = deliveries.filter(sections_key=largest["sections_key"]).select_related("subscriber")[0]
group = RenderCache(issue).group(sample.sections_key, sample.section_ids, frozenset())
message = group.message_for(sample, sample.subscriber)
open(os.environ["BENCH_MESSAGE"], "wb").write(message)
result = {
    "groups": Delivery.objects.filter(issue=issue).values("sections_key").distinct().count(),
    "stories": len(group.story_ids),
    "html_bytes": len(group.html.encode()), "message_bytes": len(message),
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


# --alert: the first N readers (both cadences) on Breaking news, afresh each run.
ALERT_READERS = r"""
import json, os
from django.db import connection
from dateline.newsletter.models import ConsentText, Newsletter, Subscription
alerts = Newsletter.alerts()
Subscription.objects.filter(newsletter=alerts).delete()
with connection.cursor() as cursor:
    cursor.execute('''
        INSERT INTO newsletter_subscription
            (subscriber_id, newsletter_id, joined_at, source, consent_text_id, left_how)
        SELECT s.id, %s, now(), 'bench', %s, '' FROM newsletter_subscriber s
        WHERE s.status = 'active' AND s.email LIKE 'reader%%' ORDER BY s.id LIMIT %s''',
        [alerts.pk, ConsentText.current().pk, int(os.environ["BENCH_ALERT"])])
    cursor.execute("ANALYZE newsletter_subscription")
count = Subscription.objects.filter(newsletter=alerts).count()
print("BENCH " + json.dumps({"alert_readers": count}))
"""

# "Send as an alert": the confirmation makes the issue (the day's cap checked) and
# approves it, so the time runs from before the issue is made.
ALERT_APPROVE = (
    r"""
import json, os, time
from pathlib import Path
from dateline.digests import alerts, engine
from dateline.newsletter.models import NewsletterSettings
from dateline.newsroom.models import ArticlePage

limits = NewsletterSettings.load()
limits.alerts_per_day = 1000  # the bench may send many a day
limits.save()
stories = ArticlePage.objects.live().filter(lead_image__isnull=False)
article = stories.order_by("-published_at").first()

def confirm():
    return alerts.make_alert(article)
"""
    + TIMED_APPROVAL
)


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
        self.sink_log = self.logs / "sink.log"
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
        # Production refuses the demo (its login is published): load it as development.
        seconds = self.command(
            "demo",
            [*self.dateline, "demo", "--articles", "16"],
            300,
            env={"DATELINE_ENV": "development"},
        )
        say(f"# demo: {seconds:.1f} s")
        self.shell("readers-small", SEED + f"\nadd_readers('weekly', {a.small}, 1)\n")
        seed = SEED + f"\nadd_readers('twice_weekly', {a.large}, {a.small + 1})\n"
        self.shell("readers-large", seed)

    def start_sink(self) -> None:
        for tool in (SMTP_SINK, SMTP_SOURCE):
            if not Path(tool).exists():
                raise BenchError(f"{tool} is missing: Postfix's test tools, `{INSTALL_POSTFIX}`")
        # -c: a running count on stdout; -u: smtp-sink refuses to run as root without it.
        user = ["-u", "root"] if os.geteuid() == 0 else []
        self.start("sink", [SMTP_SINK, "-c", *user, f"{HOST}:{self.sink_port}", "1000"])
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection((HOST, self.sink_port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise BenchError("smtp-sink did not start: see logs/sink.log") from None
                time.sleep(0.05)

    def wait_sink(self, expected: int) -> None:
        """Until smtp-sink has counted ``expected`` messages in all (it counts at the ".")."""
        deadline = time.monotonic() + 30
        while sink_count(self.sink_log) < expected:
            if time.monotonic() > deadline:
                got = sink_count(self.sink_log)
                raise BenchError(f"the sink counted {got} of {expected} messages")
            time.sleep(0.05)

    def engine_run(self, cadence: str, approve: str = APPROVE) -> dict[str, Any]:
        """--processes engine processes, --connections lanes among them, on one new issue.

        ``cadence``: the digest's readers, or "alert" with ALERT_APPROVE.
        """
        a = self.args
        before = sink_count(self.sink_log)
        go = self.tmp / f"go-{cadence}"
        senders = []
        for i, lanes in enumerate(shares(a.connections, a.processes)):
            ready = self.tmp / f"ready-{cadence}-{i}"
            env = {
                **self.env,
                "BENCH_GO": str(go),
                "BENCH_READY": str(ready),
                "BENCH_INDEX": str(i),
                "DIGEST_CONCURRENCY": str(lanes),
            }
            log = (self.logs / f"engine-{cadence}-{i}.log").open("w")
            argv = [*self.dateline, "shell", "-c", SENDER]
            proc = subprocess.Popen(
                argv, env=env, cwd=self.source, stdout=subprocess.PIPE, stderr=log, text=True
            )
            senders.append((proc, ready))
        deadline = time.monotonic() + 120
        while not all(ready.exists() for _, ready in senders):
            if time.monotonic() > deadline or any(p.poll() is not None for p, _ in senders):
                raise BenchError(f"the engine processes did not start: see logs/engine-{cadence}-*")
            time.sleep(0.05)
        approved = self.shell(
            f"approve-{cadence}", approve, BENCH_CADENCE=cadence, BENCH_GO=str(go)
        )
        runs = []
        for proc, _ in senders:
            out, _ = proc.communicate(timeout=1800)
            lines = [x for x in out.splitlines() if x.startswith("BENCH ")]
            if proc.returncode != 0 or not lines:
                raise BenchError(f"an engine process failed: see logs/engine-{cadence}-*")
            runs.append(json.loads(lines[-1].removeprefix("BENCH ")))
        sent = sum(run["totals"].get("sent", 0) for run in runs)
        self.wait_sink(before + sent)
        if sink_count(self.sink_log) != before + sent:
            raise BenchError(f"the sink got {sink_count(self.sink_log) - before}, sent {sent}")
        message = self.tmp / f"{cadence}.eml"
        sample = self.shell(
            f"sample-{cadence}",
            SAMPLE,
            BENCH_ISSUE=str(approved["issue"]),
            BENCH_MESSAGE=str(message),
        )
        last = max(run["sent_at"] for run in runs)
        # To the last engine process's return, which is after its last 250 (and its last UPDATE).
        seconds = last - approved["approve_started"]
        return {
            **approved,
            **sample,
            "sent": sent,
            "totals": [run["totals"] for run in runs],
            # From the first chunk of readers queued: the workers send while the rest are.
            "send_s": last - approved["approve_started"] - approved["first_chunk_s"],
            "end_to_end_s": seconds,
            "msgs_per_s": sent / seconds,
            "cpu_us_per_msg": sum(run["cpu_s"] for run in runs) / max(1, sent) * 1e6,
            "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
            "message": message,
        }

    def blast_run(self, message: Path, count: int) -> dict[str, Any]:
        """The engine's client function, split over processes and threads as the engine is."""
        a = self.args
        before = sink_count(self.sink_log)
        go = self.tmp / "go-blast"
        code = (
            "import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
            "import send; json.dump(send.blast(int(sys.argv[2]), Path(sys.argv[3]), "
            "int(sys.argv[4]), int(sys.argv[5]), Path(sys.argv[6])), open(sys.argv[7], 'w'))"
        )
        procs = []
        parts = zip(shares(count, a.processes), shares(a.connections, a.processes), strict=True)
        for i, (messages, lanes) in enumerate(parts):
            out = self.tmp / f"blast-{i}.json"
            argv = [sys.executable, "-c", code, str(pages.BENCH), str(self.sink_port)]
            argv += [str(message), str(messages), str(lanes), str(go), str(out)]
            procs.append((self.start(f"blast-{i}", argv), out))
        time.sleep(1.0)  # connected and waiting
        started = time.time()
        go.touch()
        results = []
        for proc, out in procs:
            if proc.wait(timeout=600) != 0:
                raise BenchError("a blast process failed: see logs/blast-*.log")
            results.append(json.loads(out.read_text()))
        self.wait_sink(before + count)
        return {
            "msgs_per_s": count / (max(r["ended"] for r in results) - started),
            "cpu_us_per_msg": sum(r["cpu_s"] for r in results) / count * 1e6,
        }

    def source_run(self, message: Path, count: int) -> dict[str, Any]:
        """smtp-source: the same message, count times, over the same number of sessions."""
        before = sink_count(self.sink_log)
        argv = [SMTP_SOURCE, "-d", "-s", str(self.args.connections), "-m", str(count)]
        argv += ["-F", str(message), "-f", "bounce+blast@dateline.invalid"]
        argv += ["-t", "reader@example.org", f"{HOST}:{self.sink_port}"]
        seconds = self.command("smtp-source", argv, 600)
        self.wait_sink(before + count)
        return {"msgs_per_s": count / seconds}

    def measure(self) -> dict[str, Any]:
        a = self.args
        load_before = os.getloadavg()[0]
        say(f"# temporary folder {self.tmp}")
        self.start_sink()
        if a.database and self.database_exists():
            seconds = self.command("migrate", [*self.dateline, "migrate", "--no-input"], 300)
            say(f"# migrate: {seconds:.1f} s")
            counts = self.shell("reset", RESET)
            if counts != {"weekly": a.small, "twice_weekly": a.large}:
                raise BenchError(f"--database {a.database} has other readers: {counts}")
        else:
            self.setup_database()
        if a.alert:
            return self.measure_alert(load_before)
        small = self.engine_run("weekly")
        say(
            f"engine, {small['deliveries']:,} readers: {small['msgs_per_s']:,.0f} msg/s end to "
            f"end, peak RSS {small['peak_rss_mb']:.0f} MB"
        )
        large = self.engine_run("twice_weekly")
        say(
            f"engine, {large['deliveries']:,} readers: {large['msgs_per_s']:,.0f} msg/s end to end "
            f"(approve {large['approve_s']:.1f} s, sending from {large['first_chunk_s']:.2f} s "
            f"on, {large['send_s']:.1f} s), "
            f"peak RSS {large['peak_rss_mb']:.0f} MB"
        )
        raw = self.blast_run(large["message"], a.blast)
        say(
            f"raw blast (Python, the engine's client), {a.blast:,} messages: "
            f"{raw['msgs_per_s']:,.0f} msg/s, {raw['cpu_us_per_msg']:.0f} us of CPU a message"
        )
        source = self.source_run(large["message"], a.blast)
        say(f"raw blast (smtp-source), {a.blast:,} messages: {source['msgs_per_s']:,.0f} msg/s")
        ceiling = max(raw["msgs_per_s"], source["msgs_per_s"])
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
            "blast_msgs_per_s": round(ceiling),
            "ratio_to_blast": round(large["msgs_per_s"] / ceiling, 2),
            "python_blast_msgs_per_s": round(raw["msgs_per_s"]),
            "smtp_source_msgs_per_s": round(source["msgs_per_s"]),
            "engine_cpu_us_per_msg": round(large["cpu_us_per_msg"]),
            "python_blast_cpu_us_per_msg": round(raw["cpu_us_per_msg"]),
            "engine_10k_msgs_per_s": round(small["msgs_per_s"]),
            "peak_rss_10k_mb": round(small["peak_rss_mb"], 1),
            "peak_rss_100k_mb": round(large["peak_rss_mb"], 1),
            "rss_growth_10k_to_100k_mb": round(large["peak_rss_mb"] - small["peak_rss_mb"], 1),
            "approve_100k_s": round(large["approve_s"], 2),
            "first_chunk_100k_s": round(large["first_chunk_s"], 3),
            "send_100k_s": round(large["send_s"], 2),
            "approve_1m_s": round(approve["approve_s"], 1) if approve else None,
            "readers_small": small["deliveries"],
            "readers": large["deliveries"],
            "groups": large["groups"],
            "stories": large["stories"],
            "html_bytes": large["html_bytes"],
            "message_bytes": large["message_bytes"],
            "connections": a.connections,
            "processes": a.processes,
            "batch": a.batch,
            "sink": "smtp-sink",
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

    def measure_alert(self, load_before: float) -> dict[str, Any]:
        """--alert: one alert to that many Breaking news readers, and the blast beside it."""
        a = self.args
        self.shell("alert-readers", ALERT_READERS, BENCH_ALERT=str(a.alert))
        alert = self.engine_run("alert", ALERT_APPROVE)
        say(
            f"alert, {alert['deliveries']:,} readers: all at the relay "
            f"{alert['end_to_end_s']:.1f} s after the confirmation "
            f"({alert['msgs_per_s']:,.0f} msg/s; approve {alert['approve_s']:.1f} s, "
            f"sending from {alert['first_chunk_s']:.2f} s on)"
        )
        raw = self.blast_run(alert["message"], a.blast)
        say(
            f"raw blast (Python, the engine's client), {a.blast:,} messages: "
            f"{raw['msgs_per_s']:,.0f} msg/s"
        )
        figures: dict[str, Any] = {
            "alert_readers": alert["deliveries"],
            "alert_sent": alert["sent"],
            "alert_to_relay_s": round(alert["end_to_end_s"], 1),
            "alert_msgs_per_s": round(alert["msgs_per_s"]),
            "alert_approve_s": round(alert["approve_s"], 2),
            "alert_first_chunk_s": round(alert["first_chunk_s"], 3),
            "python_blast_msgs_per_s": round(raw["msgs_per_s"]),
            "ratio_to_blast": round(alert["msgs_per_s"] / raw["msgs_per_s"], 2),
            "message_bytes": alert["message_bytes"],
            "peak_rss_mb": round(alert["peak_rss_mb"], 1),
            "connections": a.connections,
            "processes": a.processes,
            "batch": a.batch,
            "sink": "smtp-sink",
            "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2),
            "cpus": os.cpu_count(),
            "targets": {k: f"{op} {v:g}" for k, (op, v) in ALERT_TARGETS.items()},
        }
        figures["targets_met"] = {
            key: figures[key] >= target if op == ">=" else figures[key] <= target
            for key, (op, target) in ALERT_TARGETS.items()
        }
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
    if "alert_readers" in r:
        say(
            f"Alert to {r['alert_readers']:,} Breaking news readers ({r['message_bytes']:,} "
            f"bytes a message) over {r['connections']} connections from {r['processes']} "
            f"processes to smtp-sink: every message at the relay {r['alert_to_relay_s']} s "
            f"after the confirmation, {r['alert_msgs_per_s']:,} msg/s, "
            f"{r['ratio_to_blast']} of the Python blast"
        )
        say(f"load average {r['load_before']} before, {r['load_after']} after ({r['cpus']} CPUs)")
        for key, met in r["targets_met"].items():
            say(f"target {key} {r['targets'][key]}: {r[key]} -> {'met' if met else 'MISSED'}")
        return
    say(
        f"Digest to {r['readers']:,} readers ({r['stories']} stories, {r['html_bytes']:,} bytes "
        f"of HTML, {r['message_bytes']:,} bytes a message, {r['groups']} render groups) over "
        f"{r['connections']} connections from {r['processes']} processes to smtp-sink:"
    )
    say(
        f"engine {r['engine_msgs_per_s']:,} msg/s end to end, raw blast {r['blast_msgs_per_s']:,}"
        f" msg/s (the faster of smtp-source {r['smtp_source_msgs_per_s']:,} and the Python "
        f"client {r['python_blast_msgs_per_s']:,}): {r['ratio_to_blast']} of the blast"
    )
    say(
        f"CPU a message: engine process {r['engine_cpu_us_per_msg']} us, Python blast "
        f"{r['python_blast_cpu_us_per_msg']} us"
    )
    say(
        f"peak RSS {r['peak_rss_10k_mb']} MB with 10k readers, {r['peak_rss_100k_mb']} MB with "
        f"100k; deliveries for 1M readers in {r['approve_1m_s']} s"
    )
    say(f"load average {r['load_before']} before, {r['load_after']} after ({r['cpus']} CPUs)")
    for key, met in r["targets_met"].items():
        say(f"target {key} {r['targets'][key]}: {r[key]} -> {'met' if met else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/send", description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000, help="readers of the first issue")
    parser.add_argument("--large", type=int, default=100_000, help="readers of the second")
    parser.add_argument(
        "--million", type=int, default=1_000_000, help="readers for the approve timing (0: skip)"
    )
    parser.add_argument("--blast", type=int, default=30_000, help="messages of the raw blast")
    parser.add_argument(
        "--alert",
        type=int,
        nargs="?",
        const=100_000,
        default=0,
        metavar="N",
        help="instead of the digests: one breaking-news alert to N readers (100,000), timed "
        "from the editor's confirmation until every message is at the relay",
    )
    parser.add_argument(
        "--connections", type=int, default=4, help="SMTP connections (lanes) in all"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="engine processes sharing the issue, as workers do; the Python blast is split "
        "the same way",
    )
    parser.add_argument("--batch", type=int, default=1000, help="deliveries claimed at a time")
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
    if args.alert > args.small + args.large:
        parser.error("--alert goes to the bench's readers: at most --small plus --large")
    if not 1 <= args.processes <= args.connections:
        parser.error("--processes must be between 1 and --connections")
    if urllib.parse.urlsplit(args.postgres).hostname not in (HOST, "localhost"):
        parser.error("--postgres must be on 127.0.0.1")
    return pages.run_bench("bench/send", SendRun(args), args, report)


if __name__ == "__main__":
    sys.exit(main())
