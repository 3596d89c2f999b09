"""What every format shares: the records a parser gives, and the text and date helpers.

Every parser is forgiving per item and strict per field: an item that cannot be read
is skipped with a reason, a missing date is repaired with a reason, and nothing an
agency sends can stop the rest of its feed. No parser touches the database.
"""

from __future__ import annotations

import datetime
import hashlib
import html as htmllib
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import feedparser
import nh3
from django.utils import timezone
from lxml import etree

logger = logging.getLogger("dateline.wire.formats")

# A feed larger than this is refused whole; more items than this are cut with a reason.
MAX_FEED_BYTES = 20 * 1024 * 1024
MAX_ITEMS = 5000

# What survives of an agency's HTML: structure and emphasis, never scripts, styles or
# event handlers, and links that cannot run code.
SAFE_TAGS = {
    "p",
    "br",
    "b",
    "strong",
    "i",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "figure",
    "figcaption",
}
SAFE_ATTRIBUTES = {"a": {"href", "title"}}


@dataclass
class ParsedImage:
    href: str
    caption: str = ""
    credit: str = ""


@dataclass
class ParsedItem:
    guid: str
    headline: str
    version: str = ""
    original_source: str = ""
    byline: str = ""
    body_html: str = ""
    dateline: str = ""
    first_created: datetime.datetime | None = None
    version_created: datetime.datetime | None = None
    credit: str = ""
    copyright: str = ""
    usage_terms: str = ""
    status: str = "usable"
    # Not to be published before this time (ninjs ``embargoed``, NewsML-G2 ``embargoed``).
    embargoed_until: datetime.datetime | None = None
    url: str = ""
    images: list[ParsedImage] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    @property
    def body_text(self) -> str:
        return html_to_text(self.body_html)


@dataclass
class Problem:
    """Why an item was skipped or repaired. ``kind`` "error" means a bug of ours."""

    kind: str  # "skipped", "repaired", "feed" or "error"
    reason: str
    guid: str = ""


@dataclass
class ParseResult:
    items: list[ParsedItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Where each guid sits in ``items``, to spot a repeat without a scan.
    positions: dict[str, int] = field(default_factory=dict, repr=False)

    def skip(self, reason: str, guid: str = "") -> None:
        self.problems.append(Problem("skipped", reason, guid))
        # Ids and reasons quote the feed: they go to the admin, never into the log.
        logger.info("A wire item was skipped")

    def repair(self, reason: str, guid: str = "") -> None:
        self.problems.append(Problem("repaired", reason, guid))
        logger.info("A wire item was repaired")


class FeedError(Exception):
    """The whole feed is unreadable; the provider's poll fails with this message."""


# Text helpers -----------------------------------------------------------------


def clean_html(html: str) -> str:
    """Reduce an agency's HTML to the safe subset; plain text becomes paragraphs."""
    if not html:
        return ""
    if "<" not in html:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", html) if p.strip()]
        html = "".join(f"<p>{nh3.clean_text(p)}</p>" for p in paragraphs)
    return nh3.clean(
        html,
        tags=SAFE_TAGS,
        attributes=SAFE_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
        strip_comments=True,
    ).strip()


_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|figcaption)>|<br\s*/?>", re.I)


def html_to_text(html: str) -> str:
    text = _BLOCK_END.sub("\n", html)
    text = htmllib.unescape(_TAG.sub("", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def plain(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    if "<" not in value and "&" not in value:
        # No tag and no entity: html_to_text would only split lines, and the words
        # come out the same (it runs for every headline, author and title).
        return " ".join(value.split())
    return " ".join(html_to_text(value).split())


def parse_date(value: Any) -> datetime.datetime | None:
    """An ISO 8601 or RFC 822 date, always aware; None when it is not a date."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed_tuple = feedparser.datetimes._parse_date(value)
        if not parsed_tuple:
            return None
        y, mo, d, h, mi, sec = parsed_tuple[:6]
        parsed = datetime.datetime(y, mo, d, h, mi, sec, tzinfo=datetime.UTC)
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def struct_date(value: Any) -> datetime.datetime | None:
    if not value:
        return None
    try:
        y, mo, d, h, mi, sec = value[:6]
        return datetime.datetime(y, mo, d, h, mi, sec, tzinfo=datetime.UTC)
    except (TypeError, ValueError):
        return None


def stand_in_guid(*parts: str) -> str:
    """A stable guid for an item that came without one, from what it does have."""
    digest = hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()
    return f"urn:dateline:wire:{digest[:24]}"


def finish(result: ParseResult, item: ParsedItem, now: datetime.datetime) -> None:
    """Repairs common to every format, then keep the item unless its guid came before."""
    if not item.version_created:
        if item.first_created:
            item.version_created = item.first_created
        else:
            item.version_created = now
            result.repair("no date: the time it arrived is used", item.guid)
    if not item.first_created:
        item.first_created = item.version_created
    item.headline = item.headline[:500]
    position = result.positions.get(item.guid)
    if position is not None:
        earlier = result.items[position]
        # Within one feed the newer version wins; equal ones are a plain repeat.
        if (item.version_created or now) >= (earlier.version_created or now):
            result.items[position] = item
        result.skip("the same guid appears twice in the feed", item.guid)
        return
    result.positions[item.guid] = len(result.items)
    result.items.append(item)


def xml_parser() -> etree.XMLParser:
    # No entities, no DTDs from the network: an agency file cannot read our disk.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
