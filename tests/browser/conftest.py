"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

* ``browser``: one Chromium for the whole session (starting it takes seconds).
* ``new_page(**context_options)``: a page in a fresh browser context (own cookies,
  viewport, JavaScript on or off), closed after the test; ``page`` is a desktop one.
* ``newsroom``: a published site (home, a section, top stories with photos and
  sources) served by ``live_server``; ``newsroom.url(page)`` is where to point the
  browser.

Everything under tests/browser is marked ``browser``: ``pytest -m "not browser"``
skips it. Screenshots go to ``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent.parent / "test-artifacts"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium phones home at start-up, and the closed network here
    # refuses those connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@contextmanager
def django_survives_playwright() -> Iterator[Playwright]:
    """Keep Django's database handling working while Playwright's sync API runs.

    Playwright's sync API keeps an asyncio event loop running in this thread from
    start to stop. Django notices that loop in two ways:

    * The ORM refuses plain blocking calls from the test (SynchronousOnlyOperation),
      although none is made from a coroutine. DJANGO_ALLOW_ASYNC_UNSAFE turns that
      check off, only while Playwright runs, so the rest of the suite keeps it.
    * django.db.connections keeps each thread's connections in storage that turns
      context-local while a loop runs, so the test gets new connection objects.
      They lack the snapshot of the freshly migrated database that serialized
      rollback restores (taken on the connection that made the test database),
      so it is copied over. They are closed before the loop stops: afterwards
      nothing can reach them, and an open one would stop PostgreSQL dropping the
      test database at the end of the session.
    """
    from django.db import connections

    outside = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            for alias, connection in outside.items():
                snapshot = getattr(connection, "_test_serialized_contents", None)
                if snapshot is not None and connections[alias] is not connection:
                    connections[alias]._test_serialized_contents = snapshot  # type: ignore[attr-defined]
            try:
                yield playwright
            finally:
                connections.close_all()


@pytest.fixture
def new_page(browser: Browser, live_server: Any) -> Iterator[Callable[..., Page]]:
    """Open a page in a new browser context; keyword arguments go to new_context()."""
    contexts = []

    def open_page(**options: Any) -> Page:
        options = {
            "base_url": live_server.url,
            "viewport": DESKTOP,
            "locale": "en-GB",
            "color_scheme": "light",
            **options,
        }
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@dataclass
class Newsroom:
    live_server: Any
    home: Any
    world: Any
    top_stories: list[Any] = field(default_factory=list)
    others: list[Any] = field(default_factory=list)

    def url(self, page: Any = None) -> str:
        """The live URL of a Wagtail page (the home page by default)."""
        return self.live_server.url + (page.url if page is not None else "/")


@pytest.fixture
def newsroom(
    browser: Browser,
    live_server: Any,
    transactional_db: None,
    django_db_serialized_rollback: None,
    settings: Any,
) -> Iterator[Newsroom]:
    """A home page, World News and Europe, three top stories and two ordinary ones.

    The live server answers from another thread, so the data has to be committed:
    hence ``transactional_db``. Its flush after each test also empties the tables
    Wagtail's migrations fill (root page, root collection, default locale and site)
    which the factories build on; ``django_db_serialized_rollback`` puts them back.
    """
    from django.utils import timezone

    from dateline.newsroom import pageviews
    from dateline.newsroom.models import ArticlePage
    from tests.factories import make_article, make_home, make_photo, make_section

    # The live server counts article views and writes them out every few seconds
    # from its own thread; keep those writes out of the test's database.
    settings.PAGE_VIEW_FLUSH_SECONDS = 24 * 3600

    home = make_home()
    world = make_section(home, "World News")
    europe = make_section(home, "Europe")
    now = timezone.now()
    # One photo for all top stories: its renditions are then made once, not per story.
    photo = make_photo()
    top = [
        make_article(
            world,
            title,
            photo=photo,
            sources=2,
            priority=ArticlePage.Priority.TOP,
            published_at=now - datetime.timedelta(hours=hours),
            tags=["Shipping"],
        )
        for hours, title in enumerate(
            [
                "Ferry talks resume after storm",
                "Harbour pilots agree new rota",
                "Storm damage bill reaches port council",
            ]
        )
    ]
    others = [
        make_article(
            europe, "Rail strike called off", published_at=now - datetime.timedelta(hours=5)
        ),
        make_article(
            world, "Fishing quotas set for spring", published_at=now - datetime.timedelta(hours=6)
        ),
    ]
    yield Newsroom(live_server, home, world, top, others)
    # Views the live server counted would otherwise be written out when the process
    # exits, after the test database is gone: into the database DATABASE_URL names.
    pageviews.forget()
