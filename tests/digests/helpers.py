"""Digest issues and their readers in a line each, for the tests of every part that mails."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dateline.digests.models import DigestIssue, DigestStory
from dateline.newsletter.models import Subscriber


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
