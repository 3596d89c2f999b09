"""Per-reader engagement and open counts: off unless the newsroom turns them on.

NewsletterSettings (Settings → Newsletter settings) has two switches, both off:

- ``reader_engagement``: each reader's counted links end in their delivery's token
  (``/digests/c/<link>/<delivery token>/``), so a click also records which mail it
  came from (DeliveryClick), and an open pixel (below) which mail was opened.
  The mail is rendered once per group with the placeholder READER after each
  counted link; the splice fills it only when the group has one, so with the
  switch off no reader's mail differs and nothing is done per reader.
- ``open_tracking``: a 1x1 image in the HTML part, counted per issue (IssueOpens),
  and per delivery (DeliveryOpen) only with ``reader_engagement`` on too.

Like clicks (clicks.py) both are counted in memory and written in batches; the
redirect and the image still answer when the database is down. The switch is
read again when a batch is written: turned off, no per-reader row is written
even for mail sent while it was on.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from dateline.digests.models import (
    DELIVERY_TOKEN_PATTERN,
    Delivery,
    DeliveryClick,
    DeliveryOpen,
    DigestIssue,
    IssueOpens,
    delivery_id_from_token,
)
from dateline.lib.tally import BatchedTally
from dateline.newsletter.models import NewsletterSettings

# After each counted link in a mail when engagement is on: the reader's delivery token
# and a slash (render.RenderedGroup splices it in).
READER = "@@DLREADER@@"
OPEN_SALT = "dateline.digests.open"
# The smallest transparent GIF: what the open image answers, whatever the token.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
PIXEL_HEADERS = [
    ("Content-Type", "image/gif"),
    ("Cache-Control", "no-store, private"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Robots-Tag", "noindex"),
    ("Content-Length", str(len(PIXEL))),
]


def switches() -> NewsletterSettings:
    return NewsletterSettings.load()


def reader_engagement() -> bool:
    return bool(switches().reader_engagement)


def click_suffix() -> str:
    """What follows each counted link in a group's mail: the reader's token, or nothing."""
    return READER if reader_engagement() else ""


def reader_value(token: str) -> bytes:
    """What READER becomes in one reader's mail."""
    return f"{token}/".encode("ascii")


def without_readers(text: str) -> str:
    """A page for everyone (the browser view, the preview): the links counted, no reader."""
    return text.replace(READER, "")


_TOKEN = re.compile(DELIVERY_TOKEN_PATTERN)


def _looks_like_token(reader: str) -> bool:
    return bool(reader) and _TOKEN.fullmatch(reader) is not None


# Opens ---------------------------------------------------------------------------


def _open_signature(issue_id: int) -> str:
    return signing.Signer(salt=OPEN_SALT).sign(str(issue_id)).split(":", 1)[1]


def open_url(issue: DigestIssue) -> str:
    """The open image of a group's mail, or "" when open tracking is off."""
    switch = switches()
    if not switch.open_tracking:
        return ""
    path = reverse("digests:opened", args=[issue.pk, _open_signature(issue.pk)])
    return f"{settings.BASE_URL}{path}{READER if switch.reader_engagement else ''}"


@dataclass(frozen=True)
class Open:
    issue_id: int
    reader: str  # the delivery token from the URL, unchecked; "" without engagement


def _write_opens(batch: dict[Open, int]) -> int:
    per_issue: dict[int, int] = {}
    for key, n in batch.items():
        per_issue[key.issue_id] = per_issue.get(key.issue_id, 0) + n
    readers = _readers({(k.issue_id, k.reader) for k in batch if k.reader})
    table = IssueOpens._meta.db_table
    with transaction.atomic():
        issues = set(DigestIssue.objects.filter(pk__in=per_issue).values_list("pk", flat=True))
        rows = [(pk, n) for pk, n in per_issue.items() if pk in issues]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (issue_id, opens) VALUES (%s, %s) "  # noqa: S608
                f"ON CONFLICT (issue_id) DO UPDATE SET opens = {table}.opens + excluded.opens",
                rows,
            )
        per_reader: dict[int, int] = {}
        for key, n in batch.items():
            delivery_id = readers.get((key.issue_id, key.reader))
            if delivery_id is not None:
                per_reader[delivery_id] = per_reader.get(delivery_id, 0) + n
        _upsert(
            DeliveryOpen._meta.db_table,
            "delivery_id",
            "opens",
            [(pk, n) for pk, n in per_reader.items()],
        )
    return sum(n for _, n in rows)


