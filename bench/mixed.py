#!/usr/bin/env python3
"""bench/mixed: page reads, comment posts and signups together on 2 servers and PostgreSQL.

Starts the site as bench/signup does (production settings, a random SECRET_KEY, a
throwaway folder and a throwaway PostgreSQL database, `dateline migrate`), seeds a
section and three articles in `dateline shell`, and starts two `dateline serve`
processes on two ports of 127.0.0.1 sharing that database and the SQLite cache, as two
web servers behind a proxy would. The comment and signup rate limits and the too-fast
checks are off, so that one load generator is neither throttled nor held.

Then --connections closed-loop clients (threads, one kept-alive connection each,
alternating between the servers) send --requests requests in all, or stop at
--duration seconds, whichever comes first:

  read     GET of an article, the home page or the section front (most of the mix)
  comment  POST /comments/post/ on one of the articles, a text of its own
  signup   POST /newsletter/ with an address of its own

Every comment that posts a new comment invalidates the page cache, so reads are a mix
of cache hits and renders, as on a site whose readers comment. Afterwards, with the
servers stopped, it counts the rows: every comment answered 303 must be stored, every
signup answered 303 must have its subscriber, consent record and queued confirmation.
Prints a summary, then as its last line one JSON object. See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages
from pages import HOST, BenchError, free_port, http_get, percentile, say, tail
from signup import SignupRun

TARGETS = {"errors_5xx": ("==", 0), "lost_writes": ("==", 0), "other_errors": ("==", 0)}

SEED = """
import json
from django.utils import timezone
from wagtail.models import Page, Site
from dateline.newsroom.models import ArticleAuthor, ArticlePage, Author, HomePage, SectionPage

root = Page.get_first_root_node()
home = HomePage.objects.first() or root.add_child(
    instance=HomePage(title="Home", slug="bench-home"))
Site.objects.update_or_create(is_default_site=True, defaults={
    "hostname": "localhost", "port": 80, "root_page": home, "site_name": "Bench"})
for page in Page.objects.filter(depth=2).exclude(pk=home.pk):
    page.delete()
section = home.add_child(instance=SectionPage(title="World News", slug="world-news"))
section.save_revision().publish()
author, _ = Author.objects.get_or_create(name="Bench Desk")
articles = []
for n, title in enumerate(["Ferry talks resume", "Harbour reopens", "Dam agreement signed"]):
    page = ArticlePage(title=title, slug=f"mixed-{n}", standfirst="As benchmarked.",
        body=[{"type": "paragraph", "value": "<p>The talks resumed on Tuesday.</p>"}],
        published_at=timezone.now())
    page.article_authors.add(ArticleAuthor(author=author, sort_order=0))
    section.add_child(instance=page)
    page.save_revision().publish()
    articles.append({"id": page.pk, "url": ArticlePage.objects.get(pk=page.pk).url})
print("SEED_JSON " + json.dumps({"home": home.url or "/", "section": section.url,
    "articles": articles}))
"""

# After the load, with the servers stopped: which answered writes left their rows.
COUNT = """
import json, os
from django_tasks_db.models import DBTaskResult
from dateline.comments.models import Comment
from dateline.newsletter.models import ConsentRecord, Subscriber

answered = json.load(open(os.environ["BENCH_ANSWERED"]))
comments = {b.split(":", 1)[0] for b in
    Comment.objects.filter(body__startswith="mixed-").values_list("body", flat=True)}
subscribers = set(Subscriber.objects.filter(email__startswith="mixed-")
    .values_list("email", flat=True))
consents = dict(ConsentRecord.objects.filter(email__startswith="mixed-")
    .values_list("pk", "email"))
queued = set()
for row in DBTaskResult.objects.filter(
        task_path="dateline.newsletter.tasks.send_confirmation").values_list(
        "args_kwargs", flat=True):
    if row["args"][0] in consents:
        queued.add(consents[row["args"][0]])
