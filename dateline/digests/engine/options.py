"""How a worker sends: the DIGEST_* settings, overridable per call."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Options:
    """How a worker sends (docs/newsletter.md has the settings and their defaults)."""

    concurrency: int  # DIGEST_CONCURRENCY: lanes, one SMTP connection each
    batch_size: int  # DIGEST_BATCH: deliveries claimed at a time
    per_second: float  # DIGEST_RATE_PER_SECOND, per relay; 0: no limit
    per_hour: float  # DIGEST_RATE_PER_HOUR, per relay; 0: no limit
    pause_failure_rate: float  # DIGEST_PAUSE_FAILURE_RATE; 0: never pause
    pause_min_tried: int  # DIGEST_PAUSE_MIN_TRIED
    journal_dir: Path  # DIGEST_JOURNAL_DIR
    # DIGEST_QUEUEING_WAIT: how long a run waits for an approval still queueing readers.
    queueing_wait: float

    @classmethod
    def from_settings(cls, **overrides: Any) -> Options:
        """The settings, with ``overrides`` that are not None in their place."""
        options = cls(
            concurrency=settings.DIGEST_CONCURRENCY,
            batch_size=settings.DIGEST_BATCH,
            per_second=settings.DIGEST_RATE_PER_SECOND,
            per_hour=settings.DIGEST_RATE_PER_HOUR,
            pause_failure_rate=settings.DIGEST_PAUSE_FAILURE_RATE,
            pause_min_tried=settings.DIGEST_PAUSE_MIN_TRIED,
            journal_dir=Path(settings.DIGEST_JOURNAL_DIR),
            queueing_wait=settings.DIGEST_QUEUEING_WAIT,
        )
        options = replace(options, **{k: v for k, v in overrides.items() if v is not None})
        if options.concurrency < 1 or options.batch_size < 1:
            raise ValueError("concurrency and batch size must be at least 1")
        if options.per_second < 0 or options.per_hour < 0:
            raise ValueError("rate limits must be 0 (none) or positive")
        return options
