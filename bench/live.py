#!/usr/bin/env python3
"""bench/live: live-blog readers polling while an editor posts, and the poll answer alone.

Starts the site as in production in a throwaway folder (as bench/pages: DATELINE_ENV=
production, a random SECRET_KEY, SQLite and the SQLite cache, `dateline demo` content
and its live blog, `dateline serve` with 2 granian workers; STAFF_TWO_FACTOR=0 so the
bench's editor signs in with the demo password alone). Then, on 127.0.0.1:

  shape a   the issue's load: --readers (5,000) simulated readers each polling the live
            blog's update channel every --interval (10) s with the ETag they hold
            (If-None-Match), plus --reads (200) article reads/s of cached demo articles,
            while an editor posts every --every (5) s for --duration (120) s through the
            admin posting screen (a signed-in session, the real form POST)
  shape b   the product's: --b-readers (1,000) readers polling every LIVE_POLL_SECONDS
            (--b-interval, 2 s), the same article reads and posts, for --b-duration s
  wrk       the poll answer alone, the 304 path and the 200 path, against nginx serving
            the same bytes as a static file (with its own ETag for the 304 path)

Both shapes are open loop (each request is due at its time whatever became of the
others; a late answer shows as lag, not as a lower offered rate), from one Python
asyncio process over pooled keep-alive connections. For every (reader, post) it
records the lag from the editor sending the post (an upper bound of its commit) to the
first answer that contains it, and the staleness: that lag less the time the reader was
simply waiting for its next poll (how late the first poll sent after the post was in
seeing it); and, for the channel itself, every poll sent after a post and answered
without it ("behind": how long after the post that poll was sent). Prints a table,
then as its last line one JSON object with every figure. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import re
import sys
import urllib.parse
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages
from pages import CURL, HOST, NGINX, WRK, BenchError, http_get, percentile, say
from signup import machine_busy, own_cpu, process_group_cpu

TARGETS = {
    "a_errors": ("==", 0),
    "b_errors": ("==", 0),
    "a_unseen": ("==", 0),
    "b_unseen": ("==", 0),
    "a_staleness_p99_s": ("<=", 3.0),
    "b_lag_p99_s": ("<=", 3.0),
    "a_read_hit_rate": (">=", 0.99),
    "b_read_hit_rate": (">=", 0.99),
    "poll_304_vs_nginx": (">=", 0.5),
    "poll_200_vs_nginx": (">=", 0.5),
}
ENCODING = "gzip, deflate, br, zstd"  # Chromium's Accept-Encoding
MARK = re.compile(rb"bench-post-(\d+)")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Run inside `dateline shell` after `dateline demo`: the demo live blog (until the demo
# command loads it itself) and the paths the readers ask for.
SETUP = """
import json
from dateline.live import demo
from dateline.live.models import LiveBlogPage
from dateline.newsroom.models import ArticlePage
blog = demo.load()
assert blog is not None, "no World News section to hold the demo live blog"
blog = LiveBlogPage.objects.get(pk=blog.pk)
articles = [p.get_url_parts()[2] for p in ArticlePage.objects.live().public().order_by("pk")]
print("SETUP_JSON " + json.dumps({
    "blog_id": blog.pk, "blog": blog.get_url_parts()[2], "articles": articles}))
