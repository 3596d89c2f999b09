"""A subscriber's data for export, and its erasure."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from dateline.newsletter.models import (
    ConsentRecord,
    ErasureRecord,
    Subscriber,
    Subscription,
    Suppression,
)
from dateline.newsroom.models import SectionPage


def subscriber_data(subscriber: Subscriber) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "email": subscriber.email,
        "status": subscriber.status,
        "cadence": subscriber.cadence,
        "sections": [s.title for s in subscriber.sections.all()] or ["all"],
        "created_at": iso(subscriber.created_at),
        "confirmed_at": iso(subscriber.confirmed_at),
        "unsubscribed_at": iso(subscriber.unsubscribed_at),
        # Each newsletter joined and left, with the words agreed to: the evidence per newsletter.
        "subscriptions": [
            {
                "newsletter": s.newsletter.name,
                "newsletter_slug": s.newsletter.slug,
                "joined_at": iso(s.joined_at),
                "source": s.source,
                "consent_text_version": s.consent_text.version,
                "consent_text": s.consent_text.text,
                "consent_request_at": iso(s.consent.signup_at) if s.consent else None,
                "left_at": iso(s.left_at),
                "left_how": s.left_how,
                "left_issue_id": s.left_issue_id,
            }
            for s in Subscription.objects.filter(subscriber=subscriber)
            .select_related("newsletter", "consent_text", "consent")
            .order_by("joined_at", "pk")
        ],
        "consent_records": [
            c.as_evidence()
            for c in ConsentRecord.objects.filter(
                Q(email=subscriber.email) | Q(subscriber=subscriber)
            )
            .select_related("consent_text")
            .order_by("signup_at")
        ],
        "suppressed": [
            {"reason": s.reason, "since": iso(s.created_at)}
            for s in Suppression.objects.filter(email=subscriber.email)
        ],
    }


def erase(subscriber: Subscriber) -> None:
    """Delete the subscriber's personal data; keep only a count of erasures per day."""
    email = subscriber.email
    with transaction.atomic():
        ConsentRecord.objects.filter(email=email).delete()
        ConsentRecord.objects.filter(subscriber=subscriber).delete()
        subscriber.delete()
        record, _ = ErasureRecord.objects.get_or_create(day=timezone.localdate())
        ErasureRecord.objects.filter(pk=record.pk).update(count=record.count + 1)
        # The suppression entry stays only if we must keep not mailing the address
        # (a complaint or a hard bounce); an unsubscribe is erased with the rest.
        Suppression.objects.filter(email=email, reason=Suppression.Reason.UNSUBSCRIBED).delete()


