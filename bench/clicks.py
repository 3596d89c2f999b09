#!/usr/bin/env python3
"""bench/clicks: digest click redirects at a constant offered rate, and no click lost.

Starts the site as in production in a throwaway folder (as bench/signup does: SQLite, the
SQLite cache, `dateline migrate`, `dateline serve` with 2 granian workers), makes one
digest issue and ten counted links in it (dateline.digests.clicks), then GETs them on a
fixed timetable (open loop, bench/signup's generator): request n is due at
start + n/rate, and its latency runs from that due time.

  reference    the same timetable against a static file that granian serves itself
  warm-up      a few seconds at a quarter of the rate, counted like the rest
  clicks       --rate requests/s for --duration s; every answer must be the 303 to the
               link's target
  counted      the server stopped (each worker writes its tally at exit), the clicks in
               LinkClicks must equal the 303s answered, link by link: lost_clicks == 0
  no database  a second server, same SECRET_KEY, whose DATABASE_URL is an SQLite file
               that cannot be opened: the same load, every answer must still be the 303

Prints a summary, then as its last line one JSON object with every figure. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages
import signup
from pages import HOST, BenchError, free_port, http_get, say
from signup import (
    cpu_shares,
    machine_busy,
    open_loop,
    own_cpu,
    process_group_cpu,
    summarise,
)

TARGETS = {
    "p99_ms": ("<", 10.0),
    "errors": ("==", 0),
    "lost_clicks": ("==", 0),
    "no_database_errors": ("==", 0),
}
LINKS = 10

# Run inside `dateline shell`: an issue, and its counted links as the mail has them.
MAKE = """
import json, datetime
from django.utils import timezone
from dateline.digests import clicks
from dateline.digests.models import DigestIssue
now = timezone.now()
issue = DigestIssue.objects.create(cadence="weekly", slot_at=now,
    period_start=now - datetime.timedelta(days=7), period_end=now)
links = {f"https://example.org/news/story-{k}/": clicks.click_url(issue.pk,
         f"https://example.org/news/story-{k}/") for k in range(@LINKS@)}
print("MAKE_JSON " + json.dumps({"issue": issue.pk, "links": links}))
"""

COUNT = """
import json
from dateline.digests.models import LinkClicks
print("COUNT_JSON " + json.dumps(dict(LinkClicks.objects.filter(issue_id=@ISSUE@)
      .values_list("url", "clicks"))))