"""


class Connection:
    """One keep-alive HTTP/1.1 connection: a request written, its answer read whole."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer, self.reusable = reader, writer, True

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(HOST, port, limit=1 << 20)
        return cls(reader, writer)

    async def exchange(self, request: bytes) -> tuple[int, dict[str, str], bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip()
        body = b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append((await self.reader.readexactly(size + 2))[:-2])
                if size == 0:
                    break
            body = b"".join(parts)
        elif status != 304:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.reusable = False
        return status, headers, body

    def close(self) -> None:
        self.reusable = False
        self.writer.close()


class Pool:
    """Keep-alive connections shared by many simulated readers, at most ``size`` at once."""

    def __init__(self, port: int, size: int, timeout: float = 30.0) -> None:
        self.port, self.timeout = port, timeout
        self.slots = asyncio.Semaphore(size)
        self.idle: list[Connection] = []
        self.retries = 0

    async def request(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body); status 0 is a connection error, -1 a timeout."""
        async with self.slots:
            reused = bool(self.idle)
            answer = await self._once(raw, self.idle.pop() if reused else None)
            if answer[0] == 0 and reused:
                # The server closed a kept-alive connection as we sent on it: a browser
                # retries such a GET on a new connection (RFC 9112 9.3.1), and so do we.
                self.retries += 1
                answer = await self._once(raw, None)
            return answer

    async def _once(
        self, raw: bytes, connection: Connection | None
    ) -> tuple[int, dict[str, str], bytes]:
        try:
            if connection is None:
                connection = await Connection.open(self.port)
            answer = await asyncio.wait_for(connection.exchange(raw), self.timeout)
        except TimeoutError:
            answer = (-1, {}, b"")
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            answer = (0, {}, b"")
        if connection is not None:
            if answer[0] > 0 and connection.reusable:
                self.idle.append(connection)
            else:
                connection.close()
        return answer

    def close(self) -> None:
        for connection in self.idle:
            connection.close()


@dataclass
class Reader:
    etag: str = ""
    seen: int = 0  # the newest bench post this reader has had
    first_send: dict[int, float] = field(default_factory=dict)  # post -> first poll after it


@dataclass
class Tally:
    statuses: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    late: list[float] = field(default_factory=list)  # how late the generator sent
    hits: int = 0
    answered_200: int = 0
    last_answer: float = 0.0

    def count(self, status: int, latency: float, late: float, done: float) -> None:
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        self.latencies.append(latency)
        self.late.append(late)
        self.last_answer = max(self.last_answer, done)

    @property
    def errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s not in ("200", "304"))


class Shape:
    """One load shape: readers polling, article reads, an editor posting."""

    def __init__(self, run: LiveRun, name: str, readers: int, interval: float, seconds: float):
        self.run, self.name = run, name
        # Posts of an earlier shape are on the page these readers open.
        self.readers = [Reader(seen=run.posts) for _ in range(readers)]
        self.interval, self.seconds = interval, seconds
        self.polls, self.reads = Tally(), Tally()
        self.commits: dict[int, float] = {}  # post -> when the editor sent it
        self.post_ms: list[float] = []
        self.post_statuses: dict[str, int] = {}
        self.lags: list[float] = []
        self.stale: list[float] = []
        self.behind: list[float] = []
        self.offered = {"poll": 0.0, "read": 0.0}
        self.retries = 0
        self.newest: dict[str, int] = {}  # ETag -> newest bench post in that answer
        self.posts_sent = 0

    def contains(self, etag: str, body: bytes, encoding: str) -> int:
        known = self.newest.get(etag)
        if known is None:
            if encoding == "br":
                import brotli

                body = brotli.decompress(body)
            elif encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            elif encoding and encoding != "identity":
                raise BenchError(f"unexpected Content-Encoding {encoding}")
            known = max((int(m) for m in MARK.findall(body)), default=0)
            self.newest[etag] = known
        return known

    async def poll(self, pool: Pool, reader: Reader, due: float) -> None:
        loop = asyncio.get_running_loop()
        sent = loop.time()
        for post, at in self.commits.items():
            if post > reader.seen and at <= sent and post not in reader.first_send:
                reader.first_send[post] = sent
        status, headers, body = await pool.request(
            self.run.request(self.run.updates_path, reader.etag)
        )
        done = loop.time()
        self.polls.count(status, done - due, sent - due, done)
        if status == 200:
            self.polls.answered_200 += 1
            self.polls.hits += headers.get("x-cache") == "hit"
            reader.etag = headers.get("etag", "")
            newest = self.contains(reader.etag, body, headers.get("content-encoding", ""))
        elif status == 304:
            newest = reader.seen
        else:
            return
        for post in range(reader.seen + 1, newest + 1):
            at = self.commits.get(post, sent)
            self.lags.append(done - at)
            self.stale.append(done - reader.first_send.pop(post, max(at, sent)))
        reader.seen = max(reader.seen, newest)
        # The channel itself: how long after a post it still answered without it.
        for post, at in self.commits.items():
            if post > newest and at < sent:
                self.behind.append(sent - at)

    async def read(self, pool: Pool, path: str, due: float) -> None:
        loop = asyncio.get_running_loop()
        sent = loop.time()
        status, headers, _ = await pool.request(self.run.request(path, ""))
        done = loop.time()
        self.reads.count(status, done - due, sent - due, done)
        if status == 200:
            self.reads.answered_200 += 1
            self.reads.hits += headers.get("x-cache") == "hit"

    async def editor(self, start: float) -> None:
        loop = asyncio.get_running_loop()
        connection = await Connection.open(self.run.app_port)
        try:
            count = int(self.seconds / self.run.args.every)
            for n in range(count):
                due = start + (n + 0.5) * self.run.args.every
                await asyncio.sleep(max(0.0, due - loop.time()))
                number = self.run.next_post()
                raw = self.run.post_request(number)
                sent = loop.time()
                self.commits[number] = sent
                status, _, _ = await connection.exchange(raw)
                self.post_ms.append((loop.time() - sent) * 1000)
                self.post_statuses[str(status)] = self.post_statuses.get(str(status), 0) + 1
                self.posts_sent += 1
                if not connection.reusable:
                    connection.close()
                    connection = await Connection.open(self.run.app_port)
        finally:
            connection.close()

    async def drive(self) -> float:
        """The whole shape: its timetable of polls and reads, and the editor beside it."""
        a = self.run.args
        loop = asyncio.get_running_loop()
        polls, reads = Pool(self.run.app_port, a.connections), Pool(self.run.app_port, 64)
        start = loop.time() + 0.5
        # Readers keep polling one interval (and 3 s) after the last post, to see it.
        polling = self.seconds + self.interval + 3
        count = len(self.readers)
        events: list[tuple[float, int]] = []  # (due, reader or -1 for a read)
        for i in range(count):
            phase = i * self.interval / count
            events += [(phase + j * self.interval, i) for j in range(int(polling / self.interval))]
        self.offered["poll"] = len(events) / max(e[0] for e in events)
        articles = self.run.articles
        events += [(j / a.reads, -1 - j % len(articles)) for j in range(int(a.reads * polling))]
        self.offered["read"] = a.reads
        events.sort()
        editor = asyncio.create_task(self.editor(start))
        tasks = set()
        for offset, who in events:
            due = start + offset
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if who >= 0:
                task = asyncio.create_task(self.poll(polls, self.readers[who], due))
            else:
                task = asyncio.create_task(self.read(reads, articles[-1 - who], due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks, editor)
        polls.close()
        reads.close()
        self.retries = polls.retries + reads.retries
        return start

    def figures(self, start: float, cpu: dict[str, float]) -> dict[str, Any]:
        n = self.name
        span = max(self.polls.last_answer, self.reads.last_answer) - start
        polling = self.seconds + self.interval + 3
        r: dict[str, Any] = {
            f"{n}_readers": len(self.readers),
            f"{n}_interval_s": self.interval,
            f"{n}_posts": self.posts_sent,
            f"{n}_post_statuses": self.post_statuses,
            f"{n}_post_p50_ms": round(percentile(self.post_ms, 50), 1) if self.post_ms else None,
            f"{n}_post_max_ms": round(max(self.post_ms), 1) if self.post_ms else None,
            f"{n}_polls_offered_rps": round(self.offered["poll"], 1),
            f"{n}_polls_answered_rps": round(len(self.polls.latencies) / span, 1),
            f"{n}_reads_offered_rps": self.run.args.reads,
            f"{n}_reads_answered_rps": round(len(self.reads.latencies) / span, 1),
            f"{n}_poll_statuses": self.polls.statuses,
            # Requests resent once after the server closed a kept-alive connection.
            f"{n}_retries": self.retries,
            f"{n}_read_statuses": self.reads.statuses,
            f"{n}_errors": self.polls.errors
            + self.reads.errors
            + sum(v for k, v in self.post_statuses.items() if k != "302"),
            f"{n}_read_hit_rate": round(self.reads.hits / max(1, self.reads.answered_200), 4),
            f"{n}_read_misses": self.reads.answered_200 - self.reads.hits,
            # Answers the page cache did not give: each one a render of the channel.
            f"{n}_poll_renders": self.polls.answered_200 - self.polls.hits,
            f"{n}_poll_200_share": round(
                self.polls.answered_200 / max(1, len(self.polls.latencies)), 3
            ),
            f"{n}_unseen": len(self.readers) * self.posts_sent - len(self.lags),
            f"{n}_polling_s": polling,
        }
        for kind, tally in (("poll", self.polls), ("read", self.reads)):
            ms = [x * 1000 for x in tally.latencies]
            r[f"{n}_{kind}_p50_ms"] = round(percentile(ms, 50), 2)
            r[f"{n}_{kind}_p99_ms"] = round(percentile(ms, 99), 2)
            r[f"{n}_{kind}_max_ms"] = round(max(ms), 2)
        r[f"{n}_generator_max_late_ms"] = round(max(self.polls.late + self.reads.late) * 1000, 1)
        r[f"{n}_answers_behind_a_post"] = len(self.behind)
        for key, values in (("lag", self.lags), ("staleness", self.stale), ("behind", self.behind)):
            if values:
                r[f"{n}_{key}_p50_s"] = round(percentile(values, 50), 3)
                r[f"{n}_{key}_p99_s"] = round(percentile(values, 99), 3)
                r[f"{n}_{key}_max_s"] = round(max(values), 3)
        r[f"{n}_server_cpu_share"] = round(cpu["server"] / span, 2)
        r[f"{n}_generator_cpu_share"] = round(cpu["self"] / span, 2)
        others = cpu["machine"] - cpu["server"] - cpu["self"]
        r[f"{n}_others_cpu_share"] = round(max(0.0, others) / span, 2)
        return r


class LiveRun(pages.Run):
    def __init__(self, args: argparse.Namespace) -> None:
        self._workspace(args, "live")
        # Always the checkout's own code: .venv/bin/dateline imports whichever copy the
        # virtualenv was installed from (a git worktree shares its main copy's .venv).
        self.dateline = [str(pages.VENV_BIN / "python"), "-m", "dateline.cli"]
        self.static_port = pages.free_port()
        self.proxy_port = pages.free_port()
        while len({self.app_port, self.static_port, self.proxy_port}) < 3:
            self.static_port, self.proxy_port = pages.free_port(), pages.free_port()
        self.env = self._env()
        # The bench's editor signs in with the demo's password, without an authenticator.
        self.env.update(STAFF_TWO_FACTOR="0", STAFF_TWO_FACTOR_LINK="0", LOG_LEVEL="WARNING")
        self.env.setdefault("LIVE_POLL_SECONDS", str(max(1, round(args.b_interval))))
        self.results: dict[str, Any] = {}
        self.posts = 0
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    # Requests -----------------------------------------------------------------------------

    def request(self, path: str, etag: str) -> bytes:
        lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}:{self.app_port}"]
        lines.append(f"Accept-Encoding: {ENCODING}")
        if etag:
            lines.append(f"If-None-Match: {etag}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def next_post(self) -> int:
        self.posts += 1
        return self.posts

    def post_request(self, number: int) -> bytes:
        text = (
            f"bench-post-{number}: the harbour master reports the Rhenna down another "
            f"{number} centimetres at Oster Bridge."
        )
        state = {
            "blocks": [
                {
                    "key": f"b{number:04d}",
                    "type": "unstyled",
                    "depth": 0,
                    "text": text,
                    "inlineStyleRanges": [],
                    "entityRanges": [],
                }
            ],
            "entityMap": {},
        }
        form = {
            "csrfmiddlewaretoken": self.csrf,
            "body-count": "1",
            "body-0-type": "paragraph",
            "body-0-value": json.dumps(state),
            "body-0-deleted": "",
            "body-0-order": "0",
            "kind": "report",
        }
        body = urllib.parse.urlencode(form).encode()
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head = [
            f"POST {self.posting_path} HTTP/1.1",
            f"Host: {HOST}:{self.app_port}",
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(body)}",
            f"Cookie: {cookie}",
        ]
        return ("\r\n".join(head) + "\r\n\r\n").encode() + body

    def _remember_cookies(self, headers: list[tuple[str, str]]) -> None:
        for name, value in headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]

    def sign_in(self) -> None:
        """The demo editor's session, as a browser gets one: the login form, then the POST."""
        import http.client

        def exchange(method: str, path: str, data: dict[str, str] | None = None) -> Any:
            conn = http.client.HTTPConnection(HOST, self.app_port, timeout=30)
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            body = None
            if data is not None:
                body = urllib.parse.urlencode(data)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            self._remember_cookies(response.getheaders())
            conn.close()
            return response.status, text

        status, text = exchange("GET", "/admin/login/")
        token = CSRF_FIELD.search(text)
        if status != 200 or not token:
            raise BenchError(f"GET /admin/login/: {status}, no form")
        from_demo = {"username": "admin", "password": "dateline-demo"}
        status, text = exchange(
            "POST", "/admin/login/", {"csrfmiddlewaretoken": token.group(1), **from_demo}
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise BenchError(f"the demo editor could not sign in: {status}\n{text[:500]}")
        status, text = exchange("GET", self.posting_path)
        token = CSRF_FIELD.search(text)
        if status != 200 or not token or "data-live-post-form" not in text:
            raise BenchError(f"GET {self.posting_path}: {status}, no posting form")
        self.csrf = token.group(1)

    # Set-up -------------------------------------------------------------------------------

    def setup_site(self) -> None:
        self.migrate_with_demo("--articles", str(self.args.articles))
        done = self.shell("setup", SETUP, "SETUP_JSON")
        self.blog_id, self.blog_path = done["blog_id"], done["blog"]
        self.articles = done["articles"]
        self.updates_path = f"/live/{self.blog_id}/updates.json"
        self.posting_path = f"/admin/live/{self.blog_id}/"
        self.server = self.start_server()
        self.wait_for(self.app_port, "/", self.server, "server")
        say(f"# serving on {HOST}:{self.app_port}: live blog {self.blog_path}")
        _, _, page = http_get(self.app_port, self.blog_path)
        if b"data-poll-seconds" not in page:
            raise BenchError("the server runs code without LIVE_POLL_SECONDS: not this checkout")
        # Every article and the channel once, so the shapes start from a warm cache.
        for path in [*self.articles, self.updates_path, self.blog_path]:
            http_get(self.app_port, path, {"Accept-Encoding": ENCODING})
        self.sign_in()

    # Shapes -------------------------------------------------------------------------------

    def shape(self, name: str, readers: int, interval: float, seconds: float) -> dict[str, Any]:
        say(
            f"# shape {name}: {readers:,} readers every {interval:g} s "
            f"({readers / interval:,.0f} polls/s) + {self.args.reads} reads/s, "
            f"a post every {self.args.every:g} s for {seconds:g} s"
        )
        shape = Shape(self, name, readers, interval, seconds)
        cpu = {"server": process_group_cpu(self.server.pid), "self": own_cpu()}
        cpu["machine"] = machine_busy()
        start = asyncio.run(shape.drive())
        cpu = {
            "server": process_group_cpu(self.server.pid) - cpu["server"],
            "self": own_cpu() - cpu["self"],
            "machine": machine_busy() - cpu["machine"],
        }
        figures = shape.figures(start, cpu)
        say("#   " + json.dumps(figures))
        return figures

    # wrk: the poll answer alone against nginx ---------------------------------------------

    def poll_bytes(self) -> tuple[bytes, str]:
        docroot = self.tmp / "docroot"
        docroot.mkdir(exist_ok=True)
        status, headers, body = http_get(self.app_port, self.updates_path)
        if status != 200:
            raise BenchError(f"GET {self.updates_path}: {status}")
        status, again, _ = http_get(self.app_port, self.updates_path)
        if again.get("x-cache") != "hit":
            raise BenchError(f"the update channel is not a page-cache hit: {again}")
        (docroot / "updates.json").write_bytes(body)
        (docroot / "updates.json.gz").write_bytes(gzip.compress(body, 6, mtime=0))
        # pages.Run.start_nginx waits for /article.html: the same bytes under that name too.
        (docroot / "article.html").write_bytes(body)
        return body, headers["etag"]

    def wrk_case(self, name: str, port: int, path: str, etag: str) -> dict[str, Any]:
        a = self.args
        lua = pages.PLAIN_LUA
        if etag:
            lua = f"wrk.headers[\"If-None-Match\"] = '{etag}'\n" + lua
        script = self.tmp / f"{name}.lua"
        script.write_text(lua)
        argv = [WRK, f"-t{a.threads}", f"-c{a.wrk_connections}", f"-d{a.wrk_seconds}s"]
        argv += ["--latency", "--timeout", "10s", "-H", f"Accept-Encoding: {ENCODING}"]
        argv += ["-s", str(script), f"http://{HOST}:{port}{path}"]
        group = self.nginx_group if port == self.static_port else self.server_group
        cpu = process_group_cpu(group)
        figures = self.wrk_figures(name, argv, a.wrk_seconds)
        cpu = process_group_cpu(group) - cpu
        figures["cpu_us"] = cpu * 1e6 / max(1, figures["requests"])
        say(
            f"# wrk {name}: {figures['rps']:,.0f} req/s, p99 {figures['p99_us'] / 1000:.2f} ms, "
            f"{figures['errors']} errors"
        )
        return figures

    def check_status(self, port: int, path: str, etag: str, expected: int) -> None:
        headers = {"Accept-Encoding": ENCODING}
        if etag:
            headers["If-None-Match"] = etag
        status, _, _ = http_get(port, path, headers)
        if status != expected:
            raise BenchError(f"GET {path} on {port} with {headers}: {status}, not {expected}")

    def wrk_poll_answer(self) -> dict[str, Any]:
        body, _ = self.poll_bytes()
        self.start_nginx()
        _, _, static = http_get(self.static_port, "/updates.json")
        if static != body:
            raise BenchError("nginx does not serve the channel's bytes")
        # The tag of the copy nginx answers a browser with: the precompressed one.
        _, headers, _ = http_get(self.static_port, "/updates.json", {"Accept-Encoding": ENCODING})
        nginx_etag = headers["etag"]
        # What a browser holds after a gzip answer: the encoding's own tag.
        _, zipped, _ = http_get(self.app_port, self.updates_path, {"Accept-Encoding": ENCODING})
        app_etag = zipped["etag"]
        # The documented set-up (docs/deployment.md): nginx's proxy_cache in front keeps
        # the channel for its s-maxage (1 s) and answers revalidations itself.
        http_get(self.proxy_port, self.updates_path, {"Accept-Encoding": ENCODING})
        _, proxied, _ = http_get(self.proxy_port, self.updates_path, {"Accept-Encoding": ENCODING})
        cases = (
            ("nginx_200", self.static_port, "/updates.json", "", 200),
            ("app_200", self.app_port, self.updates_path, "", 200),
            ("proxy_200", self.proxy_port, self.updates_path, "", 200),
            ("nginx_304", self.static_port, "/updates.json", nginx_etag, 304),
            ("app_304", self.app_port, self.updates_path, app_etag, 304),
            ("proxy_304", self.proxy_port, self.updates_path, proxied["etag"], 304),
        )
        runs: dict[str, list[dict[str, Any]]] = {}
        # In turns: load from other work drifts during a run and then hits all alike.
        for name, port, path, tag, expected in cases * self.args.wrk_rounds:
            self.check_status(port, path, tag, expected)
            runs.setdefault(name, []).append(self.wrk_case(name, port, path, tag))
            self.check_status(port, path, tag, expected)
        r: dict[str, Any] = {"poll_bytes": len(body), "poll_gzip_bytes": None}
        for name, parts in runs.items():
            requests = sum(p["requests"] for p in parts)
            seconds = sum(p["duration_us"] for p in parts) / 1e6
            r[f"wrk_{name}_rps"] = round(requests / seconds, 1)
            r[f"wrk_{name}_p99_ms"] = round(max(p["p99_us"] for p in parts) / 1000, 2)
            r[f"wrk_{name}_errors"] = sum(p["errors"] for p in parts)
            r[f"wrk_{name}_cpu_us"] = round(
                sum(p["cpu_us"] * p["requests"] for p in parts) / max(1, requests), 1
            )
        for path in ("200", "304"):
            r[f"poll_{path}_vs_nginx"] = round(
                r[f"wrk_app_{path}_rps"] / r[f"wrk_nginx_{path}_rps"], 3
            )
            r[f"proxied_poll_{path}_vs_nginx"] = round(
                r[f"wrk_proxy_{path}_rps"] / r[f"wrk_nginx_{path}_rps"], 3
            )
            r[f"poll_{path}_vs_nginx_cpu"] = round(
                r[f"wrk_nginx_{path}_cpu_us"] / max(0.001, r[f"wrk_app_{path}_cpu_us"]), 3
            )
        r["poll_gzip_bytes"] = len((self.tmp / "docroot" / "updates.json.gz").read_bytes())
        return r

    # The benchmark ------------------------------------------------------------------------

    def measure(self) -> dict[str, Any]:
        a = self.args
        load_before = os.getloadavg()
        self.setup_site()
        r: dict[str, Any] = {"bench": "live"}
        r.update(self.shape("a", a.readers, a.interval, a.duration))
        if a.b_duration > 0:
            r.update(self.shape("b", a.b_readers, a.b_interval, a.b_duration))
        r.update(self.wrk_poll_answer())
        r["articles"] = len(self.articles)
        r["live_blog"] = self.blog_path
        r["workers"] = a.workers
        r["poll_connections"] = a.connections
        r["wrk"] = (
            f"-t{a.threads} -c{a.wrk_connections} -d{a.wrk_seconds}s, "
            f"{a.wrk_rounds} turns of the six cases"
        )
        r["load_before"] = [round(x, 2) for x in load_before]
        r["load_after"] = [round(x, 2) for x in os.getloadavg()]
        return self.with_targets(r, TARGETS)


def report(r: dict[str, Any]) -> None:
    say("")
    say(f"Live blog {r['live_blog']}, {r['articles']} articles read, {r['workers']} workers")
    say(
        f"{'shape':<7}{'readers':>8}{'every':>7}{'polls/s':>16}{'reads/s':>14}"
        f"{'errors':>7}{'hit rate':>9}{'lag p50/p99/max s':>20}{'stale p50/p99/max s':>22}"
    )
    for n in ("a", "b"):
        if f"{n}_readers" not in r:
            continue

        def trio(key: str, n: str = n) -> str:
            if f"{n}_{key}_p50_s" not in r:
                return "-"
            return "/".join(f"{r[f'{n}_{key}_{p}_s']:.2f}" for p in ("p50", "p99", "max"))

        say(
            f"{n:<7}{r[f'{n}_readers']:>8,}{r[f'{n}_interval_s']:>6g}s"
            f"{r[f'{n}_polls_offered_rps']:>8,.0f}/{r[f'{n}_polls_answered_rps']:<7,.0f}"
            f"{r[f'{n}_reads_offered_rps']:>6,}/{r[f'{n}_reads_answered_rps']:<7,.0f}"
            f"{r[f'{n}_errors']:>7}{r[f'{n}_read_hit_rate']:>9.3f}{trio('lag'):>20}"
            f"{trio('staleness'):>22}"
        )
        say(
            f"        posts {r[f'{n}_posts']} (POST p50 {r[f'{n}_post_p50_ms']} ms, max "
            f"{r[f'{n}_post_max_ms']} ms); poll p50/p99 {r[f'{n}_poll_p50_ms']}/"
            f"{r[f'{n}_poll_p99_ms']} ms, read p50/p99 {r[f'{n}_read_p50_ms']}/"
            f"{r[f'{n}_read_p99_ms']} ms; unseen {r[f'{n}_unseen']}; retried "
            f"{r[f'{n}_retries']}; CPU cores: server "
            f"{r[f'{n}_server_cpu_share']}, generator {r[f'{n}_generator_cpu_share']}, others "
            f"{r[f'{n}_others_cpu_share']}"
        )
        say(
            f"        polls sent after a post and answered without it: "
            f"{r[f'{n}_answers_behind_a_post']}, sent p50/p99/max {trio('behind')} s after it; "
            f"channel renders {r[f'{n}_poll_renders']} for {r[f'{n}_posts']} posts"
        )
    say(
        f"Poll answer alone ({r['poll_bytes']:,} bytes, {r['poll_gzip_bytes']:,} gzip), "
        f"wrk {r['wrk']}"
    )
    for path in ("200", "304"):
        say(
            f"  {path}: app {r[f'wrk_app_{path}_rps']:,.0f} req/s, nginx "
            f"{r[f'wrk_nginx_{path}_rps']:,.0f} req/s: {r[f'poll_{path}_vs_nginx']:.3f} x nginx "
            f"(by CPU {r[f'poll_{path}_vs_nginx_cpu']:.3f}); through the documented proxy "
            f"{r[f'wrk_proxy_{path}_rps']:,.0f} req/s: {r[f'proxied_poll_{path}_vs_nginx']:.3f} x"
        )
    pages.say_targets(r)


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/live", description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=5000, help="shape a's readers")
    parser.add_argument("--interval", type=float, default=10, help="shape a's poll interval")
    parser.add_argument("--duration", type=float, default=120, help="shape a's posting time")
    parser.add_argument("--b-readers", type=int, default=1000, help="shape b's readers")
    parser.add_argument(
        "--b-interval", type=float, default=2, help="shape b's poll interval (LIVE_POLL_SECONDS)"
    )
    parser.add_argument(
        "--b-duration", type=float, default=60, help="shape b's posting time (0: skip b)"
    )
    parser.add_argument("--reads", type=int, default=200, help="article reads/s")
    parser.add_argument("--every", type=float, default=5, help="seconds between posts")
    parser.add_argument("--connections", type=int, default=256, help="pooled poll connections")
    parser.add_argument("--articles", type=int, default=40, help="demo articles")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--wrk-connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--wrk-seconds", type=int, default=4, help="seconds per wrk run")
    parser.add_argument("--wrk-rounds", type=int, default=3, help="turns of the wrk cases")
    pages.add_run_arguments(parser, time_limit=900)
    args = parser.parse_args()
    if pages.missing("bench/live", WRK, NGINX, CURL, str(pages.DATELINE)):
        return 2
    return pages.run_bench("bench/live", LiveRun(args), args, report, logs=("server", "nginx"))


if __name__ == "__main__":
    sys.exit(main())
