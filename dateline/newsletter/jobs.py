"""The newsletter's scheduled job (``dateline scheduler`` reads ``JOBS``)."""

from __future__ import annotations

from dateline.lib.jobs import Job
from dateline.newsletter.signup import expire_unconfirmed


def expire_unconfirmed_subscribers() -> None:
    expire_unconfirmed()


JOBS = [Job("expire-unconfirmed-subscribers", 3600, expire_unconfirmed_subscribers)]
