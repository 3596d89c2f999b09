"""Which stories readers read most, from the page views already counted (pageviews.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from dateline.newsroom.models import ArticlePage, PageViewDay


@dataclass
class Read:
    article: ArticlePage
    views: int


def most_read(days: int = 1, limit: int = 5, today: datetime.date | None = None) -> list[Read]:
    """The live stories with the most views over the last ``days`` local days, today included.

    Views are counted per local day, so "today" is since local midnight.
    """
    today = today or timezone.localdate()
    first = today - datetime.timedelta(days=days - 1)
    live = ArticlePage.objects.live().values("pk")
    totals = list(
        PageViewDay.objects.filter(day__gte=first, day__lte=today, page_id__in=live)
        .values("page_id")
        .annotate(total=Sum("views"))
        .order_by("-total", "page_id")
        .values_list("page_id", "total")[:limit]
    )
    articles = ArticlePage.objects.in_bulk([page_id for page_id, _ in totals])
    return [Read(articles[page_id], total) for page_id, total in totals if page_id in articles]
