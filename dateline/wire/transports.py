"""Transports: how a provider's bytes reach us, kept apart from what format they are in.

Each transport yields ``Batch`` objects (a name for logs and the bytes); ``poll``
parses and stores each batch, and keeps the provider's health: a failed poll backs
off, and a provider that keeps failing shows as failing in the admin.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import email.utils
import logging
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from django.db.models import F
from django.utils import timezone

from dateline.wire import egress
from dateline.wire.formats import (
    MAX_FEED_BYTES,
    FeedError,
    ParsedItem,
    ParseResult,
    Problem,
    clean_html,
    parse,
    stand_in_guid,
)
from dateline.wire.ingest import IngestReport, ingest
from dateline.wire.models import Provider

logger = logging.getLogger(__name__)

HTTP_TIMEOUT = 30
USER_AGENT = "Dateline wire desk"


class TransportError(Exception):
    """The provider could not be reached or answered with an error."""


@dataclass
class Batch:
    name: str
    data: bytes
    path: Path | None = None


# HTTP ------------------------------------------------------------------------------


def fetch_http(provider: Provider) -> Iterator[Batch]:
    """One conditional GET: nothing when the feed has not changed since the last poll."""
    request = urllib.request.Request(provider.url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    if provider.etag:
        request.add_header("If-None-Match", provider.etag)
    if provider.last_modified:
        request.add_header("If-Modified-Since", provider.last_modified)
    if not provider.url.startswith(("http://", "https://")):
        raise TransportError(f"not an HTTP address: {provider.url}")
    try:
        # Only public addresses, checked on every connection (egress.py).
        with egress.opener().open(request, timeout=HTTP_TIMEOUT) as response:
            data = response.read(MAX_FEED_BYTES + 1)
            etag = response.headers.get("ETag", "")
            modified = response.headers.get("Last-Modified", "")
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return
        # The status only: the reason phrase is the server's text.
        raise TransportError(f"HTTP {exc.code} from {provider.url}") from None
    except egress.EgressRefused as exc:
        raise TransportError(str(exc)) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, egress.EgressRefused):
            raise TransportError(str(exc.reason)) from None
        raise TransportError(f"could not fetch {provider.url}: {exc.reason}") from None
    except (TimeoutError, OSError) as exc:
        raise TransportError(f"could not fetch {provider.url}: {exc}") from None
    if len(data) > MAX_FEED_BYTES:
        raise TransportError(f"feed larger than {MAX_FEED_BYTES} bytes; refused")
    # Remembered only once the body has been read in full.
    provider.etag = etag[:500]
    provider.last_modified = modified[:100]
    yield Batch(provider.url, data)


# Drop folder ---------------------------------------------------------------------------


def fetch_folder(provider: Provider) -> Iterator[Batch]:
    """Files dropped in the folder, oldest first; each is moved aside once read."""
    try:
        folder = egress.drop_folder(provider.folder)
    except egress.EgressRefused as exc:
        raise TransportError(str(exc)) from None
    if not folder.is_dir():
        raise TransportError(f"drop folder {folder} does not exist")
    # A link could lead out of the folder: only plain files are read and moved.
    files = [
        p
        for p in folder.iterdir()
        if p.is_file() and not p.is_symlink() and not p.name.startswith((".", "~", "_tmp"))
    ]
    for path in sorted(files, key=lambda p: (p.stat().st_mtime, p.name)):
        if path.stat().st_size > MAX_FEED_BYTES:
            _move(path, "failed")
            logger.warning("Wire file %s refused: larger than %s bytes", path, MAX_FEED_BYTES)
            continue
        yield Batch(path.name, path.read_bytes(), path)


def _move(path: Path, where: str) -> None:
    target = path.parent / f".{where}"
    target.mkdir(exist_ok=True)
    shutil.move(str(path), target / path.name)


# Email in --------------------------------------------------------------------------------

FEED_TYPES = (
    "application/json",
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/vnd.iptc.g2.newsitem+xml",
)


def read_email(provider: Provider, raw: bytes) -> ParseResult:
    """One message: feed attachments in the provider's format, else the mail is the story."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise FeedError("not an email message")
    result = ParseResult()
    attachments = [
        part
        for part in message.iter_attachments()
        if part.get_content_type() in FEED_TYPES
        or (part.get_filename() or "").endswith((".json", ".xml", ".rss", ".atom"))
    ]
    if attachments:
        for part in attachments:
            payload = part.get_payload(decode=True) or b""
            try:
                sub = parse(payload if isinstance(payload, bytes) else b"", provider.format)
            except FeedError as exc:
                result.problems.append(Problem("feed", f"{part.get_filename()}: {exc}"))
                continue
            result.items += sub.items
            result.problems += sub.problems
        return result
    body_part = message.get_body(preferencelist=("html", "plain"))
    body = body_part.get_content() if body_part is not None else ""
    subject = str(message.get("Subject", "")).strip()
    if not subject and not body.strip():
        raise FeedError("the message has no subject and no text")
    date = message.get("Date")
    when = None
    if date:
        try:
            when = email.utils.parsedate_to_datetime(str(date))
        except (TypeError, ValueError):
            when = None
    guid = str(message.get("Message-ID", "")).strip("<> ") or stand_in_guid(subject, body[:200])
    sender = email.utils.parseaddr(str(message.get("From", "")))[0]
    item = ParsedItem(
        guid=guid[:500],
        headline=subject or " ".join(body.split()[:12]),
        byline=sender,
        body_html=clean_html(body),
        version_created=when,
        first_created=when,
    )
    if when is None:
        item.version_created = item.first_created = timezone.now()
        result.repair("no date on the message: the time it arrived is used", item.guid)
    result.items.append(item)
    return result