def forget_admin_log(email: str, subscriber_pk: int | None) -> None:
    """Remove Wagtail audit-log lines that name an erased address.

    Wagtail logs every create and delete made through its admin views with the
    object's label, and a suppression's label is its address. Lines for a
    suppression that is still kept stay: they name nothing the table doesn't.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    if subscriber_pk is not None:
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Subscriber),
            object_id=str(subscriber_pk),
        ).delete()
    if not Suppression.objects.filter(email=email).exists():
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Suppression),
            label__startswith=f"{email} (",
        ).delete()


# CSV export -------------------------------------------------------------------

EXPORT_COLUMNS = ("email", "status", "cadence", "sections", "created_at", "confirmed_at")

# A cell starting with one of these is a formula to a spreadsheet, and addresses
# such as "=cmd|'/Ccalc'!A0@example.org" are valid. imports.py strips the guard.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def export_rows(status: str | None = None, chunk_size: int = 2000) -> Iterator[list[str]]:
    """The subscriber CSV, header first, in a few queries per ``chunk_size`` subscribers.

    Sections are slugs joined by ";" and empty for every section, which is what
    the import reads, so an export imports again unchanged.
    """
    if status and status not in Subscriber.Status.values:
        choices = ", ".join(Subscriber.Status.values)
        raise ValueError(f"Unknown status {status!r}: use one of {choices}.")
    slugs: dict[int, str] = dict(SectionPage.objects.values_list("pk", "slug"))
    through = Subscriber.sections.through
    subscribers = Subscriber.objects.order_by("pk")
    if status:
        subscribers = subscribers.filter(status=status)
    yield list(EXPORT_COLUMNS)
    last_pk = 0
    while True:
        # Keyset pages, not OFFSET: the last chunk of a big table costs what the first does.
        chunk = list(
            subscribers.filter(pk__gt=last_pk).values_list(
                "pk", "email", "status", "cadence", "created_at", "confirmed_at"
            )[:chunk_size]
        )
        if not chunk:
            return
        chosen: dict[int, list[str]] = defaultdict(list)
        for subscriber_id, section_id in through.objects.filter(
            subscriber_id__in=[row[0] for row in chunk]
        ).values_list("subscriber_id", "sectionpage_id"):
            if section_id in slugs:
                chosen[subscriber_id].append(slugs[section_id])
        for pk, email, state, cadence, created_at, confirmed_at in chunk:
            yield [
                spreadsheet_safe(email),
                state,
                cadence,
                ";".join(sorted(chosen[pk])),
                created_at.isoformat() if created_at else "",
                confirmed_at.isoformat() if confirmed_at else "",
            ]
        last_pk = chunk[-1][0]


# Growth -------------------------------------------------------------------------


@dataclass
class GrowthDay:
    day: datetime.date
    signups: int = 0
    confirmations: int = 0
    unsubscribes: int = 0


@dataclass
class Growth:
    days: list[GrowthDay]
    # Addresses that asked in the period and whose link has since expired or been used.
    asked: int
    confirmed: int
    window_hours: int
    closed_before: datetime.datetime

    @property
    def rate(self) -> float | None:
        return self.confirmed / self.asked if self.asked else None

    @property
    def totals(self) -> dict[str, int]:
        return {
            "signups": sum(d.signups for d in self.days),
            "confirmations": sum(d.confirmations for d in self.days),
            "unsubscribes": sum(d.unsubscribes for d in self.days),
        }


def growth(days: int = 90, now: datetime.datetime | None = None) -> Growth:
    """Signups, confirmations and unsubscribes per local day, in four queries.

    Each series counts distinct addresses, so a reader who submits the form
    three times in a day is one signup. Only subscription requests count: a
    change of address is neither a new subscriber nor a lost one.
    """
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    first = timezone.localdate(now) - datetime.timedelta(days=days - 1)
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    # order_by() drops the model's default ordering, which would otherwise join the GROUP BY.
    requests = ConsentRecord.objects.filter(purpose=ConsentRecord.Purpose.SUBSCRIBE).order_by()

    def per_day(field: str) -> dict[datetime.date, int]:
        rows = (
            requests.filter(**{f"{field}__gte": start, f"{field}__lte": now})
            .annotate(day=TruncDate(field, tzinfo=tz))
            .values("day")
            .annotate(n=Count("email", distinct=True))
            .values_list("day", "n")
        )
        return dict(rows)

    signups = per_day("signup_at")
    confirmations = per_day("confirmed_at")
    unsubscribes = per_day("withdrawn_at")
    series = []
    for offset in range(days):
        day = first + datetime.timedelta(days=offset)
        series.append(
            GrowthDay(day, signups.get(day, 0), confirmations.get(day, 0), unsubscribes.get(day, 0))
        )

    # The rate only counts requests whose link can no longer be used, so that
    # today's unconfirmed signups don't drag it down. An import with prior
    # consent was never asked to confirm, so it would only push the rate up.
    window = settings.NEWSLETTER_CONFIRM_HOURS
    closed_before = now - datetime.timedelta(hours=window)
    counted = requests.filter(signup_at__gte=start, signup_at__lt=closed_before).exclude(
        source__startswith="import:", source__contains=PRIOR_CONSENT_MARK
    )
    numbers = counted.aggregate(
        asked=Count("email", distinct=True),
        confirmed=Count("email", distinct=True, filter=Q(confirmed_at__isnull=False)),
    )
    return Growth(
        days=series,
        asked=numbers["asked"],
        confirmed=numbers["confirmed"],
        window_hours=window,
        closed_before=closed_before,
    )


# In the source of a consent record made by an import on the operator's word.
PRIOR_CONSENT_MARK = ": prior consent: "
