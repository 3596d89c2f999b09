#!/usr/bin/env python3
"""bench/pages: how fast Dateline serves an article, against nginx serving the same bytes.

Starts the site as in production in a throwaway folder (DATELINE_ENV=production, a random
SECRET_KEY, SQLite and the SQLite cache unless --redis, `dateline demo` content, `dateline
serve` with 2 granian workers), picks the newest demo article and runs wrk on 127.0.0.1:

  nginx     the article's HTML bytes as a static file from nginx: the reference, run
            first and last, the mean of the two being what the others are compared with
  proxy     the article through nginx as a caching reverse proxy
            (bench/nginx/dateline-proxy.conf.template), i.e. nginx cache hits
  cached    the article answered by the app's anonymous page cache (X-Cache: hit)
  uncached  the article rendered by Django on every request: each request carries a
            query string of its own, so each one misses the page cache and the app does
            all it does for a reader's first view (cache lookup, render, store)

It also times sequential uncached requests on one connection (the median server time),
and counts the SQL queries and cache writes of one uncached render. Prints a table, then
as its last line one JSON object with every figure. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import difflib
import gzip
import http.client
import json
import operator
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = ROOT / ".venv" / "bin"
DATELINE = VENV_BIN / "dateline"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CURL = shutil.which("curl") or "/usr/bin/curl"
HOST = "127.0.0.1"

COMPARE = {"<": operator.lt, "<=": operator.le, "==": operator.eq, ">=": operator.ge}
TARGETS = {
    "cached_vs_nginx": (">=", 0.15),
    "proxy_vs_nginx": (">=", 0.9),
    "uncached_median_ms": ("<=", 8.0),
}

# wrk prints its own report; this adds one machine-readable line at the end of it.
WRK_DONE_LUA = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
    .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, '
    .. '"timeouts": %d, "p50_us": %.0f, "p90_us": %.0f, "p99_us": %.0f, "max_us": %.0f, '
    .. '"mean_us": %.1f%s}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, extra()))
end
"""

PLAIN_LUA = "function extra() return '' end\n" + WRK_DONE_LUA

# A query string of its own for every request, and a count of any response that still
# came from the page cache (there must be none) or was not a 200.
UNCACHED_LUA = (
    """
local threads = {}
function setup(thread)
  thread:set("id", tostring(#threads + 1))
  table.insert(threads, thread)
end
function init(args)
  n = 0
  hits = 0
  not_ok = 0
end
function request()
  n = n + 1
  return wrk.format("GET", "@PATH@?nocache=@RUN@-" .. id .. "-" .. n)
end
function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
  for name, _ in pairs(headers) do
    if string.lower(name) == "x-cache" then hits = hits + 1 end
  end
end
function extra()
  local h, bad = 0, 0
  for _, t in ipairs(threads) do
    h = h + t:get("hits")
    bad = bad + t:get("not_ok")
  end
  return string.format(', "cache_hits": %d, "not_ok": %d', h, bad)
end
"""
    + WRK_DONE_LUA
)