signups = subscribers & set(consents.values()) & queued
print("COUNT_JSON " + json.dumps({
    "comments_stored": len(comments),
    "signups_stored": len(signups),
    "lost_comments": sorted(set(answered["comments"]) - comments)[:5],
    "lost_comments_count": len(set(answered["comments"]) - comments),
    "lost_signups": sorted(set(answered["signups"]) - signups)[:5],
    "lost_signups_count": len(set(answered["signups"]) - signups),
    "stored_unanswered": len(comments - set(answered["comments"]))
        + len(signups - set(answered["signups"])),
}))
"""


class MixedRun(SignupRun):
    """bench/signup's site and helpers (PostgreSQL database, shell), with two servers."""

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        # A folder (and app port) named after this bench; the parent made one for its own.
        shutil.rmtree(self.tmp, ignore_errors=True)
        self._workspace(args, "mixed")
        self.env = {**self.env, **self._env()}
        self.database = f"bench_mixed_{os.getpid()}"
        self.env["DATABASE_URL"] = f"{args.postgres.rstrip('/')}/{self.database}"
        self.env.update(
            {
                "COMMENTS_MODERATION": "none",
                "COMMENTS_MIN_FORM_SECONDS": "0",
                "COMMENTS_PER_IP_PER_HOUR": "0",
                "COMMENTS_PER_ADDRESS_PER_HOUR": "0",
                "NEWSLETTER_MIN_FORM_SECONDS": "0",
            }
        )
        self.ports = [self.app_port, free_port()]
        while self.ports[1] == self.ports[0]:
            self.ports[1] = free_port()

    def setup_site(self) -> None:
        say(f"# temporary folder {self.tmp}")
        self.create_database()
        collect = self.start("collectstatic", [*self.dateline, "collectstatic", "--no-input"])
        seconds = self.command("migrate", [*self.dateline, "migrate", "--no-input"], 240)
        say(f"# migrate: {seconds:.1f} s")
        if collect.wait(timeout=120) != 0:
            raise BenchError(f"collectstatic failed:\n{tail(self.logs / 'collectstatic.log')}")
        self.seed = self.shell("seed", SEED, "SEED_JSON")
        for number, port in enumerate(self.ports):
            argv = [*self.dateline, "serve", "--host", HOST, "--port", str(port)]
            argv += ["--workers", str(self.args.workers), "--no-collectstatic"]
            server = self.start(f"server{number}", argv)
            self.wait_for(port, "/healthz", server, f"server{number}")
        say(f"# two servers on {HOST}:{self.ports[0]} and {HOST}:{self.ports[1]}")

    def load(self, stamp: str) -> dict[str, Any]:
        a = self.args
        reads = [self.seed["home"], self.seed["section"]]
        reads += [item["url"] for item in self.seed["articles"]]
        articles = [item["id"] for item in self.seed["articles"]]
        lock = threading.Lock()
        counter = iter(range(a.requests))
        results: list[tuple[str, int, float]] = []  # kind, status, ms
        answered: dict[str, list[str]] = {"comments": [], "signups": []}
        deadline = time.monotonic() + a.duration
        form = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}

        def client(number: int) -> None:
            chooser = random.Random(number)
            port = self.ports[number % 2]
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            while time.monotonic() < deadline:
                with lock:
                    n = next(counter, None)
                if n is None:
                    break
                roll = chooser.random()
                body: str | None = None
                key = ""
                if roll < a.comment_share:
                    kind, key = "comment", f"mixed-{n}"
                    method, path, headers = "POST", "/comments/post/", form
                    body = urllib.parse.urlencode(
                        {
                            "article": chooser.choice(articles),
                            "name": f"Mixed Reader {n}",
                            "email": f"mixed-{n}@example.org",
                            "body": f"{key}: the ferry timetable, *once more*.",
                            "stamp": stamp,
                            "website": "",
                        }
                    )
                elif roll < a.comment_share + a.signup_share:
                    kind, key = "signup", f"mixed-{n}@example.org"
                    method, path, headers = "POST", "/newsletter/", form
                    body = urllib.parse.urlencode(
                        {
                            "email": key,
                            "cadence": "weekly",
                            "newsletters": self.newsletters,
                            "stamp": stamp,
                            "website": "",
                            "source": "bench/mixed",
                        },
                        doseq=True,
                    )
                else:
                    kind, method, path, headers = "read", "GET", chooser.choice(reads), {}
                started = time.perf_counter()
                try:
                    conn.request(method, path, body, headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except OSError:
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=30)
                    status = -1
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    results.append((kind, status, elapsed))
                    if status == 303 and kind != "read":
                        answered["comments" if kind == "comment" else "signups"].append(key)
            conn.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(a.connections)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        return {"results": results, "answered": answered, "seconds": seconds}

    def measure(self) -> dict[str, Any]:
        a = self.args
        load_before = os.getloadavg()[0]
        self.setup_site()
        status, _, body = http_get(self.ports[0], "/newsletter/api/form")
        if status != 200:
            raise BenchError(f"GET /newsletter/api/form: {status}")
        form = json.loads(body)
        stamp = form["stamp"]
        # What a reader who changes nothing sends: the preselected newsletters.
        self.newsletters = [n["id"] for n in form["newsletters"] if n["preselected"]]
        for port in self.ports:  # both servers answer the pages before the clock starts
            for path in [self.seed["home"], *(x["url"] for x in self.seed["articles"])]:
                if http_get(port, path)[0] != 200:
                    raise BenchError(f"GET {path} on {port} did not answer 200")
        say(
            f"# load: {a.requests} requests at most, {a.duration} s at most, "
            f"{a.connections} connections, {a.comment_share:.0%} comments, "
            f"{a.signup_share:.0%} signups"
        )
        outcome = self.load(stamp)
        load_after = os.getloadavg()[0]
        self.stop_all()  # rows counted with nothing writing
        answered_file = self.tmp / "answered.json"
        answered_file.write_text(json.dumps(outcome["answered"]))
        counts = self.shell("count", COUNT, "COUNT_JSON", BENCH_ANSWERED=str(answered_file))

        results = outcome["results"]
        r: dict[str, Any] = {"bench": "mixed", "database": "postgresql", "servers": 2}
        r["requests"] = len(results)
        r["load_seconds"] = round(outcome["seconds"], 1)
        r["rps"] = round(len(results) / outcome["seconds"], 1)
        expected = {"read": 200, "comment": 303, "signup": 303}
        for kind in ("read", "comment", "signup"):
            mine = [(status, ms) for k, status, ms in results if k == kind]
            statuses: dict[str, int] = {}
            for status, _ in mine:
                statuses[str(status)] = statuses.get(str(status), 0) + 1
            times = [ms for _, ms in mine] or [0.0]
            r[kind] = {
                "requests": len(mine),
                "statuses": statuses,
                "p50_ms": round(percentile(times, 50), 1),
                "p99_ms": round(percentile(times, 99), 1),
            }
            r[f"{kind}_unexpected"] = sum(
                n for s, n in statuses.items() if s != str(expected[kind])
            )
        r["errors_5xx"] = sum(1 for _, status, _ in results if status >= 500)
        r["other_errors"] = sum(
            1 for kind, status, _ in results if status < 500 and status != expected[kind]
        )
        r["comments_answered_303"] = len(outcome["answered"]["comments"])
        r["comments_stored"] = counts["comments_stored"]
        r["signups_answered_303"] = len(outcome["answered"]["signups"])
        r["signups_stored"] = counts["signups_stored"]
        r["lost_writes"] = counts["lost_comments_count"] + counts["lost_signups_count"]
        r["lost_examples"] = counts["lost_comments"] + counts["lost_signups"]
        r["stored_without_303"] = counts["stored_unanswered"]
        r["workers_per_server"] = a.workers
        r["connections"] = a.connections
        r["load_before"] = round(load_before, 2)
        r["load_after"] = round(load_after, 2)
        r["cpus"] = os.cpu_count()
        if a.env:
            r["env"] = a.env
        r["targets"] = {k: f"{op} {v}" for k, (op, v) in TARGETS.items()}
        r["targets_met"] = {k: r[k] == v for k, (_, v) in TARGETS.items()}
        return r


