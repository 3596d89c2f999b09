"""Formats: bytes from any transport in, plain ``ParsedItem`` records out.

One module per format (``syndication`` for RSS and Atom, ``ninjs``, ``newsml``) and what
they share in ``common``; ``parse`` and ``sniff_format`` are the entry points.
"""

from __future__ import annotations

import datetime

from dateline.wire.formats.common import (
    MAX_FEED_BYTES,
    MAX_ITEMS,
    FeedError,
    ParsedImage,
    ParsedItem,
    ParseResult,
    Problem,
    clean_html,
    html_to_text,
    parse_date,
    stand_in_guid,
)
from dateline.wire.formats.newsml import parse_newsml
from dateline.wire.formats.ninjs import ninjs_errors, parse_ninjs
from dateline.wire.formats.syndication import parse_syndication

__all__ = [
    "FORMATS",
    "MAX_FEED_BYTES",
    "MAX_ITEMS",
    "FeedError",
    "ParseResult",
    "ParsedImage",
    "ParsedItem",
    "Problem",
    "clean_html",
    "html_to_text",
    "ninjs_errors",
    "parse",
    "parse_date",
    "sniff_format",
    "stand_in_guid",
]

FORMATS = ("rss", "atom", "ninjs", "newsml")


def sniff_format(data: bytes) -> str:
    """Guess a file's format for the command line, where there is no provider to ask."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "ninjs"
    if b"iptc.org/std/nar" in data[:4096]:
        return "newsml"
    if b"<feed" in head:
        return "atom"
    return "rss"


def parse(data: bytes, fmt: str, now: datetime.datetime | None = None) -> ParseResult:
    """Read one feed file or response in ``fmt``; raises FeedError only for the whole feed."""
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"feed is {len(data)} bytes, more than the {MAX_FEED_BYTES} allowed")
    if fmt in ("rss", "atom"):
        return parse_syndication(data, now)
    if fmt == "ninjs":
        return parse_ninjs(data, now)
    if fmt == "newsml":
        return parse_newsml(data, now)
    raise FeedError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
