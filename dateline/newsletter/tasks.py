"""Newsletter mail, sent by the worker, never inside a request."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from dateline.lib.emails import make_message
from dateline.newsletter import subscriptions
from dateline.newsletter.models import ConsentRecord, Newsletter, Subscriber
from dateline.newsletter.tokens import (
    list_unsubscribe_headers,
    manage_url,
    new_confirmation_token,
)


@task()
def send_confirmation(consent_id: int) -> bool:
    """Mail the confirmation link for one request; False when it was replaced meanwhile."""
    token, token_hash = new_confirmation_token()
    with transaction.atomic():
        consent = (
            ConsentRecord.objects.select_for_update()
            .filter(pk=consent_id, status=ConsentRecord.Status.PENDING)
            .first()
        )
        if consent is None:
            return False
        consent.token_hash = token_hash
        consent.token_expires_at = timezone.now() + datetime.timedelta(
            hours=settings.NEWSLETTER_CONFIRM_HOURS
        )
        consent.mail_sent_at = timezone.now()
        consent.save(update_fields=["token_hash", "token_expires_at", "mail_sent_at"])
    # Only the address and our own words go into this mail: nothing else the
    # visitor typed, so the form cannot carry a stranger's message.
    template = (
        "newsletter/emails/confirm-address"
        if consent.purpose == ConsentRecord.Purpose.CHANGE_ADDRESS
        else "newsletter/emails/confirm"
    )
    make_message(
        template,
        {
            "confirm_url": f"{settings.BASE_URL}/newsletter/confirm/{token}/",
            "expires_hours": settings.NEWSLETTER_CONFIRM_HOURS,
            "cadence": consent.get_cadence_display().lower(),
            # Names the newsroom gave them: our words, not the visitor's.
            "newsletters": named(subscriptions.asked_for(consent), consent.get_cadence_display()),
        },
        consent.email,
    ).send()
    return True


def named(newsletters: list[Newsletter], cadence: str) -> str:
    """Their names, the digest with its cadence: "The digest (once a week), Breaking news"."""
    ordered = sorted(newsletters, key=lambda n: (n.position, n.pk))
    return ", ".join(
        f"{n.name} ({cadence.lower()})" if n.kind == Newsletter.Kind.DIGEST else n.name
        for n in ordered
    )


@task()
def send_already_subscribed(subscriber_id: int) -> bool:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or not subscriber.is_active:
        return False
    make_message(
        "newsletter/emails/already-subscribed",
        {"manage_url": manage_url(subscriber)},
        subscriber.email,
        # Sent to a confirmed subscriber: one-click unsubscribe, as on every digest.
        headers=list_unsubscribe_headers(subscriber),
    ).send()
    return True


@task()
def send_welcome(subscriber_id: int) -> bool:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or not subscriber.is_active:
        return False
    make_message(
        "newsletter/emails/welcome",
        {
            "manage_url": manage_url(subscriber),
            "newsletters": named(
                [s.newsletter for s in subscriptions.open_ones(subscriber)],
                subscriber.get_cadence_display(),
            ),
        },
        subscriber.email,
        headers=list_unsubscribe_headers(subscriber),
    ).send()
    return True
