"""Which stories go into a digest, and when each cadence's issue is due.

Ranking: editorial priority first, then readers' interest (page views since
publication) and freshness. Stories about the same event (near-identical
headline and standfirst) collapse to the best one, and no section may take more
than ``per_section`` places, so one busy desk cannot fill the mail.
"""

from __future__ import annotations

import datetime
import math
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum

from dateline.digests.models import DigestIssue, DigestStory, SendSlot
from dateline.newsroom.models import ArticlePage, PageViewDay

PRIORITY_WEIGHT = {
    ArticlePage.Priority.TOP: 3.0,
    ArticlePage.Priority.NORMAL: 1.0,
    ArticlePage.Priority.MINOR: 0.3,
}
SAME_EVENT_SIMILARITY = 0.5
WORD = re.compile(r"\w+")
# Too common to tell two stories apart.
STOPWORDS = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have"),
        *("in", "is", "it", "its", "of", "on", "or", "that", "the", "to", "was", "were"),
        *("will", "with", "after", "over", "says", "said"),
    }
)


@dataclass
class Candidate:
    article: ArticlePage
    score: float
    words: frozenset[str]


def _words(article: ArticlePage) -> frozenset[str]:
    text = f"{article.title} {article.standfirst}".lower()
    return frozenset(w for w in WORD.findall(text) if w not in STOPWORDS and len(w) > 2)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def select_stories(
    since: datetime.datetime,
    until: datetime.datetime,
    *,
    limit: int = 8,
    per_section: int = 3,
) -> list[Candidate]:
    """The stories published in (since, until], most important first."""
    articles = list(
        ArticlePage.objects.live()
        .public()
        .filter(published_at__gt=since, published_at__lte=until)
        .order_by("-published_at")
    )
    if not articles:
        return []
    views = dict(
        PageViewDay.objects.filter(page_id__in=[a.pk for a in articles])
        .values("page_id")
        .annotate(total=Sum("views"))
        .values_list("page_id", "total")
    )
    span = max((until - since).total_seconds(), 1.0)
    candidates = []
    for article in articles:
        age = (until - article.published_at).total_seconds()
        score = (
            PRIORITY_WEIGHT.get(article.priority, 1.0)
            + 0.5 * math.log1p(views.get(article.pk, 0))
            + 0.5 * (1 - min(age / span, 1.0))
        )
        candidates.append(Candidate(article, round(score, 4), _words(article)))
    candidates.sort(key=lambda c: (c.score, c.article.published_at), reverse=True)

    chosen: list[Candidate] = []
    per_section_count: dict[str, int] = {}
    for candidate in candidates:
        if any(similarity(candidate.words, kept.words) >= SAME_EVENT_SIMILARITY for kept in chosen):
            continue  # the same event, already represented by a better story
        section = candidate.article.path[: -candidate.article.steplen]
        if per_section_count.get(section, 0) >= per_section:
            continue
        per_section_count[section] = per_section_count.get(section, 0) + 1
        chosen.append(candidate)
        if len(chosen) == limit:
            break
    return chosen


def latest_slot(cadence: str, now: datetime.datetime) -> datetime.datetime | None:
    """The most recent send slot of ``cadence`` at or before ``now``, as an aware datetime."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local_now = now.astimezone(zone)
    best: datetime.datetime | None = None
    for slot in SendSlot.objects.filter(cadence=cadence, active=True):
        days_back = (local_now.weekday() - slot.weekday) % 7
        day = local_now.date() - datetime.timedelta(days=days_back)
        # Wall-clock time in the site's zone, so 07:00 stays 07:00 across DST.
        moment = datetime.datetime.combine(day, slot.time, tzinfo=zone)
        if moment > local_now:
            moment = datetime.datetime.combine(
                day - datetime.timedelta(days=7), slot.time, tzinfo=zone
            )
        if best is None or moment > best:
            best = moment
    return best.astimezone(datetime.UTC) if best else None


def next_slot(cadence: str, now: datetime.datetime) -> datetime.datetime | None:
    """The first send slot of ``cadence`` after ``now``, as an aware datetime."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local_now = now.astimezone(zone)
    best: datetime.datetime | None = None
    for slot in SendSlot.objects.filter(cadence=cadence, active=True):
        days_ahead = (slot.weekday - local_now.weekday()) % 7
        day = local_now.date() + datetime.timedelta(days=days_ahead)
        moment = datetime.datetime.combine(day, slot.time, tzinfo=zone)
        if moment <= local_now:
            moment = datetime.datetime.combine(
                day + datetime.timedelta(days=7), slot.time, tzinfo=zone
            )
        if best is None or moment < best:
            best = moment
    return best.astimezone(datetime.UTC) if best else None


def create_due_issue(
    cadence: str, now: datetime.datetime, *, at_once: bool = False
) -> DigestIssue | None:
    """Make the issue for the cadence's latest slot, once; None when nothing is due or new.

    ``at_once`` makes ``now`` itself the slot (``send-digests --now``). Nothing
    published since the previous issue: no issue, so nothing is sent.
    """
    slot_at = now if at_once else latest_slot(cadence, now)
    if slot_at is None or DigestIssue.objects.filter(cadence=cadence, slot_at=slot_at).exists():
        return None
    previous = (
        DigestIssue.objects.filter(cadence=cadence, slot_at__lt=slot_at)
        .exclude(status=DigestIssue.Status.CANCELLED)
        .order_by("-slot_at")
        .first()
    )
    since = previous.period_end if previous else slot_at - datetime.timedelta(days=7)
    stories = select_stories(since, slot_at)
    if not stories:
        return None
    try:
        with transaction.atomic():
            issue = DigestIssue.objects.create(
                cadence=cadence, slot_at=slot_at, period_start=since, period_end=slot_at
            )
            DigestStory.objects.bulk_create(
                DigestStory(issue=issue, article=c.article, position=i, score=c.score)
                for i, c in enumerate(stories, start=1)
            )
    except IntegrityError:
        return None  # another scheduler made this slot's issue first
    return issue
