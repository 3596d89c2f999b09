"""RSS 2.0 and Atom, read by feedparser (it reads both, and most of what claims to be either)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import feedparser
from django.utils import timezone

from dateline.wire.formats.common import (
    MAX_ITEMS,
    FeedError,
    ParsedImage,
    ParsedItem,
    ParseResult,
    Problem,
    clean_html,
    finish,
    logger,
    plain,
    stand_in_guid,
    struct_date,
)


def parse_syndication(data: bytes, now: datetime.datetime | None = None) -> ParseResult:
    """RSS 2.0 or Atom, as feedparser reads it; a feed it can only half read says so."""
    now = now or timezone.now()
    result = ParseResult()
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if parsed.get("bozo") and not parsed.entries:
        raise FeedError(f"not a readable feed: {parsed.get('bozo_exception')}")
    if parsed.get("bozo"):
        result.problems.append(
            Problem("feed", f"feed read leniently: {parsed.get('bozo_exception')}")
        )
    title, entries = parsed.feed.get("title", ""), parsed.entries
    feed_title = plain(title)
    for n, entry in enumerate(entries):
        if n >= MAX_ITEMS:
            result.skip(f"feed has more than {MAX_ITEMS} items; the rest are skipped")
            break
        try:
            _read_entry(result, entry, feed_title, now)
        except Exception as exc:  # one bad item never stops its feed
            logger.warning("Could not read a feed entry: %s", type(exc).__name__)
            result.problems.append(Problem("error", f"{type(exc).__name__}: {exc}"))
    return result


_RSS_AUTHOR = re.compile(r"^\s*\S+@\S+\s*\((.+)\)\s*$")


def _byline(author: Any) -> str:
    """RSS writes authors as "address (Name)"; the name is the byline."""
    author = plain(author)
    match = _RSS_AUTHOR.match(author)
    return match.group(1).strip() if match else author


def _read_entry(result: ParseResult, entry: Any, feed_title: str, now: datetime.datetime) -> None:
    headline = plain(entry.get("title", ""))
    body = ""
    if entry.get("content"):
        body = entry["content"][0].get("value", "")
    body = body or entry.get("summary", "") or entry.get("description", "")
    link = entry.get("link", "") or ""
    guid = (entry.get("id") or "").strip() or link.strip()
    if not headline and not body:
        result.skip("no headline and no text", guid)
        return
    if not guid:
        guid = stand_in_guid(headline, plain(body)[:200])
        result.repair("no guid: one was made from the headline and text", guid)
    if not headline:
        headline = " ".join(plain(body).split()[:12])
        result.repair("no headline: the first words of the text are used", guid)
    images = []
    for enclosure in entry.get("enclosures", []) or []:
        if str(enclosure.get("type", "")).startswith("image/") and enclosure.get("href"):
            images.append(ParsedImage(href=enclosure["href"]))
    for media in entry.get("media_content", []) or []:
        if media.get("url") and media.get("medium", "image") == "image":
            images.append(
                ParsedImage(
                    href=media["url"],
                    caption=plain(entry.get("media_description", "")),
                    credit=plain(entry.get("media_credit", [{}])[0].get("content", ""))
                    if isinstance(entry.get("media_credit"), list)
                    else "",
                )
            )
    item = ParsedItem(
        guid=guid[:500],
        headline=headline,
        byline=_byline(entry.get("author", "")),
        body_html=clean_html(body),
        url=link[:1000] if link.startswith(("http://", "https://")) else "",
        first_created=struct_date(entry.get("published_parsed")),
        # Asked only when present: feedparser otherwise answers with the published date.
        version_created=(struct_date(entry.get("updated_parsed")) if "updated" in entry else None)
        or struct_date(entry.get("published_parsed")),
        original_source=plain((entry.get("source") or {}).get("title", "")) or feed_title,
        copyright=plain(entry.get("rights", "")),
        images=images,
        links=[
            str(lk.get("href"))
            for lk in entry.get("links", []) or []
            if lk.get("href") and lk.get("rel") in ("related", "alternate")
        ],
    )
    finish(result, item, now)
