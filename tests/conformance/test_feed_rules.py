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
from django.test import Client

from tests.conformance.helpers import Site
from tests.conformance.validators import ATOM, check_atom, check_rss

pytestmark = pytest.mark.django_db

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
