from __future__ import annotations

import datetime
import time

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from dateline.newsroom import feeds
from dateline.newsroom.models import ArticleSource
from tests.factories import make_article, make_author, make_photo, make_section

pytestmark = pytest.mark.django_db

BASE_URL = "https://news.example"
MEDIA = "{http://search.yahoo.com/mrss/}"
FEEDS = {"rss": "/feeds/rss.xml", "atom": "/feeds/atom.xml"}


@pytest.fixture(autouse=True)
def _base_url(settings):
    # Not the host the test client uses, so the feeds must build links on BASE_URL.
    settings.BASE_URL = BASE_URL


def parsed_date(value: time.struct_time) -> datetime.datetime:
    """A date as feedparser gives it (UTC, to the second) as an aware datetime."""
    return datetime.datetime(*value[:6], tzinfo=datetime.UTC)


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


@pytest.fixture
def story(world):
    now = timezone.now().replace(microsecond=0)
    return make_article(
        world,
        "Ferries & freighters return",
        photo=True,
        tags=["Shipping", "Storms"],
        authors=[make_author("Mara Velt"), make_author("Ilse Maren")],
        published_at=now - datetime.timedelta(hours=3),
        updated_at=now - datetime.timedelta(hours=1),
        standfirst="Port Calder <reopens> after three days.",
    )


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_quotes_in_a_summary_are_not_escaped_twice(client, world, kind):
    make_article(world, standfirst='The harbour master\'s "final" word & a promise.')
    xml = client.get(FEEDS[kind]).content.decode()
    assert 'The harbour master\'s "final" word &amp;amp; a promise.' in xml
    assert "&amp;#x27;" not in xml and "&amp;quot;" not in xml
    (entry,) = feedparser.parse(xml).entries
    assert entry.summary == 'The harbour master\'s "final" word &amp; a promise.'


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_site_feed_describes_each_article(client, story, kind):
    parsed = parse(client, FEEDS[kind])

    assert parsed.feed.title == "The Dateline Ledger"
    assert parsed.feed.link == BASE_URL + "/"
    (entry,) = parsed.entries
    link = BASE_URL + story.url
    assert entry.title == "Ferries & freighters return"
    assert entry.link == link
    assert entry.id == link
    # The summary is HTML: the standfirst's "<" must reach the reader as text, not a tag.
    assert entry.summary == "Port Calder &lt;reopens&gt; after three days."
    assert parsed_date(entry.published_parsed) == story.date_published
    assert parsed_date(entry.updated_parsed) == story.date_modified
    assert story.date_modified == story.updated_at
    assert [a["name"] for a in entry.authors] == ["Mara Velt", "Ilse Maren"]
    assert [t["term"] for t in entry.tags] == ["World News", "Shipping", "Storms"]

    (media,) = entry.media_content
    assert media["url"].startswith(BASE_URL + "/media/images/")
    assert "width-1200.format-jpeg" in media["url"]
    assert media["medium"] == "image"
    assert media["type"] == "image/jpeg"
    assert (media["width"], media["height"]) == ("1200", "675")
    assert entry.media_credit[0]["content"] == "Photo from AP"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_lead_photo_carries_its_caption(client, story, kind):
    root = etree.fromstring(client.get(FEEDS[kind]).content)
    (content,) = root.iter(f"{MEDIA}content")
    caption = "Boats wait in the harbour before the talks."
    assert content.findtext(f"{MEDIA}description") == caption
    assert content.findtext(f"{MEDIA}title") == caption
    assert content.findtext(f"{MEDIA}credit") == "Photo from AP"


def test_the_rss_feed_declares_its_namespaces_on_the_root(client, story):
    root = etree.fromstring(client.get(FEEDS["rss"]).content)
    assert root.tag == "rss"
    assert root.nsmap["media"] == "http://search.yahoo.com/mrss/"
    assert root.nsmap["dc"] == "http://purl.org/dc/elements/1.1/"


