"""The W3C Feed Validation Service's rules, as tests, on every feed the site links.

The validator itself is not on any package registry; what it checks that matters for
Dateline is written out here: RFC 822 dates in RSS (four-digit years, a real zone),
guids that are full URLs when they say they are permalinks, media:credit with its
role, Atom's id and updated on the feed and every entry, self links that name the
feed, and text escaped exactly once. feedparser reads each without complaint.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape
from typing import Any

import feedparser
import pytest
from django.conf import settings
from django.test import Client

from tests.conformance.helpers import Site

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
RFC_822 = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} (\+\d{4}|-(?!0000)\d{4}|GMT)"
)
RFC_3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
FULL_URL = re.compile(r"https?://[^\s/]+/\S*")
LINKED_FEED = re.compile(r'<link rel="alternate" type="application/(?:rss|atom)\+xml"[^>]*>')
TRICKY_TITLE = 'Ports & harbours: "<b>" is not bold'
TRICKY_STANDFIRST = "Fish & chips < 5 pounds, says the <harbour> master"


def linked_feeds(client: Client, site: Site) -> set[str]:
    """Every feed a reader's browser or feed reader finds on the site's pages."""
    found = set()
    for url in ("/", site.section.url, site.article.url):
        html = client.get(url).content.decode()
        for tag in LINKED_FEED.findall(html):
            found.add(unescape(re.search(r'href="([^"]+)"', tag).group(1)))  # type: ignore[union-attr]
        # The comments feed is linked from the thread.
        found.update(re.findall(r'href="(/comments/\d+/atom\.xml)"', html))
    return found


def check_rss(url: str, root: ET.Element) -> list[str]:
    wrong = []
    channel = root.find("channel")
    assert channel is not None
    selfs = [
        link.get("href") for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"
    ]
    if selfs != [settings.BASE_URL + url]:
        wrong.append(f"self link {selfs}")
    dates = [channel.findtext("lastBuildDate")]
    for item in channel.findall("item"):
        dates.append(item.findtext("pubDate"))
        guid = item.find("guid")
        if guid is None:
            wrong.append("item without guid")
        elif guid.get("isPermaLink", "true") == "true" and not FULL_URL.fullmatch(guid.text or ""):
            wrong.append(f"permalink guid is not a full URL: {guid.text}")
        for updated in item.findall(f"{ATOM}updated"):
            if not RFC_3339.fullmatch(updated.text or ""):
                wrong.append(f"atom:updated {updated.text}")
        wrong += check_media(item)
    wrong += [f"not an RFC 822 date: {d}" for d in dates if not RFC_822.fullmatch(d or "")]
    return wrong


def check_atom(url: str, root: ET.Element) -> list[str]:
    wrong = []
    selfs = [link.get("href") for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    if selfs != [settings.BASE_URL + url]:
        wrong.append(f"self link {selfs}")
    feed_author = root.find(f"{ATOM}author") is not None
    for element in [root, *root.findall(f"{ATOM}entry")]:
        name = element.findtext(f"{ATOM}title")
        if not FULL_URL.fullmatch(element.findtext(f"{ATOM}id") or ""):
            wrong.append(f"{name}: id {element.findtext(f'{ATOM}id')}")
        if not RFC_3339.fullmatch(element.findtext(f"{ATOM}updated") or ""):
            wrong.append(f"{name}: updated {element.findtext(f'{ATOM}updated')}")
        if element is not root:
            if not feed_author and element.find(f"{ATOM}author") is None:
                wrong.append(f"{name}: no author")
            wrong += check_media(element)
    return wrong


def check_media(item: ET.Element) -> list[str]:
    return [
        f"media:credit without a role: {credit.text}"
        for credit in item.iter(f"{MEDIA}credit")
        if not credit.get("role")
    ]


def titles_and_summaries(root: ET.Element) -> list[tuple[str | None, str | None]]:
    if root.tag == "rss":
        return [(i.findtext("title"), i.findtext("description")) for i in root.iter("item")]
    return [
        (e.findtext(f"{ATOM}title"), e.findtext(f"{ATOM}summary"))
        for e in root.iter(f"{ATOM}entry")
    ]


def test_every_linked_feed_keeps_the_validators_rules(client: Client, site: Site) -> None:
    from tests.factories import make_article

    make_article(site.section, TRICKY_TITLE, standfirst=TRICKY_STANDFIRST, photo=True)
    feeds = linked_feeds(client, site)
    assert {"/feeds/rss.xml", "/feeds/atom.xml", f"/comments/{site.article.pk}/atom.xml"} <= feeds
    assert any(url.startswith("/feeds/world-news/") for url in feeds)
    report: dict[str, list[str]] = {}
    for url in sorted(feeds):
        response = client.get(url)
        assert response.status_code == 200, url
        parsed: Any = feedparser.parse(response.content)
        wrong = [f"feedparser: {parsed.get('bozo_exception')!r}"] if parsed.bozo else []
        root = ET.fromstring(response.content)  # noqa: S314 - our own feed, just rendered
        wrong += check_rss(url, root) if root.tag == "rss" else check_atom(url, root)
        if not url.startswith("/comments/"):
            # Titles are text, escaped once by the XML writer; summaries are HTML.
            (found,) = [s for t, s in titles_and_summaries(root) if t == TRICKY_TITLE] or [None]
            if found is None or unescape(found) != TRICKY_STANDFIRST:
                wrong.append(f"escaping: {found!r}")
        report[url] = wrong
    assert report == {url: [] for url in report}
