"""The strip of open live blogs at the top of the home page and the section fronts.

Each blog live now (between its start and its end) under the front: the "Live" label,
its headline, the time of its latest post. The front then shows what a post changes,
so it names the lists' scope (LISTS_SCOPE) and a post renders it again, and only it:
the articles keep their cache entries (docs/decisions/0012-live-coverage-cache.md).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Max, Q
from django.http import HttpRequest
from django.utils import timezone

from dateline.lib import pagescopes
from dateline.live.models import LISTS_SCOPE, LiveBlogPage, LivePost
from dateline.newsroom import fronts
from dateline.newsroom.routing import for_generation

# A strip, not a list: on a day with more, the newest-started ones.
MOST_SHOWN = 4


def not_ended() -> list[LiveBlogPage]:
    """The published blogs not ended yet, kept until the next publish.

    Which blogs these are changes only by a publish (a new site generation) or by the
    clock, which each render applies to them: a render asks the database only for the
    latest post times, and only when a blog is open.
    """
    return list(
        LiveBlogPage.objects.live()
        .public()
        .filter(Q(live_until__isnull=True) | Q(live_until__gt=timezone.now()))
        .order_by("-live_from", "-pk")
    )


def strip(request: HttpRequest, front: Any) -> fronts.Box | None:
    now = timezone.now()
    blogs = [b for b in for_generation("live-fronts", not_ended) if b.path.startswith(front.path)]
    # Exact by the clock: the entry is not served past a start or an end (decision 0012).
    changes = [c for c in (b.next_change(now) for b in blogs) if c is not None]
    pagescopes.changes_at(request, min(changes, default=None))
    shown = [b for b in blogs if b.is_live(now)][:MOST_SHOWN]
    if not shown:
        # No post can change this front: it keeps the cache rules of any other page.
        return None
    # Named before the post times are read: a post saved meanwhile leaves the entry stale.
    pagescopes.depends_on(request, LISTS_SCOPE)
    latest: dict[int, datetime.datetime] = dict(
        LivePost.objects.filter(blog__in=[b.pk for b in shown])
        .values("blog")
        .annotate(latest=Max("posted_at"))
        .values_list("blog", "latest")
    )
    items = [{"blog": b, "latest": latest.get(b.pk)} for b in shown]
    dates = [d for b in shown for d in (b.last_published_at, b.live_from, latest.get(b.pk)) if d]
    return fronts.Box("live/front_strip.html", {"blogs": items}, modified=max(dates))
