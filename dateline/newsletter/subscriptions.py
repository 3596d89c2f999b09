"""Which newsletters a reader is on: joining and leaving one, with its evidence.

A Subscription is opened with the words the reader agreed to and closed (never
deleted) when they leave, so the rows stay the newsletter's consent history.
Leaving the last newsletter is a full unsubscribe: signup.leave does that.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from dateline.newsletter.models import (
    ConsentRecord,
    ConsentText,
    Newsletter,
    Subscriber,
    Subscription,
)

CHOOSABLE_CACHE_KEY = "newsletter:choosable"
# left_issue_id is a BIGINT: a bigger number in a hand-made URL must not reach it.
MAX_ISSUE_ID = 2**63 - 1


def choosable() -> list[Newsletter]:
    """The newsletters a reader can choose, in order; cached, as the box on every
    article lists them (Newsletter.save clears it)."""
    newsletters = cache.get(CHOOSABLE_CACHE_KEY)
    if newsletters is None:
        Newsletter.digest()  # a fresh database has none yet
        newsletters = list(Newsletter.objects.filter(choosable=True))
        cache.set(CHOOSABLE_CACHE_KEY, newsletters, 300)
    return newsletters


def asked_for(consent: ConsentRecord) -> list[Newsletter]:
    """The newsletters a request asked for; a request from before there were
    several (no ids) meant the digest."""
    if not consent.newsletter_ids:
        return [Newsletter.digest()]
    return list(Newsletter.objects.filter(pk__in=consent.newsletter_ids))


def open_ones(subscriber: Subscriber) -> list[Subscription]:
    return list(
        Subscription.objects.filter(subscriber=subscriber, left_at=None).select_related(
            "newsletter"
        )
    )


def open_newsletter_ids(subscriber: Subscriber) -> set[int]:
    return set(
        Subscription.objects.filter(subscriber=subscriber, left_at=None).values_list(
            "newsletter_id", flat=True
        )
    )


def join(
    subscriber: Subscriber,
    newsletters: Iterable[Newsletter],
    *,
    source: str,
    consent_text: ConsentText,
    consent: ConsentRecord | None = None,
) -> list[Subscription]:
    """Open a subscription to each newsletter the reader is not on yet; the open
    ones stay as they are (with the evidence they were opened with)."""
    wanted = {newsletter.pk: newsletter for newsletter in newsletters}
    with transaction.atomic():
        # The reader's row as the lock: two saves at once must not both open one.
        Subscriber.objects.select_for_update().filter(pk=subscriber.pk).exists()
        already = set(
            Subscription.objects.filter(
                subscriber=subscriber, newsletter_id__in=wanted, left_at=None
            ).values_list("newsletter_id", flat=True)
        )
        now = timezone.now()
        return Subscription.objects.bulk_create(
            [
                Subscription(
                    subscriber=subscriber,
                    newsletter=newsletter,
                    joined_at=now,
                    source=source[:100],
                    consent_text=consent_text,
                    consent=consent,
                )
                for pk, newsletter in wanted.items()
                if pk not in already
            ]
        )


def close(
    subscriber: Subscriber,
    newsletters: Iterable[Newsletter] | None,
    *,
    how: str,
    issue: int | None = None,
) -> int:
    """Close the reader's open subscriptions to these newsletters (None: to all).
    A repeated request finds nothing open and changes nothing."""
    rows = Subscription.objects.filter(subscriber=subscriber, left_at=None)
    if newsletters is not None:
        rows = rows.filter(newsletter__in=list(newsletters))
    if issue is not None and not 0 < issue <= MAX_ISSUE_ID:
        issue = None
    return rows.update(left_at=timezone.now(), left_how=how[:100], left_issue_id=issue)
