"""Journeys: a newcomer's first use of Dateline, in Debian's Chromium.

Every journey starts where a newcomer starts. ``newcomer_site`` runs the server the
way ``make run`` does (``dateline run``: migrate, the demo loaded into an empty
database, web server, worker, scheduler and development outbox together) in a
temporary var/ folder on free ports, once for the whole session; the journeys then
only click and type in the real UI and check what the person sees.

* ``newcomer_site``: the running site (``.url``, ``.console()``, ``.latest_mail()``,
  ``.dateline(...)`` to run a command against the same database).
* ``journey_page``: a fresh browser context on the site; the last screen is saved to
  ``test-artifacts/journeys/<test name>.png`` whatever the outcome.
* ``editor_page``: the same, signed in with the demo login through the login form.

Journeys share one site, as a newcomer's clicks would: each one makes its own
content (its own headline, its own address) rather than relying on another's.
Everything here is marked ``browser`` and ``journey``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import DESKTOP

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent.parent / "test-artifacts" / "journeys"
# A cold start migrates and loads the demo: give it time on a busy 2-core machine.
START_TIMEOUT = 420
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.journey)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class NewcomerSite:
    """A ``dateline run`` started as ``make run`` starts it, and what it printed."""

    url: str
    var_dir: Path
    environ: dict[str, str]
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def console(self) -> str:
        """Everything the console has shown so far (a thread reads it as it comes)."""
        return "\n".join(self.lines)

    def demo_login(self) -> tuple[str, str]:
        """The login the console printed, as a newcomer would read it."""
        match = re.search(r"Demo login:\s+(\S+) / (\S+)", self.console())
        assert match, "the console printed no demo login:\n" + self.console()
        return match.group(1), match.group(2)

    def get(self, path: str, timeout: float = 10) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                return int(response.status), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def latest_mail(self, to: str | None = None, *, after: int = 0, wait: float = 30) -> dict:
        """The newest message in the development outbox (for ``to`` if given).

        Mail is sent by the worker, so this waits up to ``wait`` seconds for a
        message newer than the id ``after``. The answer is the outbox's own JSON:
        id, from, to, subject, headers, text, html and links.
        """
        query = "?" + urllib.parse.urlencode({"to": to}) if to else ""
        deadline = time.monotonic() + wait
        while True:
            status, body = self.get("/dev/outbox/latest.json" + query)
            if status == 200:
                mail: dict[str, Any] = json.loads(body)
                if mail["id"] > after:
                    return mail
            elif status != 404:
                raise AssertionError(f"the outbox answered {status}: {body[:300]!r}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no new mail{' to ' + to if to else ''} in {wait} s")
            time.sleep(0.5)

    def dateline(self, *args: str, timeout: float = 120) -> str:
        """Run ``dateline ARGS`` against the same database and return its output."""
        done = subprocess.run(
            [sys.executable, "-m", "dateline.cli", *args],
            env=self.environ,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr


def _wait_until_serving(site: NewcomerSite) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if site.process.poll() is not None:
            raise AssertionError("dateline run stopped while starting:\n" + site.console())
        if "Dateline is running" in site.console():
            try:
                status, _ = site.get("/", timeout=5)
            except OSError:
                status = 0
            if status == 200:
                return
        time.sleep(0.5)
    raise AssertionError(f"dateline run did not serve within {START_TIMEOUT} s:\n{site.console()}")


@pytest.fixture(scope="session")
def newcomer_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NewcomerSite]:
    import threading

    var_dir = tmp_path_factory.mktemp("newcomer-var")
    port = free_port()
    # The newcomer's environment: no database or cache of the test run's own.
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST", "DJANGO_SETTINGS_MODULE")
    }
    environ.update(
        DATELINE_VAR_DIR=str(var_dir),
        PORT=str(port),
        BASE_URL=f"http://127.0.0.1:{port}",
        OUTBOX_SMTP_PORT=str(free_port()),
        PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "dateline.cli", "run"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    site = NewcomerSite(
        url=f"http://127.0.0.1:{port}", var_dir=var_dir, environ=environ, process=process
    )

    def read_console() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            site.lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=read_console, daemon=True)
    reader.start()
    try:
        _wait_until_serving(site)
        yield site
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        reader.join(timeout=5)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "console.txt").write_text(site.console() + "\n")


@pytest.fixture(scope="session")
def journey_browser(newcomer_site: NewcomerSite, browser: Browser) -> Browser:
    # The session's one Chromium (tests/conftest.py); the journeys touch no database
    # themselves, they see the site only as a person does.
    return browser


@pytest.fixture
def new_journey_page(
    journey_browser: Browser, newcomer_site: NewcomerSite, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context; its last screen is saved when the test ends."""
    pages: list[Page] = []

    def open_page(**options: Any) -> Page:
        options = {
            "base_url": newcomer_site.url,
            "viewport": DESKTOP,
            "locale": "en-GB",
            "color_scheme": "light",
            **options,
        }
        context = journey_browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        pages.append(page)
        return page

    yield open_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    for index, page in enumerate(pages):
        suffix = "" if index == 0 else f"-{index + 1}"
        # A page the test closed itself has no last screen to keep.
        with contextlib.suppress(Exception):
            page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=False)
        page.context.close()


@pytest.fixture
def journey_page(new_journey_page: Callable[..., Page]) -> Page:
    return new_journey_page()


def sign_in(page: Page, site: NewcomerSite) -> None:
    """Sign in to the newsroom admin with the demo login, through the login form."""
    username, password = site.demo_login()
    page.goto("/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin/$"))


@pytest.fixture
def editor_page(journey_page: Page, newcomer_site: NewcomerSite) -> Page:
    sign_in(journey_page, newcomer_site)
    return journey_page
