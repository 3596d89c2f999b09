"""Bounces after the relay accepted a message: delivery status notifications and complaints.

A digest leaves with the envelope sender ``bounce+<token>@<our domain>``
(render.return_path), so a bounce comes back to an address that names the
delivery without naming the reader. This module reads such a message (an RFC 3464
delivery status notification, or an older format flufl.bounce knows, or an RFC
5965 abuse report), finds the delivery by its token, and records what happened:

* a hard bounce (the address does not exist or is disabled: 5.1.x, 5.2.1) or a
  complaint suppresses the address at once;
* a soft bounce (mailbox full, greylisting, "delayed", other failures, and any
  failure reported without a status code) is scored as Mailman does: at most
  one point a day, points older than ``BOUNCE_WINDOW_DAYS`` forgotten; at
  ``BOUNCE_SOFT_THRESHOLD`` points the address is suppressed.

Messages that are neither reports nor a bounce format flufl.bounce knows
(out-of-office replies go to the envelope sender too, RFC 3834) are ignored and
said to be: guessing at prose would suppress readers who are merely on holiday.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import logging
import re
from dataclasses import dataclass
from email.message import Message

from django.conf import settings
from django.db import transaction
from django.db.models.functions import TruncDate
from django.utils import timezone
from flufl.bounce import all_failures

from dateline.digests.models import (
    DELIVERY_TOKEN_PATTERN,
    Bounce,
    Delivery,
    delivery_id_from_token,
)
from dateline.newsletter.models import Subscriber, Suppression

logger = logging.getLogger(__name__)

TOKEN = rf"({DELIVERY_TOKEN_PATTERN})"  # models.delivery_token
RETURN_PATH_TOKEN = re.compile(rf"bounce\+{TOKEN}@", re.IGNORECASE)
MESSAGE_ID_TOKEN = re.compile(rf"<\d+\.{TOKEN}@", re.IGNORECASE)
STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
# Enhanced status codes (RFC 3463) that say the address itself is gone for good.
HARD_STATUSES = ("5.1.", "5.2.1")


@dataclass
class Report:
    """What one report said about one recipient."""

    kind: str  # Bounce.Kind
    email: str
    status: str = ""
    diagnostic: str = ""
    token: str = ""


@dataclass
class Outcome:
    reports: list[Report]
    recorded: list[Bounce]
    suppressed: list[str]
    reason: str = ""  # why nothing was recorded


def parse(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def _header_tokens(message: Message, *names: str) -> list[str]:
    found = []
    for name in names:
        for value in message.get_all(name) or []:
            found += RETURN_PATH_TOKEN.findall(str(value))
    return found


def find_token(message: Message, envelope_recipient: str = "") -> str:
    """The delivery token: from the address the bounce came to, else the returned headers."""
    candidates = RETURN_PATH_TOKEN.findall(envelope_recipient)
    candidates += _header_tokens(message, "Delivered-To", "X-Original-To", "Envelope-To", "To")
    if candidates:
        return candidates[0].lower()
    # The report quotes our message (or its headers): its Message-ID carries the token.
    for part in message.walk():
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            text = part.as_string() if part.is_multipart() else str(part.get_payload())
            if match := MESSAGE_ID_TOKEN.search(text):
                return match.group(1).lower()
    return ""


def _address(value: str) -> str:
    # "rfc822; ana@example.org" (RFC 3464 2.3.2)
    kind, _, address = value.partition(";")
    return (address if address else kind).strip().strip("<>").lower()


def _dsn_details(message: Message) -> dict[str, tuple[str, str]]:
    """Each DSN recipient's status code and diagnostic, by its original and final address."""
    details: dict[str, tuple[str, str]] = {}
    for part in message.walk():
        payload = part.get_payload()
        if part.get_content_type() != "message/delivery-status" or not isinstance(payload, list):
            continue
        # Python parses the field groups as messages: the first is per-message.
        for block in (b for b in payload[1:] if isinstance(b, Message)):
            diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())[:500]
            match = STATUS.search(str(block.get("Status", ""))) or STATUS.search(diagnostic)
            status = ".".join(match.groups()) if match else ""
            for field in ("Original-Recipient", "Final-Recipient"):
                if recipient := block.get(field):
                    details.setdefault(_address(str(recipient)), (status, diagnostic))
    return details


