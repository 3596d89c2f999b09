#!/usr/bin/env python3
"""bench/signup: newsletter signups at a constant offered rate, and none of them lost.

Starts the site as in production in a throwaway folder (DATELINE_ENV=production, a random
SECRET_KEY, SQLite unless --postgres, the SQLite cache, `dateline migrate`, `dateline serve`
with 2 granian workers) with NEWSLETTER_SIGNUPS_PER_IP=0, so that one load generator on
127.0.0.1 is not throttled. It reads a form stamp from GET /newsletter/, waits until the
stamp is old enough to pass for a person, then POSTs to /newsletter/ on a fixed timetable
(open loop): request n is due at start + n/rate whatever became of the ones before, and
its latency runs from that due time. A server that falls behind shows up as latency, not
as a lower offered rate, as it would with a closed-loop tool such as wrk.

  reference  the same timetable against a static file that granian serves itself: the
             floor that the generator, the loopback and the server's Rust side set
  warm-up    a few seconds of signups at a quarter of the rate, not measured
  signups    --rate requests/s for --duration s, each with an address of its own
             (bench-<n>@example.org); every answer must be the 303 to check-your-inbox

Afterwards it counts the rows: every 303 must have left a Subscriber, a ConsentRecord
and a queued send_confirmation task (no worker runs, so the tasks stay queued). Then it
profiles one signup in-process (SQL queries, time in the form and in sign_up). Prints a
summary, then as its last line one JSON object with every figure. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import secrets
import shutil
import statistics
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# bench/pages.py holds the process handling (start, stop, logs, wait for the port) and
# the small helpers; this bench runs its site the same way.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages
from pages import HOST, BenchError, http_get, percentile, say, tail

TARGETS = {
    "p99_ms": ("<", 50.0),
    "errors_5xx": ("==", 0),
    "lost_signups": ("==", 0),
}
SIGNUP_PATH = "/newsletter/"
REFERENCE_PATH = "/static/dateline/newsletter.js"
CONFIRMATION_TASK = "dateline.newsletter.tasks.send_confirmation"
STAMP = re.compile(r'<input type="hidden" name="stamp" value="([^"]+)"')
# The newsletters the form comes with ticked, as a reader who changes nothing sends them.
TICKED = re.compile(r'<input type="checkbox" name="newsletters" value="(\d+)"[^>]* checked')

# Run inside `dateline shell` after the load: which of the addresses that were answered
# with a 303 left a subscriber, a consent record and a queued confirmation task.
COUNT = """
import json, os
from django_tasks_db.models import DBTaskResult
from dateline.newsletter.models import ConfirmationMail, ConsentRecord, Subscriber

answered = set(json.load(open(os.environ["BENCH_ANSWERED"])))
def ours(queryset):
    return queryset.filter(email__regex=r"^(bench|warm)-[0-9]+@example\\.org$")
subscribers = set(ours(Subscriber.objects).values_list("email", flat=True))
consents = dict(ours(ConsentRecord.objects).values_list("pk", "email"))
tasks = DBTaskResult.objects.filter(task_path=@TASK@)
queued = {}
for args_kwargs, status in tasks.values_list("args_kwargs", "status"):
    email = consents.get(args_kwargs["args"][0])
    if email is not None:
        queued[email] = status
complete = subscribers & set(consents.values()) & set(queued)
lost = sorted(answered - complete)
print("COUNT_JSON " + json.dumps({
    "subscribers": len(subscribers),
    "measured_subscribers": sum(1 for e in subscribers if e.startswith("bench-")),
    "consent_records": len(consents),
    "tasks_queued": len(queued),
    "measured_tasks_queued": sum(1 for e in queued if e.startswith("bench-")),
    "task_statuses": sorted(set(queued.values())),
    "confirmation_mails": ours(ConfirmationMail.objects).count(),
    "lost": len(lost),
    "lost_examples": lost[:5],
    "unanswered_but_stored": len(complete - answered),
}))
"""

# Run inside `dateline shell` after the load: one signup through Django (the test client:
# no HTTP, no other load), its SQL queries, and where its time goes.
DIAGNOSE = """
import json, statistics, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from dateline.lib.formstamp import make_live_stamp
from dateline.newsletter import signup
from dateline.newsletter.forms import SignupForm
from dateline.newsletter.models import Newsletter

stamp = make_live_stamp(time.time() - 60)  # as the page fetches at load
digest = [Newsletter.digest().pk]
def data(n):
    return {"email": f"profile-{n}@example.org", "cadence": "weekly", "stamp": stamp,
            "newsletters": digest, "website": "", "source": "bench"}
