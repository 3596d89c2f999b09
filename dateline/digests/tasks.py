"""Digest sending, run by `dateline worker`: each task claims batches until none is left."""

from __future__ import annotations

import os
import socket

from django_tasks import task

from dateline.digests import engine
from dateline.digests.models import DigestIssue


@task()
def send_issue_task(issue_id: int) -> dict[str, int]:
    issue = DigestIssue.objects.filter(pk=issue_id).first()
    if issue is None:
        return {}
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    return engine.send_issue(issue, worker_id)