def read_reports(message: Message) -> list[Report]:
    """Every recipient a DSN or an abuse report speaks of, with what happened."""
    # flufl.bounce says who failed for good and who was delayed, but not why; the status
    # code tells a gone address (hard) from a full mailbox (also "failed", but soft), so
    # that part is read here. It reads no abuse reports either.
    try:
        temporary, permanent = all_failures(message)
    except Exception:  # flufl.bounce 6.0's Yale detector fails on a message without From:
        temporary = permanent = frozenset()
    details = _dsn_details(message)
    reports = []
    for addresses, failed in ((permanent, True), (temporary, False)):
        for raw_address in sorted(addresses):
            address = raw_address.decode("ascii", "replace").lower()
            status, diagnostic = details.get(address, ("", ""))
            hard = failed and status.startswith(HARD_STATUSES)
            kind = Bounce.Kind.HARD if hard else Bounce.Kind.SOFT
            reports.append(Report(kind, address, status, diagnostic))
    for part in message.walk():
        if part.get_content_type() == "message/feedback-report":
            # RFC 5965: a reader pressed "this is spam". Never mail them again.
            fields = _recipient_blocks_or_fields(part)
            recipient = fields.get("Original-Rcpt-To") or ""
            reports.append(
                Report(
                    Bounce.Kind.COMPLAINT,
                    _address(str(recipient)),
                    diagnostic=f"feedback type {fields.get('Feedback-Type', 'abuse')}",
                )
            )
    return reports


def _recipient_blocks_or_fields(part: Message) -> Message:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    return email.message_from_string(str(payload).strip() + "\n")


def soft_score(address: str, now: datetime.datetime) -> int:
    """Days with a soft bounce within the window: one point a day, as Mailman counts."""
    since = now - datetime.timedelta(days=settings.BOUNCE_WINDOW_DAYS)
    return (
        Bounce.objects.filter(email=address, kind=Bounce.Kind.SOFT, received_at__gt=since)
        .annotate(day=TruncDate("received_at"))
        .values("day")
        .distinct()
        .count()
    )


def _suppress(address: str, reason: str, note: str) -> bool:
    _, created = Suppression.objects.get_or_create(
        email=address, defaults={"reason": reason, "note": note[:500]}
    )
    return created


def record(
    address: str,
    kind: str,
    *,
    source: str,
    status: str = "",
    diagnostic: str = "",
    delivery: Delivery | None = None,
    now: datetime.datetime | None = None,
) -> tuple[Bounce, bool]:
    """Store one bounce or complaint and suppress the address if it calls for it.

    Returns the Bounce and whether the address was suppressed now.
    """
    now = now or timezone.now()
    address = address.lower()
    bounce = Bounce.objects.create(
        delivery=delivery,
        email=address,
        kind=kind,
        status=status[:20],
        diagnostic=diagnostic[:500],
        source=source[:50],
        received_at=now,
    )
    if kind == Bounce.Kind.HARD:
        if delivery is not None:
            Delivery.objects.filter(pk=delivery.pk).update(
                state=Delivery.State.BOUNCED,
                last_error=f"bounced later: {status} {diagnostic}"[:500],
            )
        return bounce, _suppress(address, Suppression.Reason.HARD_BOUNCE, diagnostic)
    if kind == Bounce.Kind.COMPLAINT:
        return bounce, _suppress(address, Suppression.Reason.COMPLAINT, diagnostic)
    if soft_score(address, now) >= settings.BOUNCE_SOFT_THRESHOLD:
        note = f"soft bounces on {settings.BOUNCE_SOFT_THRESHOLD} days, last {status}".strip()
        return bounce, _suppress(address, Suppression.Reason.SOFT_BOUNCES, note)
    return bounce, False


def known_address(address: str) -> bool:
    """Whether we ever mailed this address: reports about strangers are somebody else's."""
    return (
        Delivery.objects.filter(email__iexact=address).exists()
        or Subscriber.objects.filter(email__iexact=address).exists()
    )


def process(raw: bytes, *, source: str = "dsn", envelope_recipient: str = "") -> Outcome:
    """Read one bounce message and record what it says; never raises on bad input."""
    try:
        message = parse(raw)
        reports = read_reports(message)
    except Exception as error:  # anything unreadable is just not a report
        return Outcome([], [], [], reason=f"unreadable message: {error}")
    if not reports:
        # DSNs are auto-replies too (Postfix marks them so): only a non-report is a holiday note.
        if str(message.get("Auto-Submitted", "")).lower().startswith("auto-replied"):
            return Outcome([], [], [], reason="an automatic reply (out of office), not a bounce")
        return Outcome([], [], [], reason="not a delivery status notification or abuse report")
    token = find_token(message, envelope_recipient)
    delivery_id = delivery_id_from_token(token) if token else None
    delivery = Delivery.objects.filter(pk=delivery_id).first() if delivery_id else None
    now = timezone.now()
    recorded, suppressed = [], []
    with transaction.atomic():
        for report in reports:
            # The report names the recipient; with our token we trust our own record.
            address = delivery.email.lower() if delivery else report.email
            if delivery is None and not known_address(address):
                continue
            bounce, now_suppressed = record(
                address,
                report.kind,
                source=source,
                status=report.status,
                diagnostic=report.diagnostic,
                delivery=delivery,
                now=now,
            )
            recorded.append(bounce)
            if now_suppressed:
                suppressed.append(address)
    reason = "" if recorded else "the report is about no address we sent to"
    if suppressed:
        logger.info("%d address(es) suppressed after a %s bounce report", len(suppressed), source)
    return Outcome(reports, recorded, suppressed, reason)
