"""Reading a WordPress eXtended RSS export (WXR 1.1 or 1.2) into plain records.

The file is read with lxml with entities off, no network and no huge trees, and a
file that declares a DTD is refused: an export never has one, an attack always does.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from lxml import etree

from dateline.importers import core
from dateline.importers.core import ImportFailed

VERSIONS = {
    "http://wordpress.org/export/1.1/": "1.1",
    "http://wordpress.org/export/1.2/": "1.2",
}
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


@dataclass
class Attachment:
    url: str
    title: str
    caption: str
    alt: str
    credit: str


@dataclass
class Post:
    post_id: str
    line: int
    title: str
    link: str
    guid: str
    slug: str
    status: str
    creator: str
    content: str
    excerpt: str
    date: datetime.datetime | None
    categories: list[tuple[str, str]] = field(default_factory=list)
    tags: list[tuple[str, str]] = field(default_factory=list)
    thumbnail_id: str = ""
    comment_count: int = 0

    def print_(self) -> str:
        return core.fingerprint(
            self.title, self.slug, self.status, self.creator, self.content, self.excerpt,
            self.date, self.categories, self.tags, self.thumbnail_id,
        )  # fmt: skip

    @property
    def label(self) -> str:
        return f"post {self.post_id} (line {self.line}) {self.title[:60]!r}"


@dataclass
class WXRAuthor:
    login: str
    email: str
    display_name: str


@dataclass
class Export:
    path: str
    version: str
    site: str
    posts: list[Post]
    attachments: dict[str, Attachment]
    authors: dict[str, WXRAuthor]
    categories: dict[str, str]  # slug -> name
    tags: dict[str, str]
    others: list[str]  # what was left out, and why
    data: bytes


def _t(element: Any, path: str, ns: dict[str, str] | None = None) -> str:
    found = element.find(path, ns)
    return (found.text or "").strip() if found is not None and found.text else ""


def _date(value: str) -> datetime.datetime | None:
    if not value or value.startswith("0000"):
        return None
    parsed = parse_datetime(value.replace(" ", "T"))
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=datetime.UTC)


def _php_string(serialised: str, key: str) -> str:
    """One string value from PHP's serialize() output (_wp_attachment_metadata)."""
    found = re.search(rf's:\d+:"{re.escape(key)}";s:\d+:"(.*?)";', serialised, re.S)
    return found.group(1).strip() if found else ""


def read(path: str | Path) -> Export:
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ImportFailed(f"Cannot read {name}: {error.strerror or error}.") from None
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, strip_cdata=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = f", line {error.lineno}" if error.lineno else ""
        raise ImportFailed(f"{name}{line}: this is not well-formed XML ({error.msg}).") from None
    doctype = root.getroottree().docinfo
    if doctype.internalDTD is not None or doctype.doctype:
        raise ImportFailed(
            f"{name}, line 1: the file declares a DTD (entities); a WordPress export never "
            "does, and we refuse it rather than risk an entity-expansion attack."
        )
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ImportFailed(f"{name}: this is not a WordPress export (no <rss><channel> in it).")
    wp_ns = root.nsmap.get("wp", "")
    version_text = _t(channel, f"{{{wp_ns}}}wxr_version") if wp_ns else ""
    version = VERSIONS.get(wp_ns)
    if version is None or version_text not in ("1.1", "1.2"):
        raise ImportFailed(
            f"{name}: WXR version {version_text or wp_ns or 'unknown'!r} is not one we know "
            "(we read 1.1 and 1.2, what WordPress 3.x to 6.x export)."
        )
    wp = f"{{{wp_ns}}}"
    excerpt_tag = f"{{{wp_ns}excerpt/}}encoded"
    site = _t(channel, f"{wp}base_blog_url") or _t(channel, "link")

    authors = {}
    for a in channel.findall(f"{wp}author"):
        login = _t(a, f"{wp}author_login")
        if login:
            authors[login] = WXRAuthor(
                login=login,
                email=_t(a, f"{wp}author_email"),
                display_name=_t(a, f"{wp}author_display_name")
                or f"{_t(a, f'{wp}author_first_name')} {_t(a, f'{wp}author_last_name')}".strip()
                or login,
            )
    categories = {
        _t(c, f"{wp}category_nicename"): _t(c, f"{wp}cat_name")
        for c in channel.findall(f"{wp}category")
    }
    tags = {_t(t, f"{wp}tag_slug"): _t(t, f"{wp}tag_name") for t in channel.findall(f"{wp}tag")}

    posts: list[Post] = []
    attachments: dict[str, Attachment] = {}
    others: list[str] = []
    for item in channel.findall("item"):
        post_id = _t(item, f"{wp}post_id")
        kind = _t(item, f"{wp}post_type")
        meta = {
            _t(m, f"{wp}meta_key"): _t(m, f"{wp}meta_value") for m in item.findall(f"{wp}postmeta")
        }
        if not post_id:
            raise ImportFailed(f"{name}, line {item.sourceline}: an <item> without a wp:post_id.")
        if kind == "attachment":
            metadata = meta.get("_wp_attachment_metadata", "")
            attachments[post_id] = Attachment(
                url=_t(item, f"{wp}attachment_url") or _t(item, "guid"),
                title=_t(item, "title"),
                caption=_t(item, excerpt_tag) or _php_string(metadata, "caption"),
                alt=meta.get("_wp_attachment_image_alt", ""),
                credit=_php_string(metadata, "credit"),
            )
            continue
        if kind != "post":
            others.append(f"{kind or 'item'} {post_id} (line {item.sourceline}): not a post")
            continue
        post = Post(
            post_id=post_id,
            line=item.sourceline or 0,
            title=_t(item, "title"),
            link=_t(item, "link"),
            guid=_t(item, "guid"),
            slug=_t(item, f"{wp}post_name"),
            status=_t(item, f"{wp}status"),
            creator=_t(item, DC_CREATOR),
            content=_t(item, CONTENT),
            excerpt=_t(item, excerpt_tag),
            date=_date(_t(item, f"{wp}post_date_gmt")) or _date(_t(item, f"{wp}post_date")),
            thumbnail_id=meta.get("_thumbnail_id", ""),
            comment_count=len(item.findall(f"{wp}comment")),
        )
        for term in item.findall("category"):
            pair = (term.get("nicename", ""), (term.text or "").strip())
            if term.get("domain") == "category":
                post.categories.append(pair)
            elif term.get("domain") == "post_tag":
                post.tags.append(pair)
        posts.append(post)
    return Export(name, version, site, posts, attachments, authors, categories, tags, others, data)
