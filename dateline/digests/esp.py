"""An ESP's bounce and complaint webhooks (django-anymail) feed the suppression list.

Anymail verifies the webhook (its secret, and the ESP's signature where there
is one) and normalises each ESP's payload into a tracking event; this handler
records the events that matter for deliverability the same way a DSN is
recorded (bounces.record).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dateline.digests import bounces
from dateline.digests.models import Bounce
from dateline.newsletter import signup
from dateline.newsletter.models import Subscriber

# Anymail's normalised event types -> our kinds of bounce.
KINDS = {
    "bounced": Bounce.Kind.HARD,
    "deferred": Bounce.Kind.SOFT,
    "complained": Bounce.Kind.COMPLAINT,
}
# A rejection for these reasons means the address cannot take mail.
HARD_REJECTIONS = frozenset({"bounced", "invalid", "blocked"})


def on_tracking(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    address = (event.recipient or "").strip().lower()
    if not address or not bounces.known_address(address):
        return
    kind = KINDS.get(event.event_type)
    if event.event_type == "rejected" and event.reject_reason in HARD_REJECTIONS:
        kind = Bounce.Kind.HARD
    with transaction.atomic():
        if event.event_type == "unsubscribed":
            # The reader used the ESP's own unsubscribe link: honour it here too.
            subscriber = Subscriber.objects.filter(email__iexact=address).first()
            if subscriber is not None and subscriber.status != Subscriber.Status.UNSUBSCRIBED:
                signup.unsubscribe(subscriber, how=f"esp:{esp_name.lower()}")
            return
        if kind is None:
            return  # delivered, opened, clicked...: nothing for the suppression list
        bounces.record(
            address,
            kind,
            source=esp_name.lower(),
            diagnostic=str(event.description or event.mta_response or event.event_type),
            now=event.timestamp,
        )
