"""The digests' scheduled jobs (``dateline scheduler`` reads ``JOBS``)."""

from __future__ import annotations

from django.conf import settings

from dateline.digests.editorial import run_schedule
from dateline.digests.mailbox import poll
from dateline.lib.jobs import Job


def run_digest_schedule() -> None:
    run_schedule()


def poll_bounce_mailbox() -> None:
    if settings.BOUNCE_MAILBOX_URL:
        poll(settings.BOUNCE_MAILBOX_URL)


JOBS = [
    Job("poll-bounce-mailbox", 300, poll_bounce_mailbox),
    Job("digests", 60, run_digest_schedule),
]
