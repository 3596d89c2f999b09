"""Digest issues and their readers in a line each, for the tests of every part that mails."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dateline.digests.models import DigestIssue, DigestStory
from dateline.newsletter.models import Subscriber

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


def reader(address: str, *sections, cadence="weekly") -> Subscriber:
    subscriber = Subscriber.objects.create(
        email=address, status=Subscriber.Status.ACTIVE, cadence=cadence
    )
    subscriber.sections.set(sections)
    return subscriber