def test_the_photo_credit_falls_back_to_a_photo_source(client, world):
    article = make_article(world, photo=make_photo(credit=""))
    ArticleSource.objects.filter(page=article).update(kind=ArticleSource.Kind.PHOTO)

    for url in FEEDS.values():
        (entry,) = parse(client, url).entries
        assert entry.media_credit[0]["content"] == "Photo from AP"


def test_an_article_without_a_photo_has_no_media(client, world):
    make_article(world, photo=False)
    for url in FEEDS.values():
        (entry,) = parse(client, url).entries
        assert "media_content" not in entry


def test_feeds_list_the_latest_live_articles_newest_first(client, world, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_LENGTH", 2)
    now = timezone.now()
    for hours, title in [(3, "Oldest"), (2, "Middle"), (1, "Newest")]:
        make_article(world, title, published_at=now - datetime.timedelta(hours=hours))
    make_article(world, "Still a draft", publish=False)

    for url in FEEDS.values():
        assert [e.title for e in parse(client, url).entries] == ["Newest", "Middle"]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_section_feed_only_has_that_sections_articles(client, home, world, kind):
    business = make_section(home, "Business", intro="Markets, trade and work.")
    make_article(world, "Ferry talks resume")
    make_article(business, "Harbour fees rise")

    parsed = parse(client, f"/feeds/business/{kind}.xml")
    assert parsed.feed.title == "Business | The Dateline Ledger"
    assert parsed.feed.link == BASE_URL + business.url
    assert [e.title for e in parsed.entries] == ["Harbour fees rise"]
    assert [t["term"] for t in parsed.entries[0].tags] == ["Business"]

    site = parse(client, FEEDS[kind])
    assert {e.title for e in site.entries} == {"Ferry talks resume", "Harbour fees rise"}


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_point_at_themselves_on_base_url(client, world, kind):
    root = etree.fromstring(client.get(f"/feeds/world-news/{kind}.xml").content)
    self_links = [
        el.get("href")
        for el in root.iter("{http://www.w3.org/2005/Atom}link")
        if el.get("rel") == "self"
    ]
    assert self_links == [f"{BASE_URL}/feeds/world-news/{kind}.xml"]


@pytest.mark.parametrize(
    "url", ["/feeds/no-such-section/rss.xml", "/feeds/no-such-section/atom.xml"]
)
def test_an_unknown_section_is_a_404(client, world, url):
    assert client.get(url).status_code == 404


def test_an_unpublished_section_has_no_feed(client, home):
    section = make_section(home, "Archive")
    section.unpublish()
    assert client.get("/feeds/archive/rss.xml").status_code == 404


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_are_cacheable(client, story, kind):
    response = client.get(FEEDS[kind])
    assert response.status_code == 200
    assert response["Content-Type"].startswith(f"application/{kind}+xml")
    assert not response.cookies
    assert "Set-Cookie" not in response
    # The page cache marked it public: it will answer repeat requests itself.
    assert "public" in response["Cache-Control"]
    assert response["Last-Modified"]


def _feed_queries(client, url: str) -> int:
    client.get(url)  # the first request makes the photos' feed renditions
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [FEEDS["rss"], FEEDS["atom"], "/feeds/world-news/rss.xml"])
def test_feed_queries_do_not_grow_with_the_articles(client, home, world, url):
    business = make_section(home, "Business")
    authors = [make_author("Mara Velt"), make_author("Ilse Maren")]

    def add(first: int, count: int) -> None:
        for i in range(first, first + count):
            section = world if i % 2 else business
            make_article(
                section,
                f"Story {i} {section.slug}",
                photo=True,
                tags=["Shipping", f"t{i}"],
                authors=authors,
                corrections=1,
                sources=2,
            )

    add(0, 3)
    few = _feed_queries(client, url)
    add(3, 5)
    many = _feed_queries(client, url)
    assert many == few
    assert few <= 15