# Run inside `dateline shell` while the server starts: picks the article (unless --url),
# then renders it once uncached through Django (the test client, no page-cache answer) and
# counts its SQL queries and the cache keys it writes (each one a row of the SQLite cache).
DIAGNOSE = """
import json
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from dateline.newsroom.models import ArticlePage

path = @PATH@
if path is None:
    page = ArticlePage.objects.live().public().order_by("-published_at", "-pk").first()
    parts = page.get_url_parts()
    if parts:
        path = parts[2]
    else:
        # Wagtail cannot build the page's URL (a site or url_path problem): its route,
        # from the slugs below the site's root, still reaches it.
        slugs = [p.slug for p in page.get_ancestors(inclusive=True).filter(depth__gt=2)]
        path = "/" + "".join(slug + "/" for slug in slugs)
client = Client(HTTP_HOST="127.0.0.1")
client.get(path + "?diagnose=warm")
writes = {"keys": 0, "inside": False}
def counting(method, many):
    def wrapper(*args, **kwargs):
        if not writes["inside"]:
            writes["keys"] += len(args[0]) if many else 1
        writes["inside"], outer = True, writes["inside"]
        try:
            return method(*args, **kwargs)
        finally:
            writes["inside"] = outer
    return wrapper
for alias in ("default", "renditions"):
    backend = caches[alias]
    backend.set = counting(backend.set, False)
    backend.set_many = counting(backend.set_many, True)
with CaptureQueriesContext(connection) as queries:
    response = client.get(path + "?diagnose=count")
assert response.status_code == 200 and "X-Cache" not in response, response.status_code
count = len(queries.captured_queries)
cache_writes = writes["keys"]
# The same render for a reader with a (made-up) session cookie: a query more would be the
# session lookup, which is why the uncached runs use unique query strings instead.
with CaptureQueriesContext(connection) as queries:
    client.get(path, HTTP_COOKIE="sessionid=x")
# The first render after a publish: a new generation before each one, so nothing the
# process keeps per generation (the article, its related stories, the Site) is reused.
import statistics, time
from dateline.lib import pagecache
with CaptureQueriesContext(connection) as queries:
    pagecache.invalidate()
    client.get(path + "?diagnose=cold")
cold_queries = len(queries.captured_queries)
cold = []
for turn in range(30):
    pagecache.invalidate()
    started = time.perf_counter()
    client.get(path + f"?diagnose=cold{turn}")
    cold.append((time.perf_counter() - started) * 1000)
print("DIAGNOSE_JSON " + json.dumps({
    "cold_queries": cold_queries,
    "cold_median_ms": round(statistics.median(cold), 2),
    "queries_with_session_cookie": len(queries.captured_queries),
    "path": path,
    "url_ok": parts is not None if @PATH@ is None else True,
    "queries": count,
    "cache_writes": cache_writes,
}))
"""


class BenchError(Exception):
    pass


class OutOfTime(BenchError):
    pass


