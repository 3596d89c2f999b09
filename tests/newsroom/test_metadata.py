"""What search engines and social sites read from an article page."""

from __future__ import annotations

import datetime
import json

import pytest
from lxml import html as lxml_html

from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db


def parse(client, url: str):
    return lxml_html.fromstring(client.get(url).content)


def meta(doc, prop: str) -> str:
    found = doc.xpath(f'//meta[@property="{prop}" or @name="{prop}"]/@content')
    assert found, f"no {prop}"
    return found[0]


@pytest.fixture
def article(world):
    return make_article(
        world,
        authors=[make_author("Mara Velt"), make_author("Northwire", kind="organisation")],
        photo=True,
        tags=["ports"],
        corrections=1,
        published_at=datetime.datetime(2026, 11, 20, 8, 30, tzinfo=datetime.UTC),
    )


def test_it_has_a_canonical_url_on_the_base_url(client, article, settings):
    doc = parse(client, article.url)
    canonical = doc.xpath('//link[@rel="canonical"]/@href')[0]
    assert canonical == settings.BASE_URL + "/world-news/ferry-talks-resume-after-storm/"


def test_open_graph_and_twitter_tags(client, article):
    doc = parse(client, article.url)
    assert meta(doc, "og:type") == "article"
    assert meta(doc, "og:title") == article.title
    assert meta(doc, "article:section") == "World News"
    assert meta(doc, "article:published_time").startswith("2026-11-20T08:30:00")
    assert meta(doc, "article:modified_time") > meta(doc, "article:published_time")
    assert meta(doc, "og:image").startswith("http://")
    assert meta(doc, "og:image:alt") == "Fishing boats moored in a grey harbour"
    assert meta(doc, "twitter:card") == "summary_large_image"
    assert meta(doc, "article:tag") == "ports"


def test_news_article_json_ld(client, article):
    doc = parse(client, article.url)
    data = json.loads(doc.xpath('//script[@type="application/ld+json"]/text()')[0])
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert data["datePublished"].startswith("2026-11-20T08:30:00")
    assert data["dateModified"] > data["datePublished"]
    assert [(a["@type"], a["name"]) for a in data["author"]] == [
        ("Person", "Mara Velt"),
        ("Organization", "Northwire"),
    ]
    assert data["publisher"]["@type"] == "Organization"
    assert data["image"][0]["url"].startswith("http://")
    assert data["image"][0]["creditText"] == "Photo from AP"
    assert data["articleSection"] == "World News"


def test_json_ld_cannot_be_broken_out_of(client, world):
    article = make_article(world, "Ends here </script><script>alert(1)</script>")
    body = client.get(article.url).content.decode()
    assert "</script><script>alert(1)" not in body
    doc = lxml_html.fromstring(body)
    data = json.loads(doc.xpath('//script[@type="application/ld+json"]/text()')[0])
    assert data["headline"].endswith("</script><script>alert(1)</script>")


def test_every_page_links_the_site_feeds(client, article):
    for url in ("/", "/world-news/", article.url, "/search/"):
        doc = parse(client, url)
        types = doc.xpath('//link[@rel="alternate"]/@type')
        assert "application/rss+xml" in types
        assert "application/atom+xml" in types


def test_a_correction_is_shown_with_its_date(client, article):
    html = client.get(article.url).content.decode()
    assert "Correction," in html
    assert "An earlier version misspelt a name." in html
