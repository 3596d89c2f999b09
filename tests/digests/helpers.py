"""Digest issues and their readers in a line each, for the tests of every part that mails."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from dateline.digests.models import DigestIssue, DigestStory
from dateline.newsletter.models import ConsentText, Newsletter, Subscriber, Subscription

# An editor's introduction to the digest, as Wagtail's rich text editor stores it.
INTRO = (
    '<p data-block-key="a"><b>A big week.</b> Read <a href="https://example.org/dam">the dam '
    'story</a> first, then <i>the rest</i>.</p><p data-block-key="b">Enjoy.</p>'
)


def make_issue(articles, cadence="weekly", days_ago=0) -> DigestIssue:
    slot = timezone.now().replace(microsecond=0) - datetime.timedelta(days=days_ago)
    issue = DigestIssue.objects.create(
        cadence=cadence,
        slot_at=slot,
        period_start=slot - datetime.timedelta(days=7),
        period_end=slot,
    )
    for i, article in enumerate(articles, start=1):
        DigestStory.objects.create(issue=issue, article=article, position=i)
    return issue


def subscribe(readers: Iterable[Subscriber], newsletter: Newsletter | None = None) -> None:
    """Open subscriptions of ``readers`` to ``newsletter`` (the digest when None)."""
    newsletter = newsletter or Newsletter.digest()
    text = ConsentText.current()
    Subscription.objects.bulk_create(
        Subscription(subscriber=r, newsletter=newsletter, source="test", consent_text=text)
        for r in readers
    )


def subscribe_all(newsletter: Newsletter | None = None) -> None:
    """Every subscriber with no open subscription to ``newsletter`` gets one (bulk tests)."""
    newsletter = newsletter or Newsletter.digest()
    on = Subscription.objects.filter(newsletter=newsletter, left_at=None)
    subscribe(Subscriber.objects.exclude(pk__in=on.values("subscriber_id")), newsletter)


def reader(address: str, *sections, cadence="weekly", newsletters=()) -> Subscriber:
    """An active reader on the digest (and on ``newsletters`` too)."""
    subscriber = Subscriber.objects.create(
        email=address, status=Subscriber.Status.ACTIVE, cadence=cadence
    )
    subscriber.sections.set(sections)
    subscribe([subscriber])
    for newsletter in newsletters:
        subscribe([subscriber], newsletter)
    return subscriber