client = Client(HTTP_HOST="127.0.0.1")
for n in range(5):
    client.post("/newsletter/", data(n))
with CaptureQueriesContext(connection) as queries:
    response = client.post("/newsletter/", data(5))
sql = [q["sql"] for q in queries.captured_queries]
whole, form_ms, sign_up_ms = [], [], []
for n in range(6, 66):
    started = time.perf_counter()
    client.post("/newsletter/", data(n))
    whole.append((time.perf_counter() - started) * 1000)
for n in range(66, 126):
    started = time.perf_counter()
    form = SignupForm(data(n))
    assert form.is_valid(), form.errors
    form_ms.append((time.perf_counter() - started) * 1000)
    request = signup.SignupRequest(email=form.cleaned_data["email"], ip="127.0.0.1")
    started = time.perf_counter()
    signup.sign_up(request)
    sign_up_ms.append((time.perf_counter() - started) * 1000)
verbs = {}
for statement in sql:
    verb = statement.split(None, 1)[0].upper()
    verbs[verb] = verbs.get(verb, 0) + 1
print("DIAGNOSE_JSON " + json.dumps({
    "status": response.status_code,
    "queries": len(sql),
    "query_kinds": verbs,
    "sql": sql,
    "inprocess_median_ms": round(statistics.median(whole), 2),
    "form_median_ms": round(statistics.median(form_ms), 2),
    "sign_up_median_ms": round(statistics.median(sign_up_ms), 2),
}))
"""


@dataclass
class Answer:
    status: int  # 0: the connection failed; -1: no answer within the timeout
    latency: float  # seconds from the due time to the whole answer
    lag: float  # seconds from the due time until the generator got round to it
    done_at: float


class Connection:
    """One keep-alive HTTP/1.1 connection: a request written, its answer read whole."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.reusable = True

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(HOST, port)
        return cls(reader, writer)

    async def exchange(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.reusable = False
        return status

    def close(self) -> None:
        self.reusable = False
        self.writer.close()


async def open_loop(
    port: int,
    rate: float,
    seconds: float,
    make_request: Any,
    max_connections: int = 256,
    timeout: float = 30.0,
) -> tuple[list[Answer], float]:
    """Send ``rate * seconds`` requests on a fixed timetable; returns the answers and the start.

    A request waits for a free connection only when ``max_connections`` are busy; that wait
    counts in its latency, as it would for a reader.
    """
    loop = asyncio.get_running_loop()
    idle: list[Connection] = []
    slots = asyncio.Semaphore(max_connections)
    count = int(rate * seconds)
    answers: list[Answer | None] = [None] * count
    start = loop.time() + 0.1
    in_flight = [0, 0]  # now, most

    async def one(n: int, due: float) -> None:
        lag = loop.time() - due
        in_flight[0] += 1
        in_flight[1] = max(in_flight)
        async with slots:
            connection = idle.pop() if idle else None
            try:
                if connection is None:
                    connection = await Connection.open(port)
                status = await asyncio.wait_for(connection.exchange(make_request(n)), timeout)
            except TimeoutError:
                status = -1
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                status = 0
            done = loop.time()
            if connection is not None:
                if status > 0 and connection.reusable:
                    idle.append(connection)
                else:
                    connection.close()
            answers[n] = Answer(status, done - due, lag, done)
        in_flight[0] -= 1

    tasks = []
    for n in range(count):
        due = start + n / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n, due)))
    await asyncio.gather(*tasks)
    for connection in idle:
        connection.close()
    return [a for a in answers if a is not None], start, in_flight[1]


def summarise(answers: list[Answer], start: float, rate: float, most: int) -> dict[str, Any]:
    latencies = [a.latency * 1000 for a in answers]
    statuses: dict[str, int] = {}
    for a in answers:
        statuses[str(a.status)] = statuses.get(str(a.status), 0) + 1
    span = max(a.done_at for a in answers) - start
    return {
        "requests": len(answers),
        "offered_rps": rate,
        "achieved_rps": round(len(answers) / span, 1),
        "span_s": round(span, 2),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p90_ms": round(percentile(latencies, 90), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "max_ms": round(max(latencies), 2),
        "mean_ms": round(statistics.fmean(latencies), 2),
        "max_lag_ms": round(max(a.lag for a in answers) * 1000, 2),
        "most_in_flight": most,
        "statuses": statuses,
    }


