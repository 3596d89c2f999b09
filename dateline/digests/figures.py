"""An issue's numbers: who it went to, what came back, who left, what was clicked.

Read by the issue's admin page (figures panel) and the Audience area's issue
performance table. Every figure is about all readers together: clicks come from
LinkClicks, which never says who clicked; opens and per-reader clicks are read
only when the newsroom turned reader engagement on (dateline.digests.engagement).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from dateline.digests.models import Bounce, Delivery, DigestIssue, IssueOpens, LinkClicks
from dateline.newsletter.models import Subscription

State = Delivery.State


@dataclass
class LinkFigure:
    url: str
    story_id: int | None
    story_title: str
    clicks: int


@dataclass
class StoryFigure:
    story_id: int
    title: str
    clicks: int


@dataclass
class IssueFigures:
    issue_id: int
    # Readers the issue was meant for: every delivery but those skipped for having
    # no story to get (they were sent nothing).
    recipients: int = 0
    # Accepted by the relay and not bounced since.
    delivered: int = 0
    # Refused for now by the relay: waiting for another try.
    deferred: int = 0
    waiting: int = 0
    failed: int = 0
    suppressed: int = 0
    skipped: int = 0
    bounced_hard: int = 0
    bounced_soft: int = 0
    complaints: int = 0
    unsubscribes: int = 0
    clicks: int = 0
    opens: int = 0
    links: list[LinkFigure] = field(default_factory=list)
    stories: list[StoryFigure] = field(default_factory=list)

    @property
    def bounced(self) -> int:
        return self.bounced_hard + self.bounced_soft

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def bounce_rate(self) -> float | None:
        """Bounced of the mails that left us: delivered, or accepted then bounced."""
        return self._rate(self.bounced, self.delivered + self.bounced_hard)

    @property
    def click_rate(self) -> float | None:
        """Clicks per delivered mail (several clicks by one reader count several times)."""
        return self._rate(self.clicks, self.delivered)

    @property
    def unsubscribe_rate(self) -> float | None:
        return self._rate(self.unsubscribes, self.delivered)

    # As the tables show them.
    @property
    def bounce_percent(self) -> str:
        return percent(self.bounce_rate)

    @property
    def click_percent(self) -> str:
        return percent(self.click_rate)

    @property
    def unsubscribe_percent(self) -> str:
        return percent(self.unsubscribe_rate)


def figures_for(issues: Iterable[DigestIssue | int], links: bool = True) -> dict[int, IssueFigures]:
    """The figures of several issues in a fixed number of queries; ``links``: per link too."""
    ids = [i if isinstance(i, int) else i.pk for i in issues]
    found = {pk: IssueFigures(pk) for pk in ids}
    deliveries = Delivery.objects.filter(issue_id__in=ids)
    for row in deliveries.values("issue_id").annotate(
        total=Count("id"),
        sent=Count("id", filter=Q(state=State.SENT)),
        deferred=Count("id", filter=Q(state=State.QUEUED, attempts__gt=0)),
        waiting=Count("id", filter=Q(state__in=[State.QUEUED, State.SENDING])),
        failed=Count("id", filter=Q(state=State.FAILED)),
        suppressed=Count("id", filter=Q(state=State.SUPPRESSED)),
        skipped=Count("id", filter=Q(state=State.SKIPPED)),
        # A hard bounce, at sending or reported later (bounces.record), marks the delivery.
        hard=Count("id", filter=Q(state=State.BOUNCED)),
    ):
        figures = found[row["issue_id"]]
        figures.recipients = row["total"] - row["skipped"]
        figures.delivered = row["sent"]
        figures.deferred = row["deferred"]
        figures.waiting = row["waiting"] - row["deferred"]
        figures.failed = row["failed"]
        figures.suppressed = row["suppressed"]
        figures.skipped = row["skipped"]
        figures.bounced_hard = row["hard"]
    # Several reports about one mail count once: the figure is of readers, not reports.
    for row in (
        Bounce.objects.filter(delivery__issue_id__in=ids)
        .values("delivery__issue_id")
        .annotate(
            soft=Count(
                "delivery",
                filter=Q(kind=Bounce.Kind.SOFT) & ~Q(delivery__state=State.BOUNCED),
                distinct=True,
            ),
            complaints=Count("delivery", filter=Q(kind=Bounce.Kind.COMPLAINT), distinct=True),
        )
        .order_by()
    ):
        figures = found[row["delivery__issue_id"]]
        figures.bounced_soft, figures.complaints = row["soft"], row["complaints"]
    for issue_id, n in (
        Subscription.objects.filter(left_issue_id__in=ids)
        .values("left_issue_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("left_issue_id", "n")
    ):
        if issue_id is not None:  # the filter leaves none; the column may hold them
            found[issue_id].unsubscribes = n
    for issue_id, n in (
        LinkClicks.objects.filter(issue_id__in=ids)
        .values("issue_id")
        .annotate(n=Sum("clicks"))
        .order_by()
        .values_list("issue_id", "n")
    ):
        found[issue_id].clicks = n or 0
    for issue_id, n in IssueOpens.objects.filter(issue_id__in=ids).values_list("issue_id", "opens"):
        found[issue_id].opens = n
    if links:
        _add_links(found)
    return found


def _add_links(found: dict[int, IssueFigures]) -> None:
    per_story: dict[tuple[int, int], StoryFigure] = {}
    rows = LinkClicks.objects.filter(issue_id__in=list(found)).select_related("story")
    for link in rows.order_by("issue_id", "-clicks", "url"):
        title = link.story.title if link.story else ""
        figures = found[link.issue_id]
        figures.links.append(LinkFigure(link.url, link.story_id, title, link.clicks))
        if link.story_id is not None:
            key = (link.issue_id, link.story_id)
            if key not in per_story:
                per_story[key] = StoryFigure(link.story_id, title, 0)
                figures.stories.append(per_story[key])
            per_story[key].clicks += link.clicks
    for figures in found.values():
        figures.stories.sort(key=lambda s: (-s.clicks, s.title))


def issue_figures(issue: DigestIssue | int) -> IssueFigures:
    return figures_for([issue])[issue if isinstance(issue, int) else issue.pk]


# The figures as a table: the panel, the side-by-side view and their CSV files.
COLUMNS = (
    ("recipients", "Recipients"),
    ("delivered", "Delivered"),
    ("deferred", "Deferred"),
    ("bounced_hard", "Hard bounces"),
    ("bounced_soft", "Soft bounces"),
    ("complaints", "Complaints"),
    ("unsubscribes", "Unsubscribes"),
    ("clicks", "Clicks"),
)


def summary_rows(figures: IssueFigures) -> list[tuple[str, int]]:
    return [(label, getattr(figures, name)) for name, label in COLUMNS]


def percent(rate: float | None) -> str:
    """A rate as the tables show it: one decimal and a % sign, empty for none."""
    return "" if rate is None else f"{rate * 100:.1f}%"
