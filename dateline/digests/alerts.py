"""Sending an article or a live blog as a breaking-news alert, and a written issue.

An editor's confirmation makes a DigestIssue of the kind (one DigestStory for an
alert) and approves it through editorial.approve, so it goes through the digest's
engine with the same crash safety; or, with a time, leaves it SCHEDULED for the
release job. Alerts are capped per day (NewsletterSettings.alerts_per_day, the
site's time zone): the cap is checked and the issue made in one transaction that
holds the Breaking news row, so two editors confirming at once cannot both pass.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from dateline.digests import editorial, storykinds
from dateline.digests.models import DigestIssue, DigestStory, WrittenIssue
from dateline.newsletter.models import Newsletter, NewsletterSettings, Subscriber

Kind, Status = DigestIssue.Kind, DigestIssue.Status


class Refused(ValueError):
    """Not sent, and nothing made: the message says why."""


def readers(newsletter: Newsletter) -> int:
    """How many readers an issue of ``newsletter`` would go to now (approval's rule)."""
    return (
        Subscriber.objects.filter(
            status=Subscriber.Status.ACTIVE,
            subscriptions__newsletter=newsletter,
            subscriptions__left_at=None,
        )
        .distinct()
        .count()
    )


def _day(moment: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The site-time-zone day ``moment`` falls in, as aware bounds."""
    local = timezone.localtime(moment)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, timezone.make_aware(
        datetime.datetime.combine(start.date() + datetime.timedelta(days=1), datetime.time())
    )


def alerts_on_day(moment: datetime.datetime) -> int:
    """Alerts confirmed for the day of ``moment``: sent, being sent or scheduled for it.

    An alert is a draft only between its confirmation and its approval a moment
    later; it counts then too, or two editors confirming at once would both pass.
    """
    start, end = _day(moment)
    return (
        DigestIssue.objects.filter(kind=Kind.ALERT, slot_at__gte=start, slot_at__lt=end)
        .exclude(status=Status.CANCELLED)
        .count()
    )


def earlier_alerts(article: Page) -> list[DigestIssue]:
    """Alerts that carried ``article`` already (not cancelled): the editor is warned."""
    return list(
        DigestIssue.objects.filter(kind=Kind.ALERT, stories__article=article)
        .exclude(status=Status.CANCELLED)
        .order_by("-slot_at")
    )


def _when(send_at: datetime.datetime | None, now: datetime.datetime) -> datetime.datetime:
    if send_at is not None and send_at <= now:
        raise Refused("The time to send at has passed: choose a later one, or send now")
    return send_at or now


def _timing(slot_at: datetime.datetime, scheduled: bool, user: Any) -> dict[str, Any]:
    """The fields of a confirmed issue that is not a digest: no cadence, no period.

    Scheduled, or a draft for a moment: confirm() approves it at once.
    """
    return {
        "cadence": "",
        "slot_at": slot_at,
        "period_start": slot_at,
        "period_end": slot_at,
        "status": Status.SCHEDULED if scheduled else Status.DRAFT,
        "approved_by": user if user is not None and user.pk else None,
    }


def make_alert(
    article: Page,
    *,
    subject: str = "",
    preheader: str = "",
    send_at: datetime.datetime | None = None,
    user: Any = None,
    now: datetime.datetime | None = None,
) -> DigestIssue:
    """The alert's issue, checked against the day's cap: draft to send now, or scheduled."""
    now = now or timezone.now()
    if not article.live or not storykinds.is_story_page(article):
        raise Refused("Only a published article or live blog can be sent as an alert")
    slot_at = _when(send_at, now)
    with transaction.atomic():
        alerts = Newsletter.alerts()
        # Holds the list's row: a second confirmation waits here and counts this one.
        Newsletter.objects.select_for_update().filter(pk=alerts.pk).first()
        cap = NewsletterSettings.load().alerts_per_day
        if alerts_on_day(slot_at) >= cap:
            raise Refused(
                f"The day's limit of {cap} alert{'s' if cap != 1 else ''} is reached "
                f"({timezone.localtime(slot_at):%d %B}); an administrator can raise it in "
                "Settings, Newsletter settings"
            )
        issue = DigestIssue.objects.create(
            kind=Kind.ALERT,
            newsletter=alerts,
            subject=subject,
            preheader=preheader,
            **_timing(slot_at, send_at is not None, user),
        )
        DigestStory.objects.create(issue=issue, article=article, position=1)
    return issue


def make_written_send(
    written: WrittenIssue,
    *,
    send_at: datetime.datetime | None = None,
    user: Any = None,
    now: datetime.datetime | None = None,
) -> DigestIssue:
    """A written issue's send to its newsletter: a draft to send now, or scheduled."""
    now = now or timezone.now()
    if not written.body:
        raise Refused("The issue has no blocks: write something first")
    slot_at = _when(send_at, now)
    return DigestIssue.objects.create(
        kind=Kind.EDITED,
        newsletter=written.newsletter,
        written=written,
        subject=written.subject,
        preheader=written.preheader,
        **_timing(slot_at, send_at is not None, user),
    )


def confirm(issue: DigestIssue, user: Any = None) -> int:
    """Send a just-made issue now (readers queued), or leave it scheduled (0).

    An issue that cannot be approved is cancelled, so it holds no place under the cap.
    """
    if issue.status == Status.SCHEDULED:
        return 0
    try:
        return editorial.approve(issue, user=user)
    except editorial.NotADraft as error:
        editorial.cancel(issue)
        raise Refused(str(error)) from error
