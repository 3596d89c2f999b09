"""Formats: bytes from any transport in, plain ``ParsedItem`` records out.

Every parser is forgiving per item and strict per field: an item that cannot be read
is skipped with a reason, a missing date is repaired with a reason, and nothing an
agency sends can stop the rest of its feed. No parser touches the database.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import html as htmllib
import json
import logging
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import feedparser
import nh3
from django.utils import timezone
from lxml import etree

from dateline.wire import ninjs

try:
    # The lxml reader copies what feedparser 6.0 does to text and URIs, with these two
    # of its helpers. Should a release move them, every feed goes to feedparser.
    from feedparser.html import _cp1252
    from feedparser.urls import _urljoin
except ImportError:  # pragma: no cover - depends on the installed feedparser
    _cp1252 = _urljoin = None

logger = logging.getLogger(__name__)

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

FORMATS = ("rss", "atom", "ninjs", "newsml")


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
    url: str = ""
    images: list[ParsedImage] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    @property
    def body_text(self) -> str:
        return html_to_text(self.body_html)

    def as_dict(self) -> dict[str, Any]:
        return {
            "guid": self.guid,
            "version": self.version,
            "headline": self.headline,
            "status": self.status,
            "version_created": self.version_created.isoformat() if self.version_created else None,
        }


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


def _plain(value: Any) -> str:
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


def _struct_date(value: Any) -> datetime.datetime | None:
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


def _finish(result: ParseResult, item: ParsedItem, now: datetime.datetime) -> None:
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


# RSS and Atom ------------------------------------------------------------------


def parse_syndication(
    data: bytes, now: datetime.datetime | None = None, *, fast: bool = True
) -> ParseResult:
    """RSS 2.0 or Atom (feedparser reads both, and most of what claims to be either).

    A plain feed is read with lxml instead, to the same result (see ``_read_plain_feed``);
    ``fast=False`` always asks feedparser.
    """
    now = now or timezone.now()
    result = ParseResult()
    plain = _read_plain_feed(data) if fast and _urljoin is not None else None
    if plain is not None:
        title, entries = plain
    else:
        parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
        if parsed.get("bozo") and not parsed.entries:
            raise FeedError(f"not a readable feed: {parsed.get('bozo_exception')}")
        if parsed.get("bozo"):
            result.problems.append(
                Problem("feed", f"feed read leniently: {parsed.get('bozo_exception')}")
            )
        title, entries = parsed.feed.get("title", ""), parsed.entries
    feed_title = _plain(title)
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
    author = _plain(author)
    match = _RSS_AUTHOR.match(author)
    return match.group(1).strip() if match else author


def _read_entry(result: ParseResult, entry: Any, feed_title: str, now: datetime.datetime) -> None:
    headline = _plain(entry.get("title", ""))
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
        guid = stand_in_guid(headline, _plain(body)[:200])
        result.repair("no guid: one was made from the headline and text", guid)
    if not headline:
        headline = " ".join(_plain(body).split()[:12])
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
                    caption=_plain(entry.get("media_description", "")),
                    credit=_plain(entry.get("media_credit", [{}])[0].get("content", ""))
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
        first_created=_struct_date(entry.get("published_parsed")),
        # Asked only when present: feedparser otherwise answers with the published date.
        version_created=(_struct_date(entry.get("updated_parsed")) if "updated" in entry else None)
        or _struct_date(entry.get("published_parsed")),
        original_source=_plain((entry.get("source") or {}).get("title", "")) or feed_title,
        copyright=_plain(entry.get("rights", "")),
        images=images,
        links=[
            str(lk.get("href"))
            for lk in entry.get("links", []) or []
            if lk.get("href") and lk.get("rel") in ("related", "alternate")
        ],
    )
    _finish(result, item, now)


# RSS and Atom without feedparser -----------------------------------------------------
#
# feedparser's pure-Python SAX handlers were a third of bench/ingest's time. A feed that
# is plain (UTF-8, no DTD, only the elements and attributes below, no markup inside a
# text element, nothing twice that feedparser would treat specially) is read with lxml
# instead, into the same values feedparser gives for the keys ``_read_entry`` uses:
# every step mirrors feedparser 6's handlers (strip, relative-URI join, the latin-1 and
# cp1252 repairs, link un-escaping, author syncing, content copied to summary). Any
# other feed goes to feedparser; tests/wire/test_fast_syndication.py checks that both
# give the same items and problems on the fixtures, feedparser's corpus and the bench.

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_NS = "{http://purl.org/rss/1.0/modules/content/}"
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
_HTML_TYPES = {"application/xhtml+xml", "text/html"}
_PLAIN_HEAD = re.compile(
    rb"""(?:<\?xml\s+version\s*=\s*["']1\.0["'](?:\s+encoding\s*=\s*["']utf-8["'])?\s*\?>\s*)?<(?:rss|feed)[\s>]""",
    re.I,
)
_ENTITY_LIKE = re.compile(r"&([A-Za-z0-9_]+);")
# Where a text element's type may be given: only the types feedparser reads as text.
_TEXT_TYPES = (None, "text", "html")
_RSS_CHANNEL = frozenset(
    (
        "title",
        "link",
        "description",
        "language",
        "copyright",
        "lastbuilddate",
        "pubdate",
        "generator",
        "ttl",
        "docs",
        "category",
        f"{ATOM}link",
    )
)
_ATOM_FEED = frozenset(
    (
        "title",
        "subtitle",
        "id",
        "updated",
        "link",
        "rights",
        "generator",
        "icon",
        "logo",
        "category",
        "author",
    )
)


class _NotPlain(Exception):
    """The feed is not one the lxml reader handles: feedparser reads it."""


def _fp_text(value: str | None) -> str:
    """What feedparser's ``pop`` makes of a text element's content in a UTF-8 feed."""
    value = (value or "").strip()
    if value.isascii():
        return value
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("iso-8859-1").decode("utf-8")
    return value.translate(_cp1252)


def _fp_uri(value: str | None) -> str:
    """A URI element: joined against no base first, as feedparser does."""
    value = (value or "").strip()
    return _fp_text(_urljoin("", value) if value else value)


def _fp_content_type(value: str) -> str:
    value = value.lower()
    return {
        "text": "text/plain",
        "plain": "text/plain",
        "html": "text/html",
        "xhtml": "application/xhtml+xml",
    }.get(value, value)


def _attrs(element: Any, allowed: frozenset[str] | tuple[str, ...]) -> dict[str, str]:
    attrs = dict(element.attrib)
    if any(k not in allowed for k in attrs):
        raise _NotPlain(f"attribute on {element.tag}")
    return attrs


def _leaf(element: Any) -> Any:
    if len(element):
        raise _NotPlain(f"markup inside {element.tag}")
    return element


def _text_type(element: Any) -> None:
    if _attrs(element, ("type",)).get("type") not in _TEXT_TYPES:
        raise _NotPlain(f"type of {element.tag}")


def _tag(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        raise _NotPlain("a comment or processing instruction")
    if tag.startswith("{"):
        return tag
    return tag.lower()


def _children(
    element: Any, allowed: frozenset[str], repeatable: frozenset[str]
) -> list[tuple[str, Any]]:
    if (element.text or "").strip() or any(k.startswith(_XML_NS) for k in element.attrib):
        raise _NotPlain(f"text or xml: attribute in {element.tag}")
    seen: set[str] = set()
    children = []
    for child in element:
        tag = _tag(child)
        if tag not in allowed:
            raise _NotPlain(f"element {tag}")
        if tag in seen and tag not in repeatable:
            raise _NotPlain(f"{tag} twice")
        if (child.tail or "").strip() or any(k.startswith(_XML_NS) for k in child.attrib):
            raise _NotPlain(f"text after {tag} or an xml: attribute")
        seen.add(tag)
        children.append((tag, child))
    return children


_RSS_ITEM = frozenset(
    (
        "title",
        "link",
        "description",
        "guid",
        "author",
        "pubdate",
        "category",
        "enclosure",
        "source",
        f"{CONTENT_NS}encoded",
    )
)
_ATOM_ENTRY = frozenset(
    f"{ATOM}{t}"
    for t in (
        "id",
        "title",
        "link",
        "author",
        "published",
        "updated",
        "content",
        "summary",
        "rights",
        "category",
    )
)
_REPEATABLE = frozenset(("category", f"{ATOM}category", f"{ATOM}link"))


def _rss_item(item: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    links: list[dict[str, str]] = []
    for tag, child in _children(item, _RSS_ITEM, _REPEATABLE):
        if tag == "category":
            _leaf(child)
            continue
        if tag == "enclosure":
            attrs = {k.lower(): v for k, v in _attrs(child, ("url", "type", "length")).items()}
            if "type" in attrs:
                attrs["type"] = attrs["type"].lower()
            href = attrs.get("url")
            if href:
                del attrs["url"]
                attrs["href"] = href
            attrs["rel"] = "enclosure"
            links.append(attrs)
            continue
        _leaf(child)
        if tag == "guid":
            islink = _attrs(child, ("isPermaLink",)).get("isPermaLink", "true") == "true"
            value = _fp_uri(child.text) if islink else _fp_text(child.text)
            entry["id"] = value
            entry["guidislink"] = islink and "link" not in entry
            if islink:
                entry.setdefault("link", value)
            continue
        if tag == "source":
            url = _attrs(child, ("url",)).get("url")
            value = _fp_text(child.text)
            entry["source"] = {
                **({"href": url} if url is not None else {}),
                **({"title": value} if value else {}),
            }
            continue
        _attrs(child, ())
        if tag == "link":
            value = _ENTITY_LIKE.sub(r"&\g<1>", _fp_uri(child.text).replace("&amp;", "&"))
            links.append({"rel": "alternate", "type": "text/html"})
            entry["link"] = value
            if value:
                links[-1]["href"] = value
        elif tag == "title":
            entry["title"] = _fp_text(child.text)
        elif tag == "description":
            entry["summary"] = _fp_text(child.text)
        elif tag == f"{CONTENT_NS}encoded":
            value = _fp_text(child.text)
            entry["content"] = [{"value": value}]
            entry.setdefault("summary", value)
        elif tag == "author":
            entry["author"] = _fp_text(child.text)
        elif tag == "pubdate":
            entry["published"] = value = _fp_text(child.text)
            entry["published_parsed"] = feedparser.datetimes._parse_date(value)
    entry["links"] = links
    entry["enclosures"] = [
        {k: v for k, v in lk.items() if k != "rel"} for lk in links if lk["rel"] == "enclosure"
    ]
    return entry


def _atom_link(child: Any, links: list[dict[str, str]], context: dict[str, Any]) -> None:
    _leaf(child)
    attrs = dict(_attrs(child, ("rel", "type", "href", "title", "hreflang", "length")))
    if "href" not in attrs:
        raise _NotPlain("a link without href")
    for key in ("rel", "type"):
        if key in attrs:
            attrs[key] = attrs[key].lower()
    attrs.setdefault("rel", "alternate")
    attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
    attrs["href"] = _urljoin("", attrs["href"])
    links.append(attrs)
    if attrs["rel"] == "alternate" and _fp_content_type(attrs["type"]) in _HTML_TYPES:
        context["link"] = attrs["href"]


def _atom_author(author: Any) -> str:
    _attrs(author, ())
    name = email = None
    for tag, child in _children(
        author, frozenset((f"{ATOM}name", f"{ATOM}email", f"{ATOM}uri")), frozenset()
    ):
        _attrs(_leaf(child), ())
        if tag == f"{ATOM}name":
            name = (child.text or "").strip()
        elif tag == f"{ATOM}email":
            email = (child.text or "").strip()
    if name and email:
        return f"{name} ({email})"
    return name or email or ""


def _atom_entry(element: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    links: list[dict[str, str]] = []
    has_content = False
    for tag, child in _children(element, _ATOM_ENTRY, _REPEATABLE):
        tag = tag[len(ATOM) :]
        if tag == "category":
            _leaf(child)
            continue
        if tag == "link":
            _atom_link(child, links, entry)
            continue
        if tag == "author":
            entry["author"] = _atom_author(child)
            continue
        _leaf(child)
        if tag == "id":
            _attrs(child, ())
            entry["id"] = value = _fp_uri(child.text)
            entry["guidislink"] = "link" not in entry
            entry.setdefault("link", value)
        elif tag in ("published", "updated"):
            _attrs(child, ())
            entry[tag] = value = _fp_text(child.text)
            entry[f"{tag}_parsed"] = feedparser.datetimes._parse_date(value)
        else:
            _text_type(child)
            value = _fp_text(child.text)
            if tag == "content":
                has_content = True
                entry["content"] = [{"value": value}]
                entry.setdefault("summary", value)
            elif tag == "summary" and "summary" in entry and not has_content:
                raise _NotPlain("summary read as content")
            else:
                entry[tag] = value
    entry["links"] = links
    entry["enclosures"] = [
        {k: v for k, v in lk.items() if k != "rel"} for lk in links if lk["rel"] == "enclosure"
    ]
    return entry


def _read_plain_feed(data: bytes) -> tuple[str, list[dict[str, Any]]] | None:
    """The feed title and entries as feedparser would give them, or None for feedparser."""
    # The root right after the declaration: no DTD, no entities of the feed's own, no BOM.
    if not _PLAIN_HEAD.match(data):
        return None
    try:
        root = etree.fromstring(data, _xml_parser())
        if root.tag == "rss":
            _attrs(root, ("version",))
            channels = _children(root, frozenset(("channel",)), frozenset())
            if len(channels) != 1:
                return None
            channel = channels[0][1]
            _attrs(channel, ())
            entries, title = [], ""
            for tag, child in _children(channel, _RSS_CHANNEL | {"item"}, _REPEATABLE | {"item"}):
                if tag == "item":
                    _attrs(child, ())
                    entries.append(_rss_item(child))
                elif tag == f"{ATOM}link":
                    _atom_link(child, [], {})
                else:
                    _leaf(child)
                    if tag != "category":
                        _attrs(child, ())
                    if tag == "title":
                        title = _fp_text(child.text)
            return title, entries
        if root.tag == f"{ATOM}feed":
            _attrs(root, ())
            entries, title = [], ""
            allowed = frozenset(f"{ATOM}{t}" for t in (*_ATOM_FEED, "entry"))
            for tag, child in _children(root, allowed, _REPEATABLE | {f"{ATOM}entry"}):
                if tag == f"{ATOM}entry":
                    _attrs(child, ())
                    entries.append(_atom_entry(child))
                elif tag == f"{ATOM}author":
                    _atom_author(child)
                elif tag == f"{ATOM}link":
                    _atom_link(child, [], {})
                elif tag == f"{ATOM}title":
                    _text_type(_leaf(child))
                    title = _fp_text(child.text)
                elif tag != f"{ATOM}category":
                    _leaf(child)
            return title, entries
    except (etree.XMLSyntaxError, _NotPlain, ValueError):
        return None
    return None


# ninjs -----------------------------------------------------------------------------


SCHEMA_PATH = Path(__file__).parent / "schemas" / "ninjs-schema_1.5.json"


@cache
def ninjs_validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def ninjs_errors(obj: Any) -> list[str]:
    """Every way ``obj`` falls short of the ninjs schema of its version, as short messages.

    1.x is checked against IPTC's 1.5 schema, 2.x and 3.x against ours (see ninjs.py).
    """
    major = ninjs.version_of(obj)
    if major not in ninjs.SUPPORTED:
        return [f"(item): ninjs {major}.x is not supported (1.x, 2.x and 3.x are)"]
    if major > 1:
        return ninjs.errors(obj, major)
    errors = sorted(ninjs_validator().iter_errors(obj), key=lambda e: list(e.path))
    return [f"{'/'.join(str(p) for p in e.path) or '(item)'}: {e.message}" for e in errors]


def parse_ninjs(data: bytes, now: datetime.datetime | None = None) -> ParseResult:
    """One ninjs object, a list of them, or ``{"items": [...]}`` as many agencies send.

    Items of ninjs 1.x, 2.x and 3.x may come in one file; each is checked against the
    schema of its own version.
    """
    now = now or timezone.now()
    result = ParseResult()
    try:
        document = json.loads(_decode(data))
    except ValueError as exc:
        raise FeedError(f"not JSON: {exc}") from None
    if isinstance(document, dict) and isinstance(document.get("items"), list):
        objects = document["items"]
    elif isinstance(document, list):
        objects = document
    else:
        objects = [document]
    for n, obj in enumerate(objects):
        if n >= MAX_ITEMS:
            result.skip(f"more than {MAX_ITEMS} items; the rest are skipped")
            break
        guid = obj.get("uri", "") if isinstance(obj, dict) else ""
        errors = ninjs_errors(obj)
        if errors:
            result.skip("not valid ninjs: " + "; ".join(errors[:3]), str(guid)[:500])
            continue
        try:
            major = ninjs.version_of(obj)
            _read_ninjs(result, ninjs.as_v1(obj, major) if major > 1 else obj, now)
        except Exception as exc:
            logger.warning("Could not read a ninjs item: %s", type(exc).__name__)
            result.problems.append(Problem("error", f"{type(exc).__name__}: {exc}", str(guid)))
    return result


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _read_ninjs(result: ParseResult, obj: dict[str, Any], now: datetime.datetime) -> None:
    guid = obj["uri"]
    if obj.get("type", "text") not in ("text", "composite"):
        result.skip(f"a {obj.get('type')} item, not a story", guid)
        return
    body = obj.get("body_html") or obj.get("body_xhtml") or ""
    if not body and obj.get("body_text"):
        body = obj["body_text"]
    headline = _plain(obj.get("headline", "")) or _plain(obj.get("title", ""))
    if not headline and not body:
        result.skip("no headline and no text", guid)
        return
    if not headline:
        headline = " ".join(html_to_text(body).split()[:12])
        result.repair("no headline: the first words of the text are used", guid)
    images = []
    for association in (obj.get("associations") or {}).values():
        if association.get("type") not in ("picture", "graphic"):
            continue
        renditions: dict[str, Any] = association.get("renditions") or {}
        best: dict[str, Any] = (
            renditions.get("original")
            or renditions.get("baseImage")
            or next(iter(renditions.values()), {})
        )
        if best.get("href"):
            images.append(
                ParsedImage(
                    href=best["href"],
                    caption=_plain(
                        association.get("description_text")
                        or association.get("description_html", "")
                    ),
                    credit=_plain(
                        association.get("byline") or association.get("copyrightholder", "")
                    ),
                )
            )
    sources = [s.get("name", "") for s in obj.get("infosource", []) if s.get("name")]
    item = ParsedItem(
        guid=guid,
        version=str(obj.get("version", "")),
        headline=headline,
        byline=_plain(obj.get("byline", "")),
        body_html=clean_html(body),
        dateline=_plain(obj.get("located", "")),
        first_created=parse_date(obj.get("firstcreated")),
        version_created=parse_date(obj.get("versioncreated")),
        original_source=sources[0] if sources else "",
        credit=_plain(obj.get("copyrightholder", "")),
        copyright=_plain(obj.get("copyrightnotice", "")),
        usage_terms=_plain(obj.get("usageterms", "")),
        status=obj.get("pubstatus", "usable"),
        images=images,
    )
    _finish(result, item, now)


# NewsML-G2 -------------------------------------------------------------------------

G2 = "{http://iptc.org/std/nar/2006-10-01/}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _xml_parser() -> etree.XMLParser:
    # No entities, no DTDs from the network: an agency file cannot read our disk.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )


def parse_newsml(data: bytes, now: datetime.datetime | None = None) -> ParseResult:
    """NewsML-G2 text items: a ``newsItem``, or a ``newsMessage`` carrying several."""
    now = now or timezone.now()
    result = ParseResult()
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not well-formed XML: {exc}") from None
    items = [root] if root.tag == f"{G2}newsItem" else list(root.iter(f"{G2}newsItem"))
    if not items:
        raise FeedError("no NewsML-G2 newsItem in the document")
    for n, element in enumerate(items):
        if n >= MAX_ITEMS:
            result.skip(f"more than {MAX_ITEMS} items; the rest are skipped")
            break
        try:
            _read_newsml(result, element, now)
        except Exception as exc:
            logger.warning("Could not read a NewsML-G2 item: %s", type(exc).__name__)
            result.problems.append(Problem("error", f"{type(exc).__name__}: {exc}"))
    return result


def _text(element: Any, path: str) -> str:
    found = element.find(path)
    if found is None:
        return ""
    return " ".join("".join(found.itertext()).split())


def _read_newsml(result: ParseResult, element: Any, now: datetime.datetime) -> None:
    guid = (element.get("guid") or "").strip()
    if not guid:
        result.skip("a newsItem without a guid")
        return
    item_class = element.find(f"{G2}itemMeta/{G2}itemClass")
    if item_class is not None and item_class.get("qcode", "ninat:text") not in (
        "ninat:text",
        "icls:text",
    ):
        result.skip(f"a {item_class.get('qcode')} item, not a story", guid)
        return
    status_el = element.find(f"{G2}itemMeta/{G2}pubStatus")
    status = "usable"
    if status_el is not None:
        status = status_el.get("qcode", "stat:usable").split(":")[-1]
        status = status if status in ("usable", "withheld", "canceled") else "usable"
    body_el = element.find(f"{G2}contentSet/{G2}inlineXML")
    body = ""
    if body_el is not None:
        html_body = body_el.find(f".//{XHTML}body")
        target = html_body if html_body is not None else body_el
        body = "".join(etree.tostring(child, encoding="unicode", method="html") for child in target)
        # Namespaced XHTML serialises with html: prefixes; the tags are what count.
        body = re.sub(r"<(/?)html:", r"<\1", body)
        body = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", body)
    else:
        plain = element.find(f"{G2}contentSet/{G2}inlineData")
        body = (plain.text or "") if plain is not None else ""
    content = f"{G2}contentMeta"
    headline = _text(element, f"{content}/{G2}headline")
    if not headline and not body:
        result.skip("no headline and no text", guid)
        return
    images = []
    for link in element.iterfind(f"{G2}itemMeta/{G2}link"):
        if link.get("rel", "").endswith("seeAlso") or link.get("contenttype", "").startswith(
            "image/"
        ):
            images.append(ParsedImage(href=link.get("href", ""), caption=link.get("title", "")))
    source = element.find(f"{content}/{G2}infoSource")
    item = ParsedItem(
        guid=guid[:500],
        version=element.get("version", ""),
        headline=headline or " ".join(html_to_text(body).split()[:12]),
        byline=_text(element, f"{content}/{G2}by"),
        body_html=clean_html(body),
        dateline=_text(element, f"{content}/{G2}located/{G2}name")
        or _text(element, f"{content}/{G2}dateline"),
        first_created=parse_date(_text(element, f"{G2}itemMeta/{G2}firstCreated")),
        version_created=parse_date(_text(element, f"{G2}itemMeta/{G2}versionCreated")),
        original_source=(source.findtext(f"{G2}name") or source.get("literal", ""))
        if source is not None
        else "",
        credit=_text(element, f"{content}/{G2}creditline"),
        copyright=_text(element, f"{G2}rightsInfo/{G2}copyrightNotice"),
        usage_terms=_text(element, f"{G2}rightsInfo/{G2}usageTerms"),
        status=status,
        images=[i for i in images if i.href],
    )
    _finish(result, item, now)


# Dispatch --------------------------------------------------------------------------


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