# Polling -------------------------------------------------------------------------------


def batches(provider: Provider) -> Iterator[Batch]:
    if provider.transport == Provider.Transport.HTTP:
        return fetch_http(provider)
    if provider.transport == Provider.Transport.FOLDER:
        return fetch_folder(provider)
    raise TransportError("email providers are fed by `dateline wire-email`, not polled")


def poll(provider: Provider, now: datetime.datetime | None = None) -> IngestReport | None:
    """Fetch, parse and store one provider's news; None when the poll failed."""
    now = now or timezone.now()
    total = IngestReport()
    try:
        for batch in batches(provider):
            try:
                result = parse(batch.data, provider.format)
            except FeedError as exc:
                if batch.path is None:
                    raise
                # One unreadable file in a drop folder is put aside; the rest go on. The
                # reason (which may quote the file) goes to the admin, not the log.
                logger.warning("Wire file %s put aside: unreadable", batch.path)
                total.problems.append(Problem("feed", f"{batch.name}: {exc}"))
                _move(batch.path, "failed")
                continue
            report = ingest(provider, result, now)
            if batch.path is not None:
                _move(batch.path, "done")
            _add(total, report)
    except TransportError as exc:
        record_failure(provider, str(exc), now)
        return None
    except FeedError as exc:
        record_failure(provider, str(exc), now, logged="the feed is unreadable")
        return None
    provider.failures = 0
    provider.last_error = ""
    provider.last_polled_at = provider.last_success_at = now
    provider.next_poll_at = now + provider.backoff()
    provider.save(
        update_fields=[
            "failures",
            "last_error",
            "last_polled_at",
            "last_success_at",
            "next_poll_at",
            "etag",
            "last_modified",
        ]
    )
    # A poll that brought nothing new is most polls: only news makes a console line.
    eventful = total.created or total.updated or total.killed or total.problems
    logger.log(logging.INFO if eventful else logging.DEBUG, "Polled %s: %s", provider.name, total)
    return total


def record_failure(
    provider: Provider, error: str, now: datetime.datetime, logged: str | None = None
) -> None:
    """``error`` is shown in the admin; ``logged`` replaces it in the log when it may
    quote what was fetched (never echoed into logs)."""
    logger.warning("Polling %s failed: %s", provider.name, logged or error)
    Provider.objects.filter(pk=provider.pk).update(failures=F("failures") + 1)
    provider.refresh_from_db(fields=["failures"])
    provider.last_error = error[:2000]
    provider.last_polled_at = now
    provider.next_poll_at = now + provider.backoff()
    provider.save(update_fields=["last_error", "last_polled_at", "next_poll_at"])


def _add(total: IngestReport, report: IngestReport) -> None:
    total.created += report.created
    total.updated += report.updated
    total.unchanged += report.unchanged
    total.killed += report.killed
    total.duplicates += report.duplicates
    total.problems += report.problems


def claim_due(now: datetime.datetime | None = None) -> list[int]:
    """Providers whose poll is due, each claimed by one scheduler with a conditional UPDATE."""
    now = now or timezone.now()
    due = Provider.objects.filter(
        active=True,
        transport__in=[Provider.Transport.HTTP, Provider.Transport.FOLDER],
        next_poll_at__lte=now,
    ).values_list("pk", "next_poll_at", "poll_interval")
    claimed = []
    for pk, next_poll_at, interval in due:
        # Pushed ahead now, so another scheduler does not enqueue it too; the poll
        # itself sets the real next time (with backoff on failure).
        taken = Provider.objects.filter(pk=pk, next_poll_at=next_poll_at).update(
            next_poll_at=now + datetime.timedelta(seconds=max(interval, 60))
        )
        if taken:
            claimed.append(pk)
    return claimed