"""


class ClicksRun(signup.SignupRun):
    name = "clicks"

    def measure(self) -> dict[str, Any]:
        a = self.args
        load_before = os.getloadavg()[0]
        self.setup_site()
        made = self.shell("make", MAKE.replace("@LINKS@", str(LINKS)), "MAKE_JSON")
        targets = list(made["links"])
        paths = [urllib.parse.urlsplit(made["links"][t]).path for t in targets]
        host = f"{HOST}:{self.app_port}".encode()
        requests = [
            b"GET " + p.encode() + b" HTTP/1.1\r\nHost: " + host + b"\r\n"
            b"User-Agent: dateline-bench-clicks\r\n\r\n"
            for p in paths
        ]
        status, _, _ = http_get(self.app_port, paths[0])
        if status != 303:
            raise BenchError(f"GET {paths[0]}: {status}, not 303")

        reference_request = (
            b"GET " + signup.REFERENCE_PATH.encode() + b" HTTP/1.1\r\nHost: " + host + b"\r\n"
            b"User-Agent: dateline-bench-clicks\r\n\r\n"
        )
        say(f"# reference: {a.rate:g} req/s for {a.reference_seconds:g} s")
        ref_answers, ref_start, ref_most = asyncio.run(
            open_loop(self.app_port, a.rate, a.reference_seconds, lambda n: reference_request)
        )
        reference = summarise(ref_answers, ref_start, a.rate, ref_most)
        say(f"#   {reference}")

        sent = [1] + [0] * (LINKS - 1)  # the check above counted one on the first link
        warm_rate = max(1.0, a.rate / 4)
        say(f"# warm-up: {warm_rate:g} req/s for {a.warmup:g} s")
        warm, _, _ = asyncio.run(
            open_loop(self.app_port, warm_rate, a.warmup, lambda n: requests[n % LINKS])
        )
        for n, answer in enumerate(warm):
            sent[n % LINKS] += answer.status == 303

        say(f"# clicks: {a.rate:g} req/s for {a.duration:g} s")
        cpu_server, cpu_self, cpu_machine = (
            process_group_cpu(self.server.pid),
            own_cpu(),
            machine_busy(),
        )
        answers, start, most = asyncio.run(
            open_loop(self.app_port, a.rate, a.duration, lambda n: requests[n % LINKS])
        )
        cpu_server = process_group_cpu(self.server.pid) - cpu_server
        cpu_self = own_cpu() - cpu_self
        cpu_machine = machine_busy() - cpu_machine
        load_after = os.getloadavg()[0]
        clicks = summarise(answers, start, a.rate, most)
        for n, answer in enumerate(answers):
            sent[n % LINKS] += answer.status == 303
        say(f"#   {clicks}")

        # Before the server stops: what the workers' own clocks wrote (CLICK_FLUSH_SECONDS).
        time.sleep(a.settle)
        before_stop = self.shell(
            "count", COUNT.replace("@ISSUE@", str(made["issue"])), "COUNT_JSON"
        )
        self.stop_all()  # SIGTERM: each worker writes what it still holds
        counted = self.shell("count", COUNT.replace("@ISSUE@", str(made["issue"])), "COUNT_JSON")
        per_link = {t: (sent[k], counted.get(t, 0)) for k, t in enumerate(targets)}
        say(f"# sent vs counted per link: {list(per_link.values())}")

        no_db = self.no_database(paths, targets)

        statuses = clicks["statuses"]
        r: dict[str, Any] = {"bench": "clicks", "database": "sqlite"}
        for key in ("offered_rps", "achieved_rps", "requests", "p50_ms", "p90_ms", "p99_ms"):
            r[key] = clicks[key]
        for key in ("max_ms", "mean_ms", "max_lag_ms", "most_in_flight"):
            r[key] = clicks[key]
        r["statuses"] = statuses
        r["errors"] = clicks["requests"] - statuses.get("303", 0)
        r["clicks_sent"] = sum(sent)
        r["clicks_counted_before_stop"] = sum(before_stop.values())
        r["clicks_counted"] = sum(counted.values())
        r["lost_clicks"] = sum(max(0, s - c) for s, c in per_link.values())
        r["extra_clicks"] = sum(max(0, c - s) for s, c in per_link.values())
        r["reference_p50_ms"] = reference["p50_ms"]
        r["reference_p99_ms"] = reference["p99_ms"]
        r["p99_vs_reference"] = round(clicks["p99_ms"] / max(reference["p99_ms"], 0.001), 1)
        r.update(cpu_shares("click", clicks, cpu_server, cpu_self, cpu_machine))
        r.update(no_db)
        r["workers"] = a.workers
        r["duration_s"] = a.duration
        r["load_before"] = round(load_before, 2)
        r["load_after"] = round(load_after, 2)
        return self.with_targets(r, TARGETS)

    def no_database(self, paths: list[str], targets: list[str]) -> dict[str, Any]:
        """The same links from a server whose database cannot be opened."""
        a = self.args
        blocker = self.tmp / "not-a-directory"  # a file: nothing can be made under it
        blocker.write_text("")
        self.app_port = free_port()
        self.env["DATABASE_URL"] = f"sqlite:///{blocker}/dateline.sqlite3"
        argv = [*self.dateline, "serve", "--host", HOST, "--port", str(self.app_port)]
        argv += ["--workers", str(a.workers), "--no-collectstatic"]
        self.server = self.start("server-no-database", argv)
        self.wait_for(self.app_port, paths[0], self.server, "server-no-database")
        status, headers, _ = http_get(self.app_port, paths[0])
        location = headers.get("location")
        if status != 303 or location != targets[0]:
            raise BenchError(f"no database: GET {paths[0]} -> {status} {location}")
        host = f"{HOST}:{self.app_port}".encode()
        requests = [
            b"GET " + p.encode() + b" HTTP/1.1\r\nHost: " + host + b"\r\n\r\n" for p in paths
        ]
        say(f"# no database: {a.rate:g} req/s for {a.no_db_seconds:g} s")
        answers, start, most = asyncio.run(
            open_loop(self.app_port, a.rate, a.no_db_seconds, lambda n: requests[n % LINKS])
        )
        summary = summarise(answers, start, a.rate, most)
        say(f"#   {summary}")
        # The home page needs the database: proof that this server really has none.
        home, _, _ = http_get(self.app_port, "/")
        self.stop_all()
        return {
            "no_database_requests": summary["requests"],
            "no_database_statuses": summary["statuses"],
            "no_database_errors": summary["requests"] - summary["statuses"].get("303", 0),
            "no_database_p99_ms": summary["p99_ms"],
            "no_database_home_status": home,
        }


def report(r: dict[str, Any]) -> None:
    say("")
    say(
        f"Click redirects, {r['workers']} granian workers: {r['offered_rps']:g} req/s offered "
        f"for {r['duration_s']:g} s, {r['achieved_rps']:g} req/s answered"
    )
    say(
        f"latency from the due time: p50 {r['p50_ms']:.2f} ms, p90 {r['p90_ms']:.2f} ms, "
        f"p99 {r['p99_ms']:.2f} ms, max {r['max_ms']:.2f} ms (reference, a static file at the "
        f"same rate: p50 {r['reference_p50_ms']:.2f} ms, p99 {r['reference_p99_ms']:.2f} ms)"
    )
    say(f"answers: {r['statuses']}; errors {r['errors']}")
    say(
        f"clicks: {r['clicks_sent']} answered with a 303, {r['clicks_counted']} counted "
        f"({r['clicks_counted_before_stop']} before the server stopped); lost "
        f"{r['lost_clicks']}, extra {r['extra_clicks']}"
    )
    say(
        f"no database: {r['no_database_requests']} requests, {r['no_database_statuses']}, "
        f"p99 {r['no_database_p99_ms']} ms; its home page answered {r['no_database_home_status']}"
    )
    say(
        f"server CPU {r['server_cpu_ms_per_click']} ms per click ({r['server_cpu_share']} cores), "
        f"generator {r['generator_cpu_share']} cores, other work {r['others_cpu_share']} cores; "
        f"load average {r['load_before']} before, {r['load_after']} after ({r['cpus']} CPUs)"
    )
    pages.say_targets(r)


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/clicks", description=__doc__.split("\n\n")[0])
    signup.add_rate_arguments(parser, rate=1000, what="clicks")
    parser.add_argument("--no-db-seconds", type=float, default=10)
    parser.add_argument(
        "--settle", type=float, default=12, help="seconds to wait before the first count"
    )
    pages.add_run_arguments(parser, time_limit=300)
    args = parser.parse_args()
    args.postgres = None
    if pages.missing("bench/clicks", str(pages.DATELINE)):
        return 2
    return pages.run_bench("bench/clicks", ClicksRun(args), args, report)


if __name__ == "__main__":
    sys.exit(main())
