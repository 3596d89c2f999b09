"""A subscriber's data for export, and its erasure."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from dateline.newsletter.models import ConsentRecord, ErasureRecord, Subscriber, Suppression


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
        "consent_records": [
            c.as_evidence()
            for c in ConsentRecord.objects.filter(email=subscriber.email)
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