def say(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def http_get(
    port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def group_cpu_seconds(group: int) -> float:
    """User and system CPU time of the live processes in one process group."""
    ticks = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # After the name: state, ppid, pgrp, ... utime and stime are the 12th and 13th.
        if int(fields[2]) == group:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def differ(expected: bytes, got: bytes) -> str:
    lines = difflib.unified_diff(
        expected.decode(errors="replace").splitlines(),
        got.decode(errors="replace").splitlines(),
        "direct",
        "other",
        lineterm="",
        n=0,
    )
    return "\n".join(list(lines)[:20])


def tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self._workspace(args, "pages")
        self.run_id = secrets.token_hex(4)
        self.static_port = free_port()
        self.proxy_port = free_port()
        while len({self.app_port, self.static_port, self.proxy_port}) < 3:
            self.proxy_port = free_port()
            self.static_port = free_port()
        self.env = self._env()
        self.results: dict[str, Any] = {}
        self.diagnosis: dict[str, Any] = {}
        self.server_group = 0
        self.nginx_group = 0

    def _workspace(self, args: argparse.Namespace, bench: str) -> None:
        """What every bench's run needs before its own set-up: the code to run, a
        temporary folder with var/ and logs/, and a port for the app."""
        self.args = args
        # --source runs another copy of the code (e.g. a change being tried) with this
        # checkout's virtualenv: `python -m dateline.cli` there imports that copy first.
        self.source = Path(args.source).resolve() if args.source else ROOT
        if self.source == ROOT:
            self.dateline = [str(DATELINE)]
        else:
            self.dateline = [str(VENV_BIN / "python"), "-m", "dateline.cli"]
        self.tmp = Path(tempfile.mkdtemp(prefix=f"dateline-bench-{bench}-"))
        self.var = self.tmp / "var"
        self.logs = self.tmp / "logs"
        self.logs.mkdir()
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.app_port = free_port()

    # Processes ----------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        # Only what the bench chooses: a developer's DEBUG or DATABASE_URL must not leak in.
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(self.tmp)),
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "DATELINE_VAR_DIR": str(self.var),
            "DATELINE_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "BASE_URL": f"http://{HOST}:{self.app_port}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
        }
        if "TZ" in os.environ:
            env["TZ"] = os.environ["TZ"]
        for item in self.args.env:
            name, _, value = item.partition("=")
            env[name] = value
        return env

    def command(
        self, name: str, argv: list[str], timeout: float, env: dict[str, str] | None = None
    ) -> float:
        """Run one setup command to completion; its output goes to logs/NAME.log."""
        log = self.logs / f"{name}.log"
        started = time.monotonic()
        with log.open("wb") as out:
            try:
                done = subprocess.run(
                    argv,
                    env={**self.env, **(env or {})},
                    cwd=self.source,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    timeout=timeout,
                    check=False,
                    start_new_session=True,
                )
            except subprocess.TimeoutExpired:
                raise BenchError(f"{name} took over {timeout:.0f} s\n{tail(log)}") from None
        if done.returncode != 0:
            raise BenchError(f"{name} failed ({done.returncode}):\n{tail(log)}")
        return time.monotonic() - started

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        # A session of its own: the whole process group (granian's workers, nginx's) is
        # stopped at the end, and a Ctrl-C in the terminal reaches only this script.
        proc = subprocess.Popen(
            argv,
            env=self.env,
            cwd=self.source,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        self.procs.append((name, proc))
        return proc

    def stop_all(self) -> None:
        # Only groups whose leader still runs: a finished one's id may belong to someone
        # else by now.
        running = [proc for _name, proc in reversed(self.procs) if proc.poll() is None]
        for proc in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in running:
            try:
                proc.wait(timeout=8)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            # Workers left behind by a parent that died first.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        self.procs.clear()

    def wait_for(self, port: int, path: str, proc: subprocess.Popen[bytes], name: str) -> None:
        deadline = time.monotonic() + self.args.start_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                log = self.logs / f"{name}.log"
                raise BenchError(f"{name} exited ({proc.returncode}):\n{tail(log)}")
            try:
                status, _, _ = http_get(port, path, timeout=5)
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        log = self.logs / f"{name}.log"
        raise BenchError(f"{name} did not answer on port {port}:\n{tail(log)}")

    # Steps --------------------------------------------------------------------------------

    def setup_site(self) -> None:
        if self.args.redis:
            self._start_redis()
        self.migrate_with_demo()
        server = self.start_server()
        started = time.monotonic()
        # Nothing is measured yet: the diagnosis may share the CPU with the start-up.
        self.diagnosis = self.diagnose(self.args.url)
        self.wait_for(self.app_port, "/", server, "server")
        say(
            f"# dateline serve answering on {HOST}:{self.app_port} after "
            f"{time.monotonic() - started:.1f} s"
        )

    # Shared by the benches that run a site (bench/signup, bench/live and theirs) ---------

    def migrate_with_demo(self, *demo_args: str) -> None:
        """A fresh database with the demo content (``dateline demo *demo_args``)."""
        say(f"# temporary folder {self.tmp}")
        seconds = self.command("migrate", [*self.dateline, "migrate", "--no-input"], 400)
        say(f"# migrate: {seconds:.1f} s")
        # `dateline serve` would collect the static files before starting granian; doing
        # it beside the demo instead saves a few seconds of the time limit.
        collect = self.start("collectstatic", [*self.dateline, "collectstatic", "--no-input"])
        # Production refuses the demo (its login is published): load it as development.
        argv = [*self.dateline, "demo", *demo_args]
        seconds = self.command("demo", argv, 400, env={"DATELINE_ENV": "development"})
        say(f"# demo content: {seconds:.1f} s")
        if collect.wait(timeout=60) != 0:
            raise BenchError(f"collectstatic failed:\n{tail(self.logs / 'collectstatic.log')}")

    def start_server(self) -> subprocess.Popen[bytes]:
        """``dateline serve`` on the app port with --workers, its static files collected."""
        argv = [*self.dateline, "serve", "--host", HOST, "--port", str(self.app_port)]
        argv += ["--workers", str(self.args.workers), "--no-collectstatic"]
        server = self.start("server", argv)
        self.server_group = server.pid
        return server

    def with_targets(
        self, r: dict[str, Any], targets: dict[str, tuple[str, float]]
    ) -> dict[str, Any]:
        """``r`` closed as every bench's result is: the machine, the code and environment
        it ran, each target and whether it was met (of those ``r`` has a figure for)."""
        r["cpus"] = os.cpu_count()
        if self.source != ROOT:
            r["source"] = str(self.source)
        if self.args.env:
            r["env"] = self.args.env
        r["targets"] = {k: f"{op} {value}" for k, (op, value) in targets.items()}
        r["targets_met"] = {
            k: COMPARE[op](r[k], value) for k, (op, value) in targets.items() if k in r
        }
        return r

    def shell(
        self, name: str, code: str, marker: str, *, timeout: float = 240, **env: str
    ) -> dict[str, Any]:
        """Run ``code`` in ``dateline shell``; the JSON it printed after ``marker``.

        Its output is kept in logs/<name>.log; ``env`` is added to the app's environment.
        """
        done = subprocess.run(
            [*self.dateline, "shell", "-c", code],
            env={**self.env, **env},
            cwd=self.source,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        (self.logs / f"{name}.log").write_text(done.stdout + done.stderr)
        line = next((x for x in done.stdout.splitlines() if x.startswith(marker + " ")), "")
        if not line:
            raise BenchError(f"{name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(line.removeprefix(marker + " "))
        return result

    def _start_redis(self) -> None:
        redis = shutil.which("redis-server")
        if not redis:
            raise BenchError("--redis needs redis-server (apt-get install redis-server)")
        port = free_port()
        folder = self.tmp / "redis"
        folder.mkdir()
        argv = [redis, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
        self.start("redis", [*argv, "--dir", str(folder)])
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), 1):
                break
            if time.monotonic() > deadline:
                raise BenchError("redis-server did not start")
            time.sleep(0.1)
        self.env["REDIS_URL"] = f"redis://{HOST}:{port}/0"

    def fetch_article(self, path: str) -> bytes:
        """The article's bytes, as the static file for nginx; checks the page cache serves it."""
        docroot = self.tmp / "docroot"
        docroot.mkdir()
        target = docroot / "article.html"
        headers_file = self.logs / "article-headers.txt"
        url = f"http://{HOST}:{self.app_port}{path}"
        done = subprocess.run(
            [CURL, "-sS", "--fail", "-o", str(target), "-D", str(headers_file), url],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if done.returncode != 0:
            raise BenchError(f"curl {url} failed: {done.stderr.strip()}")
        body = target.read_bytes()
        status, headers, cached = http_get(self.app_port, path)
        if status != 200 or headers.get("x-cache") != "hit":
            raise BenchError(f"the second GET of {path} was not a page-cache hit: {headers}")
        if cached != body:
            raise BenchError("the page cache answered different bytes from the render")
        # nginx's reference answers gzip from this copy (gzip_static), as the page cache
        # answers from the bodies it compressed when it stored the page.
        (docroot / "article.html.gz").write_bytes(gzip.compress(body, compresslevel=6, mtime=0))
        self.results.update(article=path, article_bytes=len(body))
        return body

    def start_nginx(self) -> None:
        run_dir = self.tmp / "nginx"
        run_dir.mkdir()
        for sub in ("client_body", "proxy_temp", "fastcgi_temp", "uwsgi_temp", "scgi_temp"):
            (run_dir / sub).mkdir()
        values = {
            "@USER_LINE@": "user root;" if os.geteuid() == 0 else "",
            "@RUN_DIR@": str(run_dir),
            "@STATIC_PORT@": str(self.static_port),
            "@DOCROOT@": str(self.tmp / "docroot"),
            # The reusable template, as a deployment would fill it in.
            "@LISTEN@": f"{HOST}:{self.proxy_port}",
            "@SERVER_NAME@": "127.0.0.1 localhost",
            "@UPSTREAM@": f"{HOST}:{self.app_port}",
            "@CACHE_DIR@": str(run_dir / "proxy-cache"),
            "@STATIC_ROOT@": str(self.var / "static"),
            "@MEDIA_ROOT@": str(self.var / "media"),
        }

        def render(template: str, target: Path) -> None:
            text = (BENCH / "nginx" / template).read_text()
            for key, value in values.items():
                text = text.replace(key, value)
            left = set(re.findall(r"@[A-Z_]+@", re.sub(r"#.*", "", text)))
            if left:
                raise BenchError(f"{template}: placeholders left: {sorted(left)}")
            target.write_text(text)

        render("dateline-proxy.conf.template", run_dir / "dateline-proxy.conf")
        render("bench.conf.template", run_dir / "nginx.conf")
        base = [NGINX, "-p", str(run_dir), "-c", str(run_dir / "nginx.conf")]
        base += ["-e", str(run_dir / "error.log")]
        check = subprocess.run(
            [*base, "-t"], capture_output=True, text=True, timeout=30, check=False
        )
        if check.returncode != 0:
            raise BenchError(f"nginx -t failed:\n{check.stderr}")
        proc = self.start("nginx", base)
        self.nginx_group = proc.pid
        self.wait_for(self.static_port, "/article.html", proc, "nginx")
        self.wait_for(self.proxy_port, "/robots.txt", proc, "nginx")

    def check_nginx(self, path: str, body: bytes) -> None:
        status, _, static = http_get(self.static_port, "/article.html")
        if status != 200 or static != body:
            raise BenchError("nginx does not serve the article's bytes")
        http_get(self.proxy_port, path)
        status, headers, proxied = http_get(self.proxy_port, path)
        if status != 200 or headers.get("x-proxy-cache") != "HIT":
            raise BenchError(f"the proxy did not answer from its cache: {status} {headers}")
        # The proxy's copy is a render of its own (another Host, so another page-cache
        # entry): per-render details such as a form's time stamp may differ, nothing else.
        matcher = difflib.SequenceMatcher(None, body.splitlines(), proxied.splitlines())
        changed = sum(
            max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
        )
        if changed > 6 or abs(len(proxied) - len(body)) > len(body) // 100:
            raise BenchError("the proxy answered another page:\n" + differ(body, proxied))

    def sequential(self, path: str, count: int, seconds: float, **options: Any) -> list[float]:
        """Milliseconds per request, one after another on one kept-alive connection.

        At most ``count`` requests, and no new one after ``seconds``: a slow render must
        not push the run past its time limit.
        """
        unique = options.get("unique", True)
        headers = options.get("headers") or {}
        expect_hit = options.get("expect_hit", False)
        label = secrets.token_hex(3)
        conn = http.client.HTTPConnection(HOST, self.app_port, timeout=30)
        times: list[float] = []
        deadline = time.monotonic() + seconds
        try:
            for i in range(count):
                if time.monotonic() > deadline:
                    break
                url = f"{path}?seq={self.run_id}-{label}-{i}" if unique else path
                started = time.perf_counter()
                conn.request("GET", url, headers=headers)
                response = conn.getresponse()
                response.read()
                times.append((time.perf_counter() - started) * 1000)
                hit = response.getheader("X-Cache") == "hit"
                if response.status != 200 or hit != expect_hit:
                    raise BenchError(f"sequential GET {url}: {response.status}, hit={hit}")
        finally:
            conn.close()
        return times

    def run_wrk(self, path: str) -> tuple[dict[str, dict[str, Any]], list[float]]:
        """wrk against each case; returns the figures per case and the reference's runs.

        On a shared machine the load drifts during a run. By default the reference runs
        first and last, and the others are compared with the mean of the two. With
        --slices N the three fast cases take turns in N slices of duration/N seconds each,
        so that a burst of load elsewhere hits all three alike.
        """
        a = self.args
        # (name, port, path, script, the process group whose CPU time serves it)
        static = ("nginx_static", self.static_port, "/article.html", PLAIN_LUA, self.nginx_group)
        proxy = ("proxy", self.proxy_port, path, PLAIN_LUA, self.nginx_group)
        cached = ("cached", self.app_port, path, PLAIN_LUA, self.server_group)
        uncached = ("uncached", self.app_port, path, UNCACHED_LUA, self.server_group)
        plan: list[tuple[tuple[str, int, str, str, int], int]]
        if a.slices > 1:
            piece = max(1, round(a.duration / a.slices))
            plan = [(case, piece) for _ in range(a.slices) for case in (static, proxy, cached)]
            plan.append((uncached, a.duration))
        else:
            plan = [(case, a.duration) for case in (static, proxy, cached, uncached, static)]
        done: dict[str, list[dict[str, Any]]] = {}
        for number, ((name, port, target, lua, group), seconds) in enumerate(plan, 1):
            time.sleep(0.25)
            cpu = group_cpu_seconds(group)
            figures = self.wrk(f"{name}-{number}", port, target, lua, seconds)
            figures["cpu_s"] = group_cpu_seconds(group) - cpu
            done.setdefault(name, []).append(figures)
        runs: dict[str, dict[str, Any]] = {}
        for name, parts in done.items():
            requests = sum(part["requests"] for part in parts)
            total: dict[str, Any] = {
                "requests": requests,
                "rps": requests / (sum(part["duration_us"] for part in parts) / 1e6),
                "errors": sum(part["errors"] for part in parts),
                "cpu_us": sum(part["cpu_s"] for part in parts) * 1e6 / max(1, requests),
                "cache_hits": sum(part.get("cache_hits", 0) for part in parts),
            }
            # Percentiles of several runs: their mean, weighted by requests.
            for key in ("p50_us", "p99_us"):
                total[key] = sum(part[key] * part["requests"] for part in parts) / max(1, requests)
            runs[name] = total
        return runs, [part["rps"] for part in done["nginx_static"]]

    def wrk(self, name: str, port: int, path: str, lua: str, seconds: int) -> dict[str, Any]:
        script = self.tmp / f"{name}.lua"
        script.write_text(lua.replace("@PATH@", path).replace("@RUN@", self.run_id))
        a = self.args
        argv = [WRK, f"-t{a.threads}", f"-c{a.connections}", f"-d{seconds}s", "--latency"]
        if a.encoding:
            # As a browser asks: compressed answers from nginx and from the app alike.
            argv += ["-H", f"Accept-Encoding: {a.encoding}"]
        argv += ["--timeout", "10s", "-s", str(script), f"http://{HOST}:{port}{path}"]
        figures = self.wrk_figures(name, argv, seconds)
        say(
            f"# wrk {name}: {figures['rps']:,.0f} req/s, p50 {figures['p50_us'] / 1000:.2f} ms,"
            f" p99 {figures['p99_us'] / 1000:.2f} ms, {figures['requests']} requests,"
            f" {figures['errors']} errors"
        )
        return figures

    def wrk_figures(self, name: str, argv: list[str], seconds: float) -> dict[str, Any]:
        """Run wrk (``argv``, with a script that prints WRK_JSON); its figures, with rps
        and errors. Its output is kept in logs/wrk-<name>.log."""
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=seconds + 30, check=False
        )
        (self.logs / f"wrk-{name}.log").write_text(done.stdout + done.stderr)
        line = next((x for x in done.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
        if done.returncode != 0 or line is None:
            raise BenchError(f"wrk {name} failed:\n{done.stdout}\n{done.stderr}")
        figures: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
        figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
        errors = sum(figures[k] for k in figures if k.endswith("_errors") or k == "timeouts")
        figures["errors"] = errors
        return figures

    def diagnose(self, path: str | None) -> dict[str, Any]:
        code = DIAGNOSE.replace("@PATH@", repr(path))
        try:
            result = self.shell("diagnose", code, "DIAGNOSE_JSON", timeout=90)
        except BenchError as error:
            raise BenchError(f"no article to measure: {error}") from None
        if not result["url_ok"]:
            say(f"# Wagtail builds no URL for the newest article; using its route {result['path']}")
        return result

    # The benchmark ------------------------------------------------------------------------

    def measure(self) -> dict[str, Any]:
        a = self.args
        load_before = os.getloadavg()[0]
        self.setup_site()
        path = self.diagnosis["path"]
        body = self.fetch_article(path)
        say(f"# article {path}: {len(body):,} bytes")
        self.start_nginx()
        self.check_nginx(path, body)
        say(f"# nginx: static on {HOST}:{self.static_port}, proxy on {HOST}:{self.proxy_port}")

        # Sequential requests first: they also warm every code path the wrk runs take.
        self.sequential(path, 10, 2)
        uncached = self.sequential(path, a.sequential, 8)
        cookie = self.sequential(path, 40, 2, unique=False, headers={"Cookie": "sessionid=x"})
        cached = self.sequential(path, a.sequential, 4, unique=False, expect_hit=True)
        say(
            f"# sequential on one connection: uncached median {statistics.median(uncached):.2f}"
            f" ms ({len(uncached)} requests), with a sessionid cookie instead "
            f"{statistics.median(cookie):.2f} ms ({len(cookie)}), cached "
            f"{statistics.median(cached):.3f} ms ({len(cached)})"
        )

        runs, static_runs = self.run_wrk(path)

        if runs["uncached"].get("cache_hits"):
            raise BenchError(f"{runs['uncached']['cache_hits']} uncached requests hit the cache")
        _, headers, _ = http_get(self.app_port, path)
        if headers.get("x-cache") != "hit":
            raise BenchError("the article fell out of the page cache during the run")

        nginx_rps = runs["nginx_static"]["rps"]
        r: dict[str, Any] = {"bench": "pages"}
        r["nginx_static_runs_rps"] = [round(x, 1) for x in static_runs]
        for name, figures in runs.items():
            r[f"{name}_rps"] = round(figures["rps"], 1)
            r[f"{name}_p50_ms"] = round(figures["p50_us"] / 1000, 3)
            r[f"{name}_p99_ms"] = round(figures["p99_us"] / 1000, 3)
            r[f"{name}_errors"] = figures["errors"]
        for name in ("cached", "proxy", "uncached"):
            r[f"{name}_vs_nginx"] = round(runs[name]["rps"] / nginx_rps, 4)
        # CPU time the server spent per request (nginx's processes, or granian's): what
        # the machine's other load changes least. nginx's over the case's is the share of
        # nginx's speed the case would reach with the same CPU.
        for name in ("nginx_static", "cached", "proxy", "uncached"):
            r[f"{name}_cpu_us"] = round(runs[name]["cpu_us"], 1)
        for name in ("cached", "proxy", "uncached"):
            ratio = runs["nginx_static"]["cpu_us"] / max(0.001, runs[name]["cpu_us"])
            r[f"{name}_vs_nginx_cpu"] = round(ratio, 4)
        r["uncached_median_ms"] = round(statistics.median(uncached), 2)
        r["uncached_p90_ms"] = round(percentile(uncached, 90), 2)
        r["uncached_sequential_requests"] = len(uncached)
        r["uncached_cookie_median_ms"] = round(statistics.median(cookie), 2)
        r["cached_median_ms"] = round(statistics.median(cached), 3)
        r["uncached_queries"] = self.diagnosis["queries"]
        r["uncached_cache_writes"] = self.diagnosis["cache_writes"]
        r["uncached_queries_with_session_cookie"] = self.diagnosis["queries_with_session_cookie"]
        # Not a target: the render right after a publish, in process (see DIAGNOSE).
        r["first_after_publish_inprocess_median_ms"] = self.diagnosis["cold_median_ms"]
        r["first_after_publish_queries"] = self.diagnosis["cold_queries"]
        r.update(self.results)
        r["cache_backend"] = "redis" if a.redis else "sqlite"
        r["workers"] = a.workers
        r["wrk"] = f"-t{a.threads} -c{a.connections} -d{a.duration}s --latency --timeout 10s"
        r["accept_encoding"] = a.encoding
        r["slices"] = a.slices
        if a.slices > 1:
            piece = max(1, round(a.duration / a.slices))
            r["wrk"] += f"; nginx, proxy and cached in {a.slices} turns of {piece} s"
        r["load_before"] = round(load_before, 2)
        r["load_after"] = round(os.getloadavg()[0], 2)
        return self.with_targets(r, TARGETS)

    def cleanup(self) -> None:
        self.stop_all()
        if self.args.keep:
            say(f"# kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def report(r: dict[str, Any]) -> None:
    say("")
    say(f"Article {r['article']} ({r['article_bytes']:,} bytes), wrk {r['wrk']}")
    say(
        f"{'case':<34}{'req/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'vs nginx':>10}"
        f"{'CPU us/req':>12}{'by CPU':>8}"
    )
    rows = (
        ("nginx_static", "nginx, static file (reference)"),
        ("cached", "app, page-cache hit"),
        ("proxy", "nginx proxy_cache in front of app"),
        ("uncached", "app, uncached render"),
    )
    for key, label in rows:
        ratio = 1.0 if key == "nginx_static" else r[f"{key}_vs_nginx"]
        by_cpu = 1.0 if key == "nginx_static" else r[f"{key}_vs_nginx_cpu"]
        say(
            f"{label:<34}{r[f'{key}_rps']:>11,.1f}{r[f'{key}_p50_ms']:>9.2f}"
            f"{r[f'{key}_p99_ms']:>9.2f}{ratio:>10.4f}{r[f'{key}_cpu_us']:>12,.1f}{by_cpu:>8.3f}"
        )
    say(
        f"uncached median server time: {r['uncached_median_ms']:.2f} ms "
        f"(p90 {r['uncached_p90_ms']:.2f} ms, {r['uncached_sequential_requests']} sequential "
        f"requests; with a sessionid cookie instead {r['uncached_cookie_median_ms']:.2f} ms)"
    )
    say(
        f"uncached render: {r['uncached_queries']} SQL queries "
        f"({r['uncached_queries_with_session_cookie']} with a sessionid cookie), "
        f"{r['uncached_cache_writes']} cache keys written ({r['cache_backend']} cache)"
    )
    say(
        f"first render after a publish (in process, not a target): median "
        f"{r['first_after_publish_inprocess_median_ms']:.2f} ms, "
        f"{r['first_after_publish_queries']} SQL queries"
    )
    runs = ", ".join(f"{x:,.0f}" for x in r["nginx_static_runs_rps"])
    say(f"nginx static runs: {runs} req/s; the reference is all of them together")
    say_targets(r)


def say_targets(r: dict[str, Any]) -> None:
    """The last lines of a report: each target, its figure, and whether it was met."""
    for key, met in r["targets_met"].items():
        say(f"target {key} {r['targets'][key]}: {r[key]} -> {'met' if met else 'MISSED'}")


def run_bench(
    name: str,
    run: Any,
    args: argparse.Namespace,
    report: Callable[[dict[str, Any]], None],
    logs: tuple[str, ...] = ("server",),
) -> int:
    """Measure within args.time_limit, always clean up, print the report and the JSON line.

    Shared by every bench: ``run`` has ``measure()``, ``cleanup()`` and ``logs``.
    """

    def out_of_time(signum: int, frame: Any) -> None:
        raise OutOfTime(f"the run took over {args.time_limit} s")

    def terminated(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGALRM, out_of_time)
    signal.signal(signal.SIGTERM, terminated)
    signal.signal(signal.SIGHUP, terminated)
    # Even when started in the background (which ignores SIGINT): Ctrl-C must clean up.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.alarm(args.time_limit)
    started = time.monotonic()
    try:
        result = run.measure()
    except KeyboardInterrupt:
        say(f"{name} interrupted; cleaning up")
        return 130
    except BenchError as error:
        say(f"{name} failed: {error}")
        for log in logs:
            if (run.logs / f"{log}.log").exists():
                say(f"--- last lines of {log}.log ---\n{tail(run.logs / f'{log}.log')}")
        return 1
    finally:
        signal.alarm(0)
        run.cleanup()
    result["seconds"] = round(time.monotonic() - started, 1)
    result["date"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    result["command"] = " ".join([name, *sys.argv[1:]])
    report(result)
    say(json.dumps(result, sort_keys=False))
    if args.strict and not all(result["targets_met"].values()):
        return 1
    return 0


def add_run_arguments(
    parser: argparse.ArgumentParser, time_limit: int, serves: bool = True
) -> None:
    """The options of the benches that run a site through Run (``serves``: a server)."""
    if serves:
        parser.add_argument("--workers", type=int, default=2, help="granian workers")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--source", help="run the app from this copy of the code instead")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="add to the app's environment"
        + (", e.g. GRANIAN_BLOCKING_THREADS=2" if serves else "")
        + " (repeatable)",
    )
    if serves:
        parser.add_argument("--start-timeout", type=float, default=90, help="seconds to answer")
    parser.add_argument(
        "--time-limit", type=int, default=time_limit, help="seconds for the whole run"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")


def missing(bench: str, *tools: str) -> bool:
    """Whether a tool the bench runs is missing (and it said so)."""
    for tool in tools:
        if not os.access(tool, os.X_OK) and not shutil.which(tool):
            say(f"{bench} needs {tool}")
            return True
    return False


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument(
        "--slices",
        type=int,
        default=1,
        help="interleave nginx, proxy and cached in N slices of duration/N (default 1)",
    )
    parser.add_argument("--sequential", type=int, default=200, help="sequential requests")
    parser.add_argument(
        "--encoding",
        default="gzip, deflate, br, zstd",
        help="the Accept-Encoding wrk sends (Chromium's by default; '' for none)",
    )
    parser.add_argument("--url", help="the article's path (default: the newest live article)")
    parser.add_argument("--redis", action="store_true", help="cache in a throwaway redis")
    add_run_arguments(parser, time_limit=178)
    args = parser.parse_args()
    if missing("bench/pages", WRK, NGINX, CURL, str(DATELINE)):
        return 2

    return run_bench("bench/pages", Run(args), args, report, logs=("server", "nginx"))


if __name__ == "__main__":
    sys.exit(main())
