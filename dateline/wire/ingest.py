"""Parsed items into the database: identity by guid, versions, kills, duplicates, clusters."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from dateline.wire.clustering import Clusterer
from dateline.wire.followups import mail_kill_warning
from dateline.wire.formats import ParsedItem, ParseResult, Problem
from dateline.wire.models import Provider, StoryCluster, WireItem, WireUse

logger = logging.getLogger(__name__)

# How far back the desk looks for a cluster a new report could join.
CLUSTER_WINDOW = datetime.timedelta(days=7)


@dataclass
class IngestReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    killed: int = 0
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.created} new, {self.updated} updated, {self.killed} killed, "
            f"{self.duplicates} duplicates, {self.unchanged} unchanged, "
            f"{len(self.problems)} problems"
        )


def _is_newer(parsed: ParsedItem, item: WireItem) -> bool:
    if parsed.status != item.status:
        return True
    if parsed.version and item.version and parsed.version != item.version:
        try:
            return int(parsed.version) > int(item.version)
        except ValueError:
            pass
    if parsed.version_created and item.version_created:
        return parsed.version_created > item.version_created
    return False


def _fill(item: WireItem, parsed: ParsedItem) -> None:
    item.version = parsed.version[:50]
    item.original_source = parsed.original_source[:200]
    item.headline = parsed.headline[:500]
    item.byline = parsed.byline[:300]
    item.body_html = parsed.body_html
    item.body_text = parsed.body_text
    item.dateline = parsed.dateline[:200]
    item.first_created = parsed.first_created or item.first_created
    item.version_created = parsed.version_created
    item.credit = parsed.credit[:300]
    item.copyright = parsed.copyright[:300]
    item.usage_terms = parsed.usage_terms
    item.status = parsed.status
    item.embargoed_until = parsed.embargoed_until
    item.url = parsed.url[:1000]
    item.images = [
        {"href": i.href, "caption": i.caption, "credit": i.credit} for i in parsed.images
    ]
    item.links = parsed.links


def desk_clusterer(now: datetime.datetime) -> Clusterer:
    """The clusterer as the desk left it: recent items put back in their clusters."""
    clusterer = Clusterer()
    recent = (
        WireItem.objects.filter(received_at__gte=now - CLUSTER_WINDOW, cluster__isnull=False)
        .only(
            "pk",
            "headline",
            "body_text",
            "dateline",
            "version_created",
            "received_at",
            "cluster_id",
        )
        .order_by("version_created", "pk")
    )
    for item in recent.iterator():
        doc = clusterer.document(
            str(item.pk), item.headline, item.body_text, item.when, item.dateline
        )
        clusterer.add_known(doc, item.cluster_id)  # type: ignore[arg-type]
    return clusterer


def place(clusterer: Clusterer, item: WireItem) -> None:
    """Put one stored item into its cluster (and mark it a duplicate), creating one if new."""
    doc = clusterer.document(str(item.pk), item.headline, item.body_text, item.when, item.dateline)
    known = set(clusterer.clusters)
    assignment = clusterer.add(doc)
    cluster_id = assignment.cluster
    if cluster_id not in known or not StoryCluster.objects.filter(pk=cluster_id).exists():
        cluster = StoryCluster.objects.create(headline=item.headline[:500], last_item_at=item.when)
        clusterer.rename(cluster_id, cluster.pk)
        cluster_id = cluster.pk
    else:
        StoryCluster.objects.filter(pk=cluster_id, last_item_at__lt=item.when).update(
            last_item_at=item.when
        )
    item.cluster_id = cluster_id
    item.duplicate_of_id = int(assignment.duplicate_of) if assignment.duplicate_of else None
    item.save(update_fields=["cluster", "duplicate_of"])


def ingest(
    provider: Provider, result: ParseResult, now: datetime.datetime | None = None
) -> IngestReport:
    """Store what a parser read; each item in its own transaction, so one cannot sink all."""
    now = now or timezone.now()
    report = IngestReport(problems=list(result.problems))
    clusterer: Clusterer | None = None
    for parsed in result.items:
        try:
            with transaction.atomic():
                item, outcome = _store(provider, parsed, now)
                if outcome in ("created", "updated"):
                    clusterer = clusterer or desk_clusterer(now)
                    place(clusterer, item)
                    if item.duplicate_of_id:
                        report.duplicates += 1
        except Exception as exc:
            # Not the guid or the message: both may quote the feed (egress.py).
            logger.warning("Could not store a wire item: %s", type(exc).__name__)
            report.problems.append(Problem("error", f"{type(exc).__name__}: {exc}", parsed.guid))
            continue
        if outcome == "created":
            report.created += 1
        elif outcome == "updated":
            report.updated += 1
        elif outcome == "killed":
            report.killed += 1
        else:
            report.unchanged += 1
    return report


def _store(provider: Provider, parsed: ParsedItem, now: datetime.datetime) -> tuple[WireItem, str]:
    item = WireItem.objects.select_for_update().filter(provider=provider, guid=parsed.guid).first()
    if item is None:
        item = WireItem(provider=provider, guid=parsed.guid, received_at=now, updated_at=now)
        _fill(item, parsed)
        item.save()
        return item, "created"
    if not _is_newer(parsed, item):
        return item, "unchanged"
    was_killed = item.is_killed
    _fill(item, parsed)
    item.is_update = True
    item.updated_at = now
    item.save()
    if item.status != WireItem.Status.USABLE and not was_killed:
        warn_users(item, killed=True)
        return item, "killed"
    warn_users(item, killed=False)
    return item, "updated"


def warn_users(item: WireItem, *, killed: bool) -> None:
    """Note the change on every article that used the item, and mail its editors on a kill."""
    when = timezone.localtime(item.updated_at).strftime("%d %b %Y %H:%M")
    if killed:
        notice = (
            f"{item.provider.name} withdrew “{item.headline}” on {when}. Check this story "
            "and remove what came from that report."
        )
    else:
        notice = (
            f"{item.provider.name} updated “{item.headline}” on {when}, after this "
            "story used it. Compare the new version."
        )
    uses = WireUse.objects.filter(item=item)
    uses.update(notice=notice)
    if killed and uses.exists():
        transaction.on_commit(lambda: mail_kill_warning.enqueue(item.pk))
