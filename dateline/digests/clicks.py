"""Counted links in digest mail: a signed redirect, counted in aggregate, in memory.

A link in the mail becomes ``/digests/c/<token>/``, where the token, signed with
Django's signer under its own salt, carries the issue, the link's target and the
story page it leads to. The redirect reads all it needs from the token, so it
answers with no query, and still answers when the database is down; only a
target the signature vouches for (one we put in the mail) is ever redirected to,
so the link is no open redirect. Every reader gets the same link: a count says
which links interested readers, never who clicked.

Clicks are added up in each process's memory and written every
CLICK_FLUSH_SECONDS in one statement (dateline.lib.tally); a failed write keeps
them for the next. ``ClickRedirectApp`` answers a good token in the WSGI layer,
before Django; anything else goes on to Django's view (``views.click``), which
answers the same way or with a 404 page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from wagtail.models import Page

from dateline.digests import engagement
from dateline.digests.models import DigestIssue, LinkClicks
from dateline.lib.tally import BatchedTally

SALT = "dateline.digests.click.v2"
PREFIX = "/digests/c/"
MAX_URL = 2000

# Redirect with 303 See Other: RFC 9110 15.4.4, the click URL has no representation of
# its own and its answer is at another resource, fetched with GET whatever came in.
STATUS = "303 See Other"
HEADERS = [
    ("Cache-Control", "no-store"),  # every click must reach us: no cache may answer it
    ("Referrer-Policy", "no-referrer"),
    ("X-Robots-Tag", "noindex"),
    ("Content-Length", "0"),
]


@dataclass(frozen=True)
class Click:
    issue_id: int
    story_id: int | None
    url: str


def _linkable(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(url) <= MAX_URL


def click_url(issue_id: int, url: str, story_id: int | None = None) -> str:
    """The counted link to ``url`` in ``issue_id``'s mail; ``url`` itself if it cannot be."""
    target = iri_to_uri(url)  # a Location header is ASCII
    if not _linkable(target):
        return url
    # No timestamp (Signer, not dumps' TimestampSigner): the same link, whenever rendered.
    token = signing.Signer(salt=SALT).sign_object([issue_id, story_id, target], compress=True)
    return f"{settings.BASE_URL}{reverse('digests:click', args=[token])}"


@functools.lru_cache(maxsize=4096)
def read_token(token: str) -> Click | None:
    """The click a token stands for, or None when it is not one of ours.

    Kept for the most clicked links: an issue's few links are clicked over and over, and
    checking a signature is most of a click's time.
    """
    try:
        value = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    match value:
        case [int() as issue_id, int() | None as story_id, str() as url] if (
            _linkable(url) and url.isascii() and url.isprintable()
        ):
            return Click(issue_id, story_id, url)
    return None


def _write(batch: dict[Click, int]) -> int:
    """Add a batch of counts to LinkClicks: one upsert, inside one transaction."""
    table = LinkClicks._meta.db_table
    with transaction.atomic():
        issues = set(
            DigestIssue.objects.filter(pk__in={c.issue_id for c in batch}).values_list(
                "pk", flat=True
            )
        )
        pages = set(
            Page.objects.filter(pk__in={c.story_id for c in batch if c.story_id}).values_list(
                "pk", flat=True
            )
        )
        rows = [
            (c.issue_id, c.url, c.story_id if c.story_id in pages else None, n)
            for c, n in batch.items()
            if c.issue_id in issues
        ]
        with connection.cursor() as cursor:
            # Both SQLite (>= 3.24) and PostgreSQL speak this upsert.
            cursor.executemany(
                f"INSERT INTO {table} (issue_id, url, story_id, clicks) "  # noqa: S608
                "VALUES (%s, %s, %s, %s) ON CONFLICT (issue_id, url) DO UPDATE "
                f"SET clicks = {table}.clicks + excluded.clicks",
                rows,
            )
    return sum(row[3] for row in rows)


TALLY: BatchedTally[Click] = BatchedTally(
    "digest clicks",
    _write,
    every=lambda: float(settings.CLICK_FLUSH_SECONDS),
    max_keys=lambda: int(settings.CLICK_PENDING_MAX),
)


def answer(token: str, method: str, reader: str = "") -> list[tuple[str, str]] | None:
    """The redirect's headers for a good token, counting a GET; None for a bad token.

    HEAD is what link checkers and some mail scanners send: not a reader, not counted.
    ``reader``: the delivery token a reader's link ends in when the newsroom turned
    reader engagement on (engagement.py), checked when the batch is written.
    """
    click = read_token(token)
    if click is None:
        return None
    if method == "GET":
        TALLY.record(click)
        if reader:
            engagement.record_click(click.issue_id, click.url, reader)
    return [("Location", click.url), *HEADERS]


StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class ClickRedirectApp:
    """Answers a good click link before Django: no request object, middleware or query."""

    def __init__(self, application: WSGIApp) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        if path.startswith(PREFIX) and method in ("GET", "HEAD"):
            token, _, reader = path[len(PREFIX) :].removesuffix("/").partition("/")
            if "/" not in reader and (headers := answer(token, method, reader)) is not None:
                start_response(STATUS, headers)
                return [b""]
        return self.application(environ, start_response)
