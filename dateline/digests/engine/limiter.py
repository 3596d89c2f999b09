"""The relay's rate limits, shared by every worker of every machine through the database."""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings
from django.db import transaction

from dateline.digests.models import RelayBudget


def relay_name() -> str:
    """The relay a rate limit belongs to: workers sending through one share its budget."""
    return f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"


class RelayLimiter:
    """Token buckets in the database (RelayBudget), one row per relay.

    The per-second bucket holds at most a tenth of a second's tokens and the
    per-hour one a minute's, so no window of any length sees much more than
    the rate: a relay's counters are kept, not merely its averages.
    """

    def __init__(self, relay: str, per_second: float, per_hour: float) -> None:
        self.relay = relay
        self.per_second = per_second
        self.per_hour = per_hour
        self.second_cap = max(1.0, per_second / 10)
        self.hour_cap = max(1.0, per_hour / 60)
        if self.active:
            RelayBudget.objects.get_or_create(
                relay=relay,
                defaults={
                    "second_tokens": self.second_cap,
                    "hour_tokens": self.hour_cap,
                    "updated": time.time(),
                },
            )

    @property
    def active(self) -> bool:
        return self.per_second > 0 or self.per_hour > 0

    def take(self, wanted: int, stop: threading.Event) -> int:
        """Wait for at least one token and take up to ``wanted``; 0 if told to stop."""
        if not self.active:
            return wanted
        while True:
            granted, wait = self._try(wanted)
            if granted:
                return granted
            if stop.wait(min(wait, 1.0)):
                return 0

    def _try(self, wanted: int) -> tuple[int, float]:
        """Tokens granted now, or 0 and how long until the emptiest bucket holds one."""
        now = time.time()
        with transaction.atomic():
            budget = RelayBudget.objects.select_for_update().get(relay=self.relay)
            elapsed = max(0.0, now - budget.updated)
            buckets = []
            if self.per_second:
                budget.second_tokens = min(
                    self.second_cap, budget.second_tokens + elapsed * self.per_second
                )
                buckets.append(("second_tokens", self.per_second))
            if self.per_hour:
                budget.hour_tokens = min(
                    self.hour_cap, budget.hour_tokens + elapsed * self.per_hour / 3600
                )
                buckets.append(("hour_tokens", self.per_hour / 3600))
            granted = min(wanted, *(math.floor(getattr(budget, name)) for name, _ in buckets))
            for name, _ in buckets:
                setattr(budget, name, getattr(budget, name) - max(granted, 0))
            budget.updated = max(now, budget.updated)
            budget.save(update_fields=["second_tokens", "hour_tokens", "updated"])
        if granted >= 1:
            return granted, 0.0
        wait = max((1 - getattr(budget, name)) / rate for name, rate in buckets)
        return 0, max(wait, 0.001)
