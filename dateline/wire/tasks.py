"""Background work of the wire desk, run by ``dateline worker``."""

from __future__ import annotations

from django_tasks import task

# Tasks queued before they moved to followups.py stored this module's path; the worker
# finds them here by it.
from dateline.wire.followups import attach_wire_photo, mail_kill_warning
from dateline.wire.models import Provider
from dateline.wire.transports import poll

__all__ = ["attach_wire_photo", "mail_kill_warning", "poll_provider"]


@task()
def poll_provider(provider_id: int) -> str:
    provider = Provider.objects.filter(pk=provider_id, active=True).first()
    if provider is None:
        return "no such active provider"
    report = poll(provider)
    return str(report) if report else f"failed: {provider.last_error}"
