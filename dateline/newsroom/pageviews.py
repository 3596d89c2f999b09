"""Private page-view counting that also counts hits served from the page cache.

Each server process keeps a small tally in memory and adds it to the database
every ``PAGE_VIEW_FLUSH_SECONDS``, in one statement, from a thread of its own
(dateline.lib.tally, shared with the digests' click counts), and once more at
exit. A crash loses at most that many seconds of counts, which the digest
ranking can live with; a database error keeps the tally for the next flush.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import Page

from dateline.lib.tally import BatchedTally
from dateline.newsroom.models import ArticlePage, PageViewDay
from dateline.newsroom.routing import for_generation

# Articles a process keeps unsaved while the database is away: far more than a site has.
PENDING_MAX = 100_000


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
    TALLY.record(page_id)


def pending() -> dict[int, int]:
    return TALLY.pending()


def forget() -> None:
    """Drop the unsaved tally and restart the flush clock (tests start from zero)."""
    TALLY.forget()


def flush() -> int:
    """Add the tally to PageViewDay now; returns the number of views written."""
    return TALLY.flush()


def _write(batch: dict[int, int]) -> int:
    day = timezone.localdate()
    table = PageViewDay._meta.db_table
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
    return sum(n for _, _, n in rows)


# A failed write keeps the views for the next flush (dateline.lib.tally).
TALLY: BatchedTally[int] = BatchedTally(
    "page views",
    _write,
    every=lambda: float(settings.PAGE_VIEW_FLUSH_SECONDS),
    max_keys=lambda: PENDING_MAX,
)
