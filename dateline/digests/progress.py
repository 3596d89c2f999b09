"""How far an issue's sending has gone: counts by state, rate, ETA and messages per minute.

Read by the admin's issue page, which polls it while an issue is being sent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncMinute
from django.utils import timezone

from dateline.digests.models import Delivery, DigestIssue

State = Delivery.State
# Rate measured over the last this many seconds.
RATE_WINDOW = 60
CHART_MINUTES = 60


@dataclass
class Progress:
    total: int
    by_state: dict[str, int]
    rate_per_second: float
    eta_seconds: int | None
    per_minute: list[tuple[datetime.datetime, int]] = field(default_factory=list)
    # Queued again after a temporary failure (4xx, a lost connection), waiting to retry.
    deferred: int = 0

    @property
    def done(self) -> int:
        return self.total - self.waiting

    @property
    def waiting(self) -> int:
        return self.by_state.get(State.QUEUED, 0) + self.by_state.get(State.SENDING, 0)

    @property
    def queued(self) -> int:
        """Waiting for their first try, or in flight."""
        return self.waiting - self.deferred

    @property
    def failures(self) -> int:
        return self.by_state.get(State.FAILED, 0) + self.by_state.get(State.BOUNCED, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def as_json(self) -> dict[str, object]:
        return {
            "total": self.total,
            "done": self.done,
            "percent": self.percent,
            "by_state": self.by_state,
            "failures": self.failures,
            # The figures an editor watches, every kind of issue alike.
            "queued": self.queued,
            "sent": self.by_state.get(State.SENT, 0),
            "deferred": self.deferred,
            "bounced": self.by_state.get(State.BOUNCED, 0),
            "failed": self.by_state.get(State.FAILED, 0),
            "rate_per_second": self.rate_per_second,
            "eta_seconds": self.eta_seconds,
            "per_minute": [[m.isoformat(), n] for m, n in self.per_minute],
        }


def progress(issue: DigestIssue, now: datetime.datetime | None = None) -> Progress:
    now = now or timezone.now()
    deliveries = Delivery.objects.filter(issue=issue)
    retried = Q(state=State.QUEUED) & (Q(attempts__gt=0) | Q(retry_at__isnull=False))
    rows = list(
        deliveries.values("state")
        .annotate(n=Count("id"), deferred=Count("id", filter=retried))
        .order_by()
    )
    by_state = {row["state"]: row["n"] for row in rows}
    deferred = sum(row["deferred"] for row in rows)
    total = sum(by_state.values())
    recent = deliveries.filter(
        state=State.SENT, sent_at__gt=now - datetime.timedelta(seconds=RATE_WINDOW)
    ).count()
    rate = recent / RATE_WINDOW
    waiting = by_state.get(State.QUEUED, 0) + by_state.get(State.SENDING, 0)
    eta = round(waiting / rate) if rate and waiting else (0 if not waiting else None)
    per_minute = list(
        deliveries.filter(
            state=State.SENT, sent_at__gt=now - datetime.timedelta(minutes=CHART_MINUTES)
        )
        .annotate(minute=TruncMinute("sent_at"))
        .values("minute")
        .annotate(n=Count("id"))
        .order_by("minute")
        .values_list("minute", "n")
    )
    return Progress(total, by_state, round(rate, 1), eta, per_minute, deferred)


CHART_WIDTH, CHART_HEIGHT = 100, 30


def chart_bars(per_minute: list[tuple[datetime.datetime, int]]) -> list[dict[str, object]]:
    """Bars for an SVG chart (viewBox 100 x 30) of messages per minute, with labels."""
    if not per_minute:
        return []
    top = max(n for _, n in per_minute) or 1
    width = CHART_WIDTH / len(per_minute)
    bars = []
    for i, (minute, n) in enumerate(per_minute):
        height = CHART_HEIGHT * n / top
        bars.append(
            {
                "x": round(i * width, 3),
                "y": round(CHART_HEIGHT - height, 3),
                "width": round(width * 0.8, 3),
                "height": round(height, 3),
                "label": f"{minute:%H:%M}: {n} messages",
            }
        )
    return bars
