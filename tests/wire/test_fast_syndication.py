"""The lxml reader of plain RSS and Atom gives exactly what feedparser gives.

``parse_syndication`` reads a plain feed with lxml and anything else with feedparser
(see ``_read_plain_feed``). Both are run here on the fixture feeds, on invented wire copy
as bench/ingest makes it, on variations of a plain feed, and on feedparser's own corpus
(downloaded as tests/wire/test_feedparser_corpus.py does), and must give the same items
and problems, field by field.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import sys
from pathlib import Path

import pytest

from dateline.wire.parsers import FeedError, _read_plain_feed, parse_syndication

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)


def outcome(data: bytes, fast: bool) -> object:
    try:
        result = parse_syndication(data, NOW, fast=fast)
    except FeedError as exc:
        return ("refused", str(exc))
    return (
        [dataclasses.asdict(i) for i in result.items],
        [dataclasses.asdict(p) for p in result.problems],
    )


def same(data: bytes) -> bool:
    return outcome(data, fast=True) == outcome(data, fast=False)


@pytest.mark.parametrize("name", ["northwind.rss", "harborline.atom", "broken.rss"])
def test_fixture_feeds_read_the_same(name):
    assert same((FIXTURES / name).read_bytes())


def test_the_plain_reader_takes_plain_feeds():
    atom = (FIXTURES / "harborline.atom").read_bytes()
    assert _read_plain_feed(atom) is not None
    # media:content is feedparser's to read.
    assert _read_plain_feed((FIXTURES / "northwind.rss").read_bytes()) is None


def bench_feeds() -> list[bytes]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from wire_corpus import atom, generate, rss

    reports = generate(11, 60, datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC))
    return [rss(reports[:120], "Northwind & Co"), atom(reports[120:], "Harbor <Line>")]


def test_bench_feeds_read_the_same_and_take_the_plain_path():
    for data in bench_feeds():
        assert _read_plain_feed(data) is not None
        fast = outcome(data, fast=True)
        assert fast == outcome(data, fast=False)
        assert len(fast[0]) > 50


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>Feed &amp; title</title><link>https://example.org/</link>
<atom:link href="https://example.org/feed" rel="self" type="application/rss+xml"/>
<description>d</description><language>en</language>
{items}
</channel></rss>"""

ITEMS = [
    "<item><guid>https://example.org/a?x=1&amp;y=2</guid><title>A</title></item>",
    "<item><guid>urn:x:1</guid><link>https://example.org/l?a=1&amp;amp;b=2</link>"
    "<title>T</title></item>",
    "<item><link>https://example.org/first</link><guid>https://example.org/g</guid>"
    "<description>&lt;p&gt;Body &amp;mdash; more&lt;/p&gt;</description></item>",
    '<item><guid isPermaLink="false">k</guid><title><![CDATA[<b>Bold</b> & co]]></title>'
    "<content:encoded><![CDATA[<p>Full text</p>]]></content:encoded>"
    "<description>Short</description><pubDate>Tue, 17 Nov 2026 08:00:00 +0100</pubDate>"
    "</item>",
    "<item><title>No guid</title><description>Text only</description>"
    '<enclosure url="https://example.org/p.jpg" type="Image/JPEG" length="3"/>'
    '<category domain="x">News</category><source url="https://s.example/">Src</source>'
    "</item>",
    "<item><title>Ã©tÃ© mojibake \u0093quoted\u0094</title><author>a@b.example (Ann)</author>"
    "<pubDate>not a date</pubDate></item>",
    "<item><guid>  spaced  </guid><title>   </title><description>  </description></item>",
    "<item><title>Only</title><link></link></item>",
    "<item><guid>dup</guid><title>One</title><pubDate>Mon, 16 Nov 2026 07:10:00 GMT</pubDate>"
    "</item><item><guid>dup</guid><title>Two</title>"
    "<pubDate>Mon, 16 Nov 2026 09:10:00 GMT</pubDate></item>",
    # Not plain: feedparser's own to read, and the result must still be the same.
    "<item><title>x</title><dc:creator xmlns:dc='http://purl.org/dc/elements/1.1/'>A</dc:creator>"
    "</item>",
    "<item><title>x</title><title>y</title></item>",
    "<item><title>x <b>y</b></title></item>",
    '<item xml:base="https://other.example/"><link>/rel</link><title>x</title></item>',
]

ATOM = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">F &amp;amp; t</title>
<id>urn:f</id><updated>2026-11-16T10:00:00Z</updated>
<link href="https://example.org/" rel="alternate"/>
<author><name>Desk</name></author>
{items}
</feed>"""

ENTRIES = [
    "<entry><id>urn:e:1</id><title>One</title><summary>S</summary>"
    '<content type="html">&lt;p&gt;C&lt;/p&gt;</content></entry>',
    '<entry><id>urn:e:2</id><content type="text">C</content><summary>S</summary></entry>',
    "<entry><title>No id</title><link href='https://example.org/2'/>"
    "<link rel='related' href='https://example.org/r'/>"
    "<link rel='enclosure' type='image/png' href='https://example.org/i.png'/>"
    "<author><name>Ann</name><email>ann@example.org</email></author>"
    "<published>2026-11-16T08:05:00Z</published></entry>",
    "<entry><link href='https://example.org/3'/><id>https://example.org/id3</id>"
    "<author><email>e@example.org</email></author><rights>(c)</rights>"
    "<updated>2026-11-16T08:40:00+02:00</updated><title type='text'>Three</title></entry>",
    "<entry><id>urn:e:4</id><link rel='alternate' type='application/pdf' href='https://x/4.pdf'/>"
    "<title>Four</title><author><name> </name></author></entry>",
    "<entry><id>urn:e:5</id></entry>",
    # Not plain.
    "<entry><id>urn:e:6</id><title type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'>"
    "X</div></title></entry>",
    "<entry><id>urn:e:7</id><content src='https://example.org/c'/></entry>",
]


@pytest.mark.parametrize("item", ITEMS)
def test_rss_variations_read_the_same(item):
    data = RSS.format(items=item).encode()
    assert same(data)
    assert same(RSS.format(items=item + ITEMS[0] + ITEMS[3]).encode())


@pytest.mark.parametrize("entry", ENTRIES)
def test_atom_variations_read_the_same(entry):
    assert same(ATOM.format(items=entry).encode())
    assert same(ATOM.format(items=ENTRIES[0] + entry + ENTRIES[2]).encode())


def test_the_variations_mostly_take_the_plain_path():
    assert _read_plain_feed(RSS.format(items="".join(ITEMS[:9])).encode()) is not None
    assert _read_plain_feed(ATOM.format(items="".join(ENTRIES[:6])).encode()) is not None


# The corpus's files open with a comment saying what each tests, which sends them all to
# feedparser; without it, several hundred are plain.
LEADING_COMMENT = re.compile(rb"^\s*<!--.*?-->\s*", re.S)


def test_feedparsers_corpus_reads_the_same():
    from tests.wire.test_feedparser_corpus import corpus

    files = [p for p in sorted(corpus().rglob("*")) if p.is_file() and p.suffix != ".py"]
    assert len(files) > 2000
    differ, plain = [], 0
    for path in files:
        data = path.read_bytes()
        for variant in {data, LEADING_COMMENT.sub(b"", data, count=1)}:
            if _read_plain_feed(variant) is not None:
                plain += 1
            if not same(variant):
                differ.append(str(path))
    assert differ == []
    assert plain > 500  # the plain path is exercised, not only the fallback
