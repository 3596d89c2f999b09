from __future__ import annotations

import os

import pytest
from django.core.cache import caches

# This run has read its settings (tests/settings.py) already. Processes the tests start
# (`dateline run`, `serve`, `worker`, `python -c`) inherit the environment, and run
# the site's own settings unless a test names others.
os.environ["DJANGO_SETTINGS_MODULE"] = "dateline.settings"


@pytest.fixture(autouse=True)
def _fresh_cache(settings, tmp_path):
    """Each test starts with empty caches and its own media and wire drop folders."""
    from dateline.lib import pagecache
    from dateline.newsroom import pageviews

    settings.MEDIA_ROOT = tmp_path / "media"
    # The demo's agencies drop their feeds here (dateline/wire/demo.py), not in var/.
    settings.WIRE_DROP_ROOT = tmp_path / "wire-drop"
    pageviews.forget()
    for alias in ("default", "renditions"):
        caches[alias].clear()
    pagecache.forget_local()
    yield
    # Unsaved views would otherwise be written at exit, after the test database is gone.
    pageviews.forget()
    for alias in ("default", "renditions"):
        caches[alias].clear()


@pytest.fixture
def home(db):
    from tests.factories import make_home

    return make_home()


@pytest.fixture
def world(home):
    from tests.factories import make_section

    return make_section(home, "World News")


class MailServer:
    """A real SMTP server (aiosmtpd) on a free port, keeping what it receives."""

    def __init__(self) -> None:
        import email
        import email.policy
        import threading

        from aiosmtpd.controller import Controller

        self._email = email
        self._policy = email.policy.default
        self.messages: list = []
        self._lock = threading.Lock()
        server = self

        class Handler:
            async def handle_DATA(self, smtp, session, envelope):
                message = server._email.message_from_bytes(envelope.content, policy=server._policy)
                message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
                with server._lock:
                    server.messages.append(message)
                return "250 Message accepted"

        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def to(self, address: str) -> list:
        with self._lock:
            return [m for m in self.messages if address in m["To"]]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message) -> str:
        return message.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def mail_server(settings):
    """Mail sent during the test goes over SMTP to a real server; read it back from here."""
    server = MailServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(django_db_setup: None):
    """One Chromium for the whole session, for tests/browser and tests/journeys alike.

    Here, not in either folder's conftest: Playwright's sync API runs one event loop per
    thread, so a second session-wide Chromium started beside the first fails.
    """
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, django_survives_playwright

    # The test database is made first, so that its snapshot is taken outside
    # Playwright's event loop (see django_survives_playwright).
    with django_survives_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