def report(r: dict[str, Any]) -> None:
    say("")
    say(
        f"Mixed load on {r['servers']} servers ({r['workers_per_server']} granian workers "
        f"each) and PostgreSQL: {r['requests']} requests in {r['load_seconds']} s "
        f"({r['rps']} req/s) from {r['connections']} connections"
    )
    for kind in ("read", "comment", "signup"):
        figures = r[kind]
        say(
            f"  {kind:<8}{figures['requests']:>6} requests, p50 {figures['p50_ms']} ms, "
            f"p99 {figures['p99_ms']} ms, answers {figures['statuses']}"
        )
    say(
        f"  5xx {r['errors_5xx']}, other unexpected answers {r['other_errors']}; "
        f"comments {r['comments_stored']} stored for {r['comments_answered_303']} answered, "
        f"signups {r['signups_stored']} stored for {r['signups_answered_303']} answered: "
        f"lost {r['lost_writes']}"
    )
    for key, met in r["targets_met"].items():
        say(f"  target {key} {r['targets'][key]}: {r[key]} -> {'met' if met else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/mixed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests in all, at most")
    parser.add_argument("--duration", type=float, default=40, help="seconds of load, at most")
    parser.add_argument("--connections", type=int, default=8, help="closed-loop clients")
    parser.add_argument("--comment-share", type=float, default=0.1, help="share of comments")
    parser.add_argument("--signup-share", type=float, default=0.1, help="share of signups")
    parser.add_argument("--workers", type=int, default=1, help="granian workers per server")
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432",
        metavar="URL",
        help="the PostgreSQL server for the throwaway database bench_mixed_<pid>",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--source", help="run the app from this copy of the code instead")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="add to the app's env"
    )
    parser.add_argument("--start-timeout", type=float, default=90, help="seconds to answer")
    parser.add_argument("--time-limit", type=int, default=420, help="seconds for the whole run")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if not args.postgres.startswith(("postgres://", "postgresql://")):
        parser.error("--postgres takes a postgres:// URL")
    if urllib.parse.urlsplit(args.postgres).hostname not in (HOST, "localhost"):
        parser.error("--postgres must be on 127.0.0.1")
    if args.requests < 1 or args.duration <= 0 or args.comment_share + args.signup_share > 1:
        parser.error("--requests and --duration must be positive, the shares at most 1 together")
    if not os.access(pages.DATELINE, os.X_OK):
        say(f"bench/mixed needs {pages.DATELINE}")
        return 2
    return pages.run_bench("bench/mixed", MixedRun(args), args, report, logs=("server0", "server1"))


if __name__ == "__main__":
    sys.exit(main())
