"""The wire's scheduled job (``dateline scheduler`` reads ``JOBS``)."""

from __future__ import annotations

from dateline.lib.jobs import Job
from dateline.wire.tasks import poll_provider
from dateline.wire.transports import claim_due


def poll_wire_providers() -> None:
    # Claims each due provider and hands its poll to a worker, so one slow agency
    # never holds up the scheduler's other jobs.
    for provider_id in claim_due():
        poll_provider.enqueue(provider_id)


JOBS = [Job("poll-wire-providers", 15, poll_wire_providers)]
