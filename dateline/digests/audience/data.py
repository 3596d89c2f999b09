"""The Audience area's numbers: most-read stories, an article's views, subscriber growth
per newsletter, and recent issues side by side. All of them counts over all readers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from dateline.digests.figures import IssueFigures, figures_for
from dateline.digests.models import DigestIssue
from dateline.newsletter.models import Newsletter, Subscription
from dateline.newsroom.models import ArticlePage, PageViewDay
from dateline.newsroom.readership import Read, most_read

# The periods the most-read list offers: (days, label), "today" since local midnight.
PERIODS = ((1, "Today"), (7, "7 days"), (30, "30 days"))
# How far back an article's views and the growth charts go.
SPANS = (7, 30, 90)


def period(value: str | None, choices: tuple[int, ...], default: int) -> int:
    """A number of days from the query string, one of ``choices``, else ``default``."""
    try:
        days = int(value or default)
    except ValueError:
        return default
    return days if days in choices else default


def days_back(days: int, today: datetime.date | None = None) -> list[datetime.date]:
    today = today or timezone.localdate()
    return [today - datetime.timedelta(days=days - 1 - i) for i in range(days)]


def top_stories(days: int, limit: int = 20, today: datetime.date | None = None) -> list[Read]:
    return most_read(days=days, limit=limit, today=today)


@dataclass
class ArticleViews:
    article: ArticlePage
    days: list[datetime.date]
    views: list[int]

    @property
    def total(self) -> int:
        return sum(self.views)

    @property
    def rows(self) -> list[tuple[datetime.date, int]]:
        return list(zip(self.days, self.views, strict=True))


def article_views(
    article: ArticlePage, days: int, today: datetime.date | None = None
) -> ArticleViews:
    span = days_back(days, today)
    counted = dict(
        PageViewDay.objects.filter(page_id=article.pk, day__gte=span[0], day__lte=span[-1])
        .values_list("day", "views")
        .order_by()
    )
    return ArticleViews(article, span, [counted.get(day, 0) for day in span])


@dataclass
class NewsletterGrowth:
    newsletter: Newsletter
    joins: list[int]
    leaves: list[int]

    @property
    def joined(self) -> int:
        return sum(self.joins)

    @property
    def left(self) -> int:
        return sum(self.leaves)

    @property
    def net(self) -> int:
        return self.joined - self.left


@dataclass
class Growth:
    days: list[datetime.date]
    newsletters: list[NewsletterGrowth]

    @property
    def rows(self) -> list[tuple[datetime.date, list[tuple[int, int]]]]:
        """Per day: (joins, leaves) of each newsletter in order."""
        return [
            (day, [(n.joins[i], n.leaves[i]) for n in self.newsletters])
            for i, day in enumerate(self.days)
        ]


def growth(days: int, now: datetime.datetime | None = None) -> Growth:
    """Joins and leaves per local day and newsletter, from the subscriptions: two queries."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    span = days_back(days, timezone.localdate(now))
    start = datetime.datetime.combine(span[0], datetime.time.min, tzinfo=tz)
    rows = Subscription.objects.order_by()

    def per_day(field: str) -> dict[tuple[int, datetime.date], int]:
        counted = (
            rows.filter(**{f"{field}__gte": start, f"{field}__lte": now})
            .annotate(day=TruncDate(field, tzinfo=tz))
            .values("newsletter_id", "day")
            .annotate(n=Count("id"))
            .values_list("newsletter_id", "day", "n")
        )
        return {(newsletter, day): n for newsletter, day, n in counted}

    joins, leaves = per_day("joined_at"), per_day("left_at")
    return Growth(
        span,
        [
            NewsletterGrowth(
                newsletter,
                [joins.get((newsletter.pk, day), 0) for day in span],
                [leaves.get((newsletter.pk, day), 0) for day in span],
            )
            for newsletter in Newsletter.objects.all()
        ],
    )


# Issues that went out, or are going: a draft or a cancelled issue has no figures.
SENT_STATES = (
    DigestIssue.Status.APPROVED,
    DigestIssue.Status.SENDING,
    DigestIssue.Status.PAUSED,
    DigestIssue.Status.SENT,
)


@dataclass
class IssueRow:
    issue: DigestIssue
    figures: IssueFigures


def recent_issues(limit: int = 20) -> list[IssueRow]:
    issues = list(
        DigestIssue.objects.filter(status__in=SENT_STATES)
        .select_related("newsletter")
        .order_by("-slot_at", "-pk")[:limit]
    )
    figures = figures_for(issues, links=False)
    return [IssueRow(issue, figures[issue.pk]) for issue in issues]
