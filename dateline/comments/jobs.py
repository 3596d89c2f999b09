"""The comments' scheduled job (``dateline scheduler`` reads ``JOBS``)."""

from __future__ import annotations

from dateline.comments.tasks import enqueue_safely, send_moderation_summary
from dateline.lib.jobs import Job


def send_comment_moderation_summary() -> None:
    # The mail goes from a worker; the job only queues it, once a day.
    enqueue_safely(send_moderation_summary)


JOBS = [Job("comment-moderation-summary", 24 * 3600, send_comment_moderation_summary)]
