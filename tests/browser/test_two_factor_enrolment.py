"""In production a known password alone cannot set up two-step sign-in (issue #19).

A real production site (`dateline run` with DATELINE_ENV=production, as
docs/deployment.md starts it) with one account made by `dateline createsuperuser`:
whoever has the password is shown no secret to scan; only the link mailed to the
account's address unlocks the set-up, and it works in the signed-in browser.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, TIMEOUT_MS
from tests.helpers.mailserver import MailServer
from tests.ops.processes import free_port, wait_for

PASSWORD = "correct horse battery staple, long enough"


@dataclass
class Site:
    url: str
    mail: MailServer


@pytest.fixture
def production_site(tmp_path: Path) -> Iterator[Site]:
    mail = MailServer()
    port = free_port()
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST", "DEBUG", "EMAIL_URL")
    }
    environ.update(
        DATELINE_ENV="production",
        SECRET_KEY="a-production-secret-key-for-this-test-only-0123456789",
        BASE_URL="https://news.example.org",
        EMAIL_URL=f"smtp://127.0.0.1:{mail.port}",
        DATELINE_VAR_DIR=str(tmp_path),
        PORT=str(port),
        PYTHONUNBUFFERED="1",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    dateline = [sys.executable, "-m", "dateline.cli"]
    for step in (
        ["migrate", "--noinput"],
        ["createsuperuser", "--noinput", "--username", "ed", "--email", "ed@example.org"],
    ):
        subprocess.run([*dateline, *step], env=environ, check=True, capture_output=True)
    run = subprocess.Popen(
        [*dateline, "run", "--workers", "1"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # localhost: a secure context, so the browser keeps the site's Secure cookies.
        url = f"http://localhost:{port}"
        assert wait_for(f"{url}/admin/login/", timeout=240) == 200
        yield Site(url, mail)
    finally:
        run.send_signal(signal.SIGINT)
        try:
            run.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            run.kill()
        mail.stop()


def sign_in(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/admin/login/")
    page.get_by_label("Username").fill("ed")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def mailed_link(site: Site, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in site.mail.to("ed@example.org"):
            found = re.search(
                r"https://news\.example\.org(/admin/two-factor/link/\S+/)", site.mail.text(message)
            )
            if found:
                return site.url + found.group(1)
        time.sleep(0.3)
    raise AssertionError("no set-up link was mailed")


def test_a_known_password_alone_cannot_set_up_the_second_factor(
    browser: Browser, production_site: Site, artifacts: Path
):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        sign_in(page, production_site)
        expect(page).to_have_url(re.compile(r"/admin/two-factor/setup/"))
        # (The page's content is in the document twice for Wagtail's admin script: the first.)
        main = page.locator("main").first
        expect(main.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
        expect(main.get_by_text("Your password alone cannot set the app up")).to_be_visible()
        # No secret, no QR code: nothing to scan into an intruder's phone.
        expect(page.locator("[data-secret]")).to_have_count(0)
        expect(page.locator("figure svg")).to_have_count(0)
        # The admin stays shut, and a made-up link opens nothing.
        page.goto(f"{production_site.url}/admin/pages/")
        expect(page).to_have_url(re.compile(r"/admin/two-factor/setup/"))
        page.goto(f"{production_site.url}/admin/two-factor/link/made-up:token/")
        expect(
            page.get_by_role("heading", name="This set-up link does not work").first
        ).to_be_visible()
        page.goto(f"{production_site.url}/admin/two-factor/setup/")
        page.screenshot(path=str(artifacts / "two-factor-password-alone.png"), full_page=True)

        # The account's owner asks for the link, which goes to their own mailbox.
        page.locator("main").first.get_by_role("button", name="Email me the set-up link").click()
        expect(page.get_by_text("We sent the link to e•••@example.org").first).to_be_visible()
        page.goto(mailed_link(production_site))
        secret = page.locator("[data-secret]").first.inner_text().replace(" ", "")
        totp = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)))
        main = page.locator("main").first
        main.locator("input[name=code]").fill(f"{totp.token():06d}")
        main.get_by_role("button", name="Turn on two-step sign-in").click()
        expect(page.get_by_text("backup codes", exact=False).first).to_be_visible()
        page.goto(f"{production_site.url}/admin/")
        expect(page).to_have_url(re.compile(r"/admin/$"))
    finally:
        context.close()