OPENS: BatchedTally[Open] = BatchedTally(
    "digest opens",
    _write_opens,
    every=lambda: float(settings.CLICK_FLUSH_SECONDS),
    max_keys=lambda: int(settings.CLICK_PENDING_MAX),
)


def answer_open(issue_id: int, signature: str, reader: str, method: str) -> bool:
    """Count a GET of a good open image; False for a signature we did not make."""
    if not constant_time_compare(signature, _open_signature(issue_id)):
        return False
    if method == "GET":
        OPENS.record(Open(issue_id, reader if _looks_like_token(reader) else ""))
    return True


# Clicks by reader -----------------------------------------------------------------


@dataclass(frozen=True)
class ReaderClick:
    issue_id: int
    url: str
    reader: str  # the delivery token from the URL, checked when written


def _readers(keys: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """(issue, token) -> delivery id, for tokens we made for a delivery of that issue.

    Empty while reader engagement is off: then nothing about a reader is written.
    """
    if not keys or not reader_engagement():
        return {}
    named = {(issue_id, token): delivery_id_from_token(token) for issue_id, token in keys}
    ids = {pk for pk in named.values() if pk is not None}
    issue_of = dict(Delivery.objects.filter(pk__in=ids).values_list("pk", "issue_id"))
    return {
        key: pk
        for key, pk in named.items()
        if pk is not None and issue_of.get(pk) == key[0]  # a token moved to another issue: no
    }


def _upsert(table: str, key_columns: str, count: str, rows: list[tuple[Any, ...]]) -> None:
    """Add counts per reader (and link), noting when: one statement for the batch."""
    if not rows:
        return
    marks = ", ".join(["%s"] * (len(rows[0]) + 1))
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({key_columns}, {count}, at) VALUES ({marks}) "  # noqa: S608
            f"ON CONFLICT ({key_columns}) DO UPDATE SET {count} = {table}.{count} + "
            f"excluded.{count}, at = excluded.at",
            [(*row, now) for row in rows],
        )


def _write_clicks(batch: dict[ReaderClick, int]) -> int:
    readers = _readers({(k.issue_id, k.reader) for k in batch})
    per_link: dict[tuple[int, str], int] = {}
    for key, n in batch.items():
        delivery_id = readers.get((key.issue_id, key.reader))
        if delivery_id is not None:
            per_link[(delivery_id, key.url)] = per_link.get((delivery_id, key.url), 0) + n
    with transaction.atomic():
        _upsert(
            DeliveryClick._meta.db_table,
            "delivery_id, url",
            "clicks",
            [(pk, url, n) for (pk, url), n in per_link.items()],
        )
    return sum(per_link.values())


READER_CLICKS: BatchedTally[ReaderClick] = BatchedTally(
    "digest clicks by reader",
    _write_clicks,
    every=lambda: float(settings.CLICK_FLUSH_SECONDS),
    max_keys=lambda: int(settings.CLICK_PENDING_MAX),
)


def record_click(issue_id: int, url: str, reader: str) -> None:
    """Note a reader's click, to be checked and written (or dropped) with the batch.

    Only the shape is checked here (the signature costs an HMAC, done at the write), so
    made-up strings cannot fill the tally's room meant for readers' clicks.
    """
    if _looks_like_token(reader):
        READER_CLICKS.record(ReaderClick(issue_id, url, reader))


def forget_reader(sender: type, instance: Any, **kwargs: Any) -> None:
    """Before a subscriber is deleted (erased): their clicks and opens per mail go too."""
    mails = Delivery.objects.filter(subscriber_id=instance.pk).values("pk")
    DeliveryClick.objects.filter(delivery__in=mails).delete()
    DeliveryOpen.objects.filter(delivery__in=mails).delete()
