"""Private page-view counting that also counts hits served from the page cache.

Each server process keeps a small tally in memory and adds it to the database
every ``PAGE_VIEW_FLUSH_SECONDS``, in one statement. A crash loses at most that
many seconds of counts, which the digest ranking can live with; a database
error keeps the tally for the next flush.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
import time
from collections import Counter

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from wagtail.models import Page

from dateline.newsroom.models import ArticlePage, PageViewDay
from dateline.newsroom.routing import for_generation

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_pending: Counter[int] = Counter()
_last_flush = time.monotonic()


def served(page_id: int) -> None:
    """An article left the server, rendered or from the page cache: a view, unless the
    readers' browsers report views instead (PAGE_VIEW_COUNTING = "beacon")."""
    if settings.PAGE_VIEW_COUNTING == "server":
        record(page_id)


def live_article_ids() -> frozenset[int]:
    """The articles a beacon may count, known per page-cache generation (no query each)."""
    return for_generation(
        "live-articles",
        lambda: frozenset(ArticlePage.objects.live().values_list("pk", flat=True)),
    )


def record(page_id: int) -> None:
    global _last_flush
    with _lock:
        _pending[page_id] += 1
        due = time.monotonic() - _last_flush >= settings.PAGE_VIEW_FLUSH_SECONDS
        if due:
            _last_flush = time.monotonic()
    if due:
        flush()


def pending() -> dict[int, int]:
    with _lock:
        return dict(_pending)


def forget() -> None:
    """Drop the unsaved tally and restart the flush clock (tests start from zero)."""
    global _last_flush
    with _lock:
        _pending.clear()
        _last_flush = time.monotonic()


def flush() -> int:
    """Add the tally to PageViewDay; returns the number of views written."""
    with _lock:
        batch = dict(_pending)
        _pending.clear()
    if not batch:
        return 0
    day = timezone.localdate()
    table = PageViewDay._meta.db_table
    try:
        with transaction.atomic():
            existing = set(Page.objects.filter(pk__in=batch).values_list("pk", flat=True))
            rows = [(pk, day, n) for pk, n in batch.items() if pk in existing]
            with connection.cursor() as cursor:
                # Both SQLite (>= 3.24) and PostgreSQL speak this upsert.
                cursor.executemany(
                    f"INSERT INTO {table} (page_id, day, views) VALUES (%s, %s, %s) "  # noqa: S608
                    "ON CONFLICT (page_id, day) DO UPDATE "
                    f"SET views = {table}.views + excluded.views",
                    rows,
                )
    except DatabaseError:
        logger.warning("Could not store %d page views; keeping them for later", sum(batch.values()))
        with _lock:
            _pending.update(batch)
        return 0
    return sum(n for _, _, n in rows)


def _flush_at_exit() -> None:
    with contextlib.suppress(Exception):
        flush()


atexit.register(_flush_at_exit)
