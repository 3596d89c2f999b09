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
    assert data["publisher"]["@type"] == "NewsMediaOrganization"
    assert data["image"][0]["url"].startswith("http://")
    assert data["image"][0]["creditText"] == "Photo from AP"
    assert data["articleSection"] == "World News"


def test_the_article_image_comes_in_the_three_shapes_google_asks_for(client, article):
    doc = parse(client, article.url)
    data = json.loads(doc.xpath('//script[@type="application/ld+json"]/text()')[0])
    shapes = [round(i["width"] / i["height"], 2) for i in data["image"]]
    assert shapes == [round(16 / 9, 2), round(4 / 3, 2), 1.0]
    assert all(i["width"] * i["height"] >= 50_000 for i in data["image"])
    # Three crops of the lead photo, not one picture three times.
    assert len({i["url"] for i in data["image"]}) == 3
    assert all(i["url"].startswith(settings_base(client) + "/media/") for i in data["image"])


def settings_base(client) -> str:
    from django.conf import settings

    return settings.BASE_URL


def test_the_publisher_has_a_logo_that_is_served(client, article, settings):
    from django.contrib.staticfiles import finders
    from PIL import Image

    doc = parse(client, article.url)
    data = json.loads(doc.xpath('//script[@type="application/ld+json"]/text()')[0])
    logo = data["publisher"]["logo"]
    # A static file (the app server serves those, not the test client): the URL is
    # on the site, and the file it names is the size the markup says.
    assert logo["url"].startswith(settings.BASE_URL + settings.STATIC_URL)
    with Image.open(finders.find("dateline/icons/icon-512.png")) as image:
        assert image.size == (logo["width"], logo["height"]) == (512, 512)


def test_the_home_page_describes_the_site_and_its_search(client, article):
    doc = parse(client, "/")
    blocks = doc.xpath('//script[@type="application/ld+json"]/text()')
    assert len(blocks) == 1
    website, publisher = json.loads(blocks[0])
    assert website["@type"] == "WebSite"
    assert publisher["@type"] == "NewsMediaOrganization"
    assert publisher["logo"]["url"].startswith("http")
    action = website["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["query-input"] == "required name=search_term_string"
    template = action["target"]["urlTemplate"]
    # The template, filled in, is a working search that finds the article.
    found = client.get(
        template.removeprefix(settings_base(client)).replace(
            "{search_term_string}", article.title.split()[0]
        )
    )
    assert found.status_code == 200
    assert article.title in found.content.decode()


def test_an_article_advertises_its_section_atom_feed_and_its_comments_feed(client, article):
    doc = parse(client, article.url)
    head = {
        link.get("title"): link.get("href")
        for link in doc.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]')
    }
    assert head["World News (Atom)"] == "/feeds/world-news/atom.xml"
    comments = head[f"Comments on “{article.title}” (Atom)"]
    assert comments == f"/comments/{article.pk}/atom.xml"
    for url in (head["World News (Atom)"], comments):
        assert client.get(url).status_code == 200, url


def test_tag_pages_and_the_newsletter_page_have_a_canonical_url(client, article, settings):
    doc = parse(client, "/tags/ports/")
    assert doc.xpath('//link[@rel="canonical"]/@href') == [settings.BASE_URL + "/tags/ports/"]
    doc = parse(client, "/newsletter/")
    assert doc.xpath('//link[@rel="canonical"]/@href') == [settings.BASE_URL + "/newsletter/"]


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