def cpu_shares(
    per: str,
    phase: dict[str, Any],
    server: float,
    generator: float,
    machine: float,
    digits: int = 3,
) -> dict[str, float]:
    """The CPU seconds of a measured phase (``summarise``'s) as the results give them.

    The server's per request and in cores, the generator's, and what the rest of the
    machine (other people's work) took meanwhile.
    """
    span = phase["span_s"]
    return {
        f"server_cpu_ms_per_{per}": round(server * 1000 / max(1, phase["requests"]), digits),
        "server_cpu_share": round(server / span, 2),
        "generator_cpu_share": round(generator / span, 3),
        "others_cpu_share": round(max(0.0, machine - server - generator) / span, 2),
    }


def process_group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) of the live processes in one process group."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # fields[2] is the 5th field of stat: pgrp
                total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class SignupRun(pages.Run):
    """The site as bench/pages runs it, without demo content; the process helpers are its."""

    name = "signup"  # in the temporary folder's name

    def __init__(self, args: argparse.Namespace) -> None:
        # What pages.Run's helpers (_env, command, start, stop_all, wait_for) use.
        self._workspace(args, self.name)
        self.database: str | None = None
        self.newsletters: list[str] | list[int] = []  # ticked in the form (stamp())
        self.env = self._env()
        self.env["NEWSLETTER_SIGNUPS_PER_IP"] = "0"
        self.env["LOG_LEVEL"] = "WARNING"
        if args.postgres:
            self.database = f"bench_signup_{os.getpid()}"
            self.env["DATABASE_URL"] = f"{args.postgres.rstrip('/')}/{self.database}"
        self.run_id = secrets.token_hex(4)

    # PostgreSQL -----------------------------------------------------------------------

    def _admin_sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.args.postgres.rstrip('/')}/postgres", autocommit=True) as db:
            db.execute(statement)

    def create_database(self) -> None:
        if self.database:
            self._admin_sql(f'CREATE DATABASE "{self.database}"')
            say(f"# PostgreSQL database {self.database} created")

    def drop_database(self) -> None:
        if self.database:
            try:
                self._admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
                say(f"# PostgreSQL database {self.database} dropped")
            except Exception as error:  # reported: the run is over anyway
                say(f"# could not drop {self.database}: {error}")

    # Steps ------------------------------------------------------------------------------

    def setup_site(self) -> None:
        say(f"# temporary folder {self.tmp}")
        self.create_database()
        collect = self.start("collectstatic", [*self.dateline, "collectstatic", "--no-input"])
        seconds = self.command("migrate", [*self.dateline, "migrate", "--no-input"], 150)
        say(f"# migrate: {seconds:.1f} s")
        if collect.wait(timeout=90) != 0:
            raise BenchError(f"collectstatic failed:\n{tail(self.logs / 'collectstatic.log')}")
        self.server = self.start_server()
        started = time.monotonic()
        self.wait_for(self.app_port, SIGNUP_PATH, self.server, "server")
        say(f"# dateline serve answering after {time.monotonic() - started:.1f} s")

    def stamp(self) -> tuple[str, float]:
        status, _, body = http_get(self.app_port, SIGNUP_PATH)
        page = body.decode("utf-8", "replace")
        match = STAMP.search(page)
        if status != 200 or not match:
            raise BenchError(f"GET {SIGNUP_PATH}: {status}, no stamp in the form")
        self.newsletters = TICKED.findall(page)
        return match.group(1), time.time()

    def measure(self) -> dict[str, Any]:
        a = self.args
        load_before = os.getloadavg()[0]
        self.setup_site()
        stamp, stamped_at = self.stamp()
        host = f"{HOST}:{self.app_port}".encode()

        def signup_request(prefix: str) -> Any:
            def make(n: int) -> bytes:
                body = urllib.parse.urlencode(
                    {
                        "email": f"{prefix}-{n}@example.org",
                        "cadence": "weekly" if n % 2 else "twice_weekly",
                        "newsletters": self.newsletters,
                        "stamp": stamp,
                        "website": "",
                        "source": "bench/signup",
                    },
                    doseq=True,
                ).encode()
                return (
                    b"POST " + SIGNUP_PATH.encode() + b" HTTP/1.1\r\nHost: " + host + b"\r\n"
                    b"User-Agent: dateline-bench-signup\r\nAccept: text/html\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )

            return make

        reference_request = (
            b"GET " + REFERENCE_PATH.encode() + b" HTTP/1.1\r\nHost: " + host + b"\r\n"
            b"User-Agent: dateline-bench-signup\r\n\r\n"
        )
        status, _, _ = http_get(self.app_port, REFERENCE_PATH)
        if status != 200:
            raise BenchError(f"GET {REFERENCE_PATH}: {status}")

        say(f"# reference: {a.rate:g} req/s for {a.reference_seconds:g} s, GET {REFERENCE_PATH}")
        reference_answers, reference_start, reference_most = asyncio.run(
            open_loop(self.app_port, a.rate, a.reference_seconds, lambda n: reference_request)
        )
        reference = summarise(reference_answers, reference_start, a.rate, reference_most)
        say(f"#   {reference}")

        # The form refuses (quietly: a 303 like any other, and nothing stored) a stamp
        # younger than NEWSLETTER_MIN_FORM_SECONDS; whole seconds, so allow one more.
        old_enough = stamped_at + 2 + 1.2 - time.time()
        if old_enough > 0:
            time.sleep(old_enough)

        warm_rate = max(1.0, a.rate / 4)
        say(f"# warm-up: {warm_rate:g} req/s for {a.warmup:g} s (warm-<n>@example.org)")
        warm_answers, _, _ = asyncio.run(
            open_loop(self.app_port, warm_rate, a.warmup, signup_request("warm"))
        )
        answered = [f"warm-{n}@example.org" for n, x in enumerate(warm_answers) if x.status == 303]

        say(f"# signups: {a.rate:g} req/s for {a.duration:g} s (bench-<n>@example.org)")
        cpu_server, cpu_self = process_group_cpu(self.server.pid), own_cpu()
        cpu_machine = machine_busy()
        answers, start, most = asyncio.run(
            open_loop(self.app_port, a.rate, a.duration, signup_request("bench"))
        )
        cpu_server = process_group_cpu(self.server.pid) - cpu_server
        cpu_self = own_cpu() - cpu_self
        cpu_machine = machine_busy() - cpu_machine
        load_after = os.getloadavg()[0]
        signups = summarise(answers, start, a.rate, most)
        answered += [f"bench-{n}@example.org" for n, x in enumerate(answers) if x.status == 303]
        say(f"#   {signups}")

        # Counted with the server stopped: nothing changes under the count, and on
        # PostgreSQL its connections (one per granian thread) no longer fill the server.
        self.stop_all()
        answered_file = self.tmp / "answered.json"
        answered_file.write_text(json.dumps(answered))
        counts = self.shell(
            "count",
            COUNT.replace("@TASK@", repr(CONFIRMATION_TASK)),
            "COUNT_JSON",
            BENCH_ANSWERED=str(answered_file),
        )
        say(f"# rows: {counts}")
        diagnosis = self.shell("diagnose", DIAGNOSE, "DIAGNOSE_JSON")
        if diagnosis["status"] != 303:
            raise BenchError(f"the profiled signup was answered {diagnosis['status']}, not 303")
        say(
            f"# one signup in-process: {diagnosis['queries']} SQL queries "
            f"{diagnosis['query_kinds']}, median {diagnosis['inprocess_median_ms']} ms "
            f"(form {diagnosis['form_median_ms']} ms, sign_up {diagnosis['sign_up_median_ms']} ms)"
        )

        statuses = signups["statuses"]
        measured_ok = statuses.get("303", 0)
        r: dict[str, Any] = {"bench": "signup"}
        r["database"] = "postgresql" if self.database else "sqlite"
        r["offered_rps"] = a.rate
        r["achieved_rps"] = signups["achieved_rps"]
        r["requests"] = signups["requests"]
        for key in ("p50_ms", "p90_ms", "p99_ms", "max_ms", "mean_ms", "max_lag_ms"):
            r[key] = signups[key]
        r["most_in_flight"] = signups["most_in_flight"]
        r["statuses"] = statuses
        r["errors_5xx"] = sum(v for k, v in statuses.items() if k.startswith("5"))
        r["non_303"] = signups["requests"] - measured_ok
        r["lost_signups"] = counts["lost"]
        r["subscribers"] = counts["measured_subscribers"]
        r["tasks_queued"] = counts["measured_tasks_queued"]
        r["successful"] = measured_ok
        r["rows_all_phases"] = {
            k: counts[k]
            for k in ("subscribers", "consent_records", "tasks_queued", "confirmation_mails")
        }
        r["answered_303_all_phases"] = len(answered)
        r["stored_without_303"] = counts["unanswered_but_stored"]
        r["reference_p50_ms"] = reference["p50_ms"]
        r["reference_p99_ms"] = reference["p99_ms"]
        r["reference_achieved_rps"] = reference["achieved_rps"]
        r["p99_vs_reference"] = round(signups["p99_ms"] / max(reference["p99_ms"], 0.001), 1)
        r.update(cpu_shares("signup", signups, cpu_server, cpu_self, cpu_machine, digits=2))
        r["queries_per_signup"] = diagnosis["queries"]
        r["query_kinds"] = diagnosis["query_kinds"]
        r["inprocess_median_ms"] = diagnosis["inprocess_median_ms"]
        r["form_median_ms"] = diagnosis["form_median_ms"]
        r["sign_up_median_ms"] = diagnosis["sign_up_median_ms"]
        r["workers"] = a.workers
        r["duration_s"] = a.duration
        r["load_before"] = round(load_before, 2)
        r["load_after"] = round(load_after, 2)
        self.with_targets(r, TARGETS)
        (self.logs / "sql.txt").write_text("\n".join(diagnosis["sql"]) + "\n")
        return r

    def cleanup(self) -> None:
        self.stop_all()
        self.drop_database()
        if self.args.keep:
            say(f"# kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def report(r: dict[str, Any]) -> None:
    say("")
    say(
        f"Signups on {r['database']}, {r['workers']} granian workers: {r['offered_rps']:g} req/s "
        f"offered for {r['duration_s']:g} s, {r['achieved_rps']:g} req/s answered"
    )
    say(
        f"latency from the due time: p50 {r['p50_ms']:.2f} ms, p90 {r['p90_ms']:.2f} ms, "
        f"p99 {r['p99_ms']:.2f} ms, max {r['max_ms']:.2f} ms "
        f"(reference, a static file at the same rate: p50 {r['reference_p50_ms']:.2f} ms, "
        f"p99 {r['reference_p99_ms']:.2f} ms)"
    )
    say(
        f"answers: {r['statuses']}; 5xx {r['errors_5xx']}, not 303 {r['non_303']}; "
        f"at most {r['most_in_flight']} in flight; the generator was late by at most "
        f"{r['max_lag_ms']:.1f} ms"
    )
    say(
        f"rows: {r['subscribers']} subscribers and {r['tasks_queued']} queued confirmations for "
        f"{r['successful']} successful signups; lost {r['lost_signups']} "
        f"(all phases: {r['rows_all_phases']})"
    )
    say(
        f"one signup: {r['queries_per_signup']} SQL queries {r['query_kinds']}, "
        f"{r['inprocess_median_ms']} ms in-process alone (form {r['form_median_ms']} ms, "
        f"sign_up {r['sign_up_median_ms']} ms); under load the server used "
        f"{r['server_cpu_ms_per_signup']} ms CPU per signup ({r['server_cpu_share']} cores), "
        f"the generator {r['generator_cpu_share']} cores, other work on the machine "
        f"{r['others_cpu_share']} cores"
    )
    say(f"load average {r['load_before']} before, {r['load_after']} after ({r['cpus']} CPUs)")
    pages.say_targets(r)


def add_rate_arguments(parser: argparse.ArgumentParser, rate: float, what: str) -> None:
    """The open loop's options, for this bench and those built on it (bench/clicks)."""
    parser.add_argument("--rate", type=float, default=rate, help="requests/s offered")
    parser.add_argument("--duration", type=float, default=20, help=f"seconds of {what}")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up")
    parser.add_argument(
        "--reference-seconds", type=float, default=5, help="seconds of the static reference"
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/signup", description=__doc__.split("\n\n")[0])
    add_rate_arguments(parser, rate=200, what="signups")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const="postgres://postgres@127.0.0.1:5432",
        metavar="URL",
        help="run on PostgreSQL: a throwaway database bench_signup_<pid> on this server "
        "(default postgres://postgres@127.0.0.1:5432), dropped at the end",
    )
    pages.add_run_arguments(parser, time_limit=300)
    args = parser.parse_args()
    if args.postgres and not args.postgres.startswith(("postgres://", "postgresql://")):
        parser.error("--postgres takes a postgres:// URL")
    if args.postgres and urllib.parse.urlsplit(args.postgres).hostname not in (HOST, "localhost"):
        parser.error("--postgres must be on 127.0.0.1")
    if pages.missing("bench/signup", str(pages.DATELINE)):
        return 2

    return pages.run_bench("bench/signup", SignupRun(args), args, report)


if __name__ == "__main__":
    sys.exit(main())
