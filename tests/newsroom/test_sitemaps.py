from __future__ import annotations

import datetime
from urllib import robotparser

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from dateline.newsroom import sitemaps
from tests.factories import make_article, make_section
from tests.helpers.sitemaps import BASE_URL, NS, fetch, locs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _publication(settings):
    settings.BASE_URL = BASE_URL
    settings.PUBLICATION_NAME = "The Harbour Gazette"
    settings.PUBLICATION_LANGUAGE = "en"


def sitemap_files(client) -> list[etree._Element]:
    """The files /sitemap.xml, a sitemap index, names, each fetched."""
    index = fetch(client, "/sitemap.xml")
    assert etree.QName(index).localname == "sitemapindex"
    return [fetch(client, loc.removeprefix(BASE_URL)) for loc in locs(index)]


def ago(**kwargs: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


# /sitemap.xml ------------------------------------------------------------------


def test_the_sitemap_lists_home_sections_and_live_articles(client, home, world):
    business = make_section(home, "Business")
    story = make_article(world, "Ferry talks resume")
    other = make_article(business, "Harbour fees rise")
    draft = make_article(world, "Still a draft", publish=False)

    found = [loc for file in sitemap_files(client) for loc in locs(file)]

    assert found[:3] == [BASE_URL + "/", BASE_URL + world.url, BASE_URL + business.url]
    assert set(found[3:]) == {BASE_URL + story.url, BASE_URL + other.url}
    assert not any(draft.slug in loc for loc in found)


def test_an_articles_lastmod_is_its_last_modification(client, world):
    published = ago(days=5).replace(microsecond=0)
    updated = ago(days=1).replace(microsecond=0)
    story = make_article(world, published_at=published, updated_at=updated)
    old = make_article(world, "Ferry talks begin", published_at=published)

    files = sitemap_files(client)

    def lastmod(url: str) -> datetime.datetime:
        (text,) = [
            found
            for root in files
            for found in root.xpath(
                "//sm:url[sm:loc=$loc]/sm:lastmod/text()", namespaces=NS, loc=BASE_URL + url
            )
        ]
        return datetime.datetime.fromisoformat(text)

    assert lastmod(story.url) == updated == story.date_modified
    assert lastmod(old.url) == published
    # A section front changed when its newest story went up.
    assert lastmod(world.url) >= lastmod(story.url)


def test_sitemap_queries_do_not_grow_with_the_articles(client, world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            for url in ("/sitemap.xml", "/sitemap-fronts.xml", "/sitemap-articles-1.xml"):
                assert client.get(url).status_code == 200
        return len(captured)

    for i in range(3):
        make_article(world, f"Story {i}", corrections=1)
    few = queries()
    for i in range(3, 8):
        make_article(world, f"Story {i}", corrections=1)
    assert queries() == few


def test_the_articles_split_into_files_beyond_the_limit(client, world, monkeypatch):
    monkeypatch.setattr(sitemaps, "ARTICLES_PER_FILE", 2)
    stories = [make_article(world, f"Story {i}") for i in range(5)]
    index = locs(fetch(client, "/sitemap.xml"))
    assert index == [
        BASE_URL + "/sitemap-fronts.xml",
        *(f"{BASE_URL}/sitemap-articles-{n}.xml" for n in (1, 2, 3)),
    ]
    listed = [loc for url in index[1:] for loc in locs(fetch(client, url.removeprefix(BASE_URL)))]
    assert sorted(listed) == sorted(BASE_URL + story.url for story in stories)
    for wrong in ("/sitemap-articles-4.xml", "/sitemap-articles-01.xml", "/sitemap-articles-0.xml"):
        assert client.get(wrong).status_code == 404


def test_with_no_articles_the_index_still_names_one_empty_file(client, world):
    assert locs(fetch(client, "/sitemap.xml"))[-1] == BASE_URL + "/sitemap-articles-1.xml"
    assert locs(fetch(client, "/sitemap-articles-1.xml")) == []


# /news-sitemap.xml -------------------------------------------------------------


def test_the_news_sitemap_is_an_index_of_news_files(client, world):
    make_article(world)
    root = fetch(client, "/news-sitemap.xml")
    assert root.tag == etree.QName(NS["sm"], "sitemapindex")
    assert locs(root) == [BASE_URL + "/news-sitemap-1.xml"]


def test_a_news_entry_has_the_google_news_fields(client, world):
    published = ago(hours=5).replace(microsecond=0)
    story = make_article(world, "Ferries & freighters <return>", published_at=published)

    root = fetch(client, "/news-sitemap-1.xml")

    assert root.tag == etree.QName(NS["sm"], "urlset")
    assert root.nsmap["news"] == NS["news"]
    (url,) = root.findall("sm:url", NS)
    assert url.findtext("sm:loc", namespaces=NS) == BASE_URL + story.url
    news = url.find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == "The Harbour Gazette"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert news.findtext("news:title", namespaces=NS) == "Ferries & freighters <return>"
    date = news.findtext("news:publication_date", namespaces=NS)
    # W3C datetime with a time zone, to the second.
    assert datetime.datetime.fromisoformat(date) == published
    assert date.endswith("+00:00") and len(date) == len("2026-11-03T10:15:00+00:00")


def test_the_news_sitemap_only_lists_the_last_two_days(client, world):
    fresh = make_article(world, "Fresh", published_at=ago(days=1, hours=23))
    make_article(world, "Stale", published_at=ago(days=2, minutes=1))
    make_article(world, "Draft", publish=False)

    assert locs(fetch(client, "/news-sitemap-1.xml")) == [BASE_URL + fresh.url]

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        assert locs(fetch(client, "/news-sitemap-1.xml")) == []


def test_the_news_sitemap_splits_beyond_the_limit(client, world, monkeypatch):
    monkeypatch.setattr(sitemaps, "NEWS_URLS_PER_FILE", 3)
    stories = [make_article(world, f"Story {i}", published_at=ago(hours=i + 1)) for i in range(7)]

    index = locs(fetch(client, "/news-sitemap.xml"))
    assert index == [f"{BASE_URL}/news-sitemap-{n}.xml" for n in (1, 2, 3)]

    files = [locs(fetch(client, f"/news-sitemap-{n}.xml")) for n in (1, 2, 3)]
    assert [len(f) for f in files] == [3, 3, 1]
    # Newest first, each article in exactly one file.
    assert [loc for f in files for loc in f] == [BASE_URL + s.url for s in stories]

    for missing in ("4", "99", "0", "01", "abc", "1.0"):
        assert client.get(f"/news-sitemap-{missing}.xml").status_code == 404, missing


def test_an_empty_news_sitemap_still_has_its_first_file(client, world):
    make_article(world, published_at=ago(days=10))

    assert locs(fetch(client, "/news-sitemap.xml")) == [BASE_URL + "/news-sitemap-1.xml"]
    assert fetch(client, "/news-sitemap-1.xml").findall("sm:url", NS) == []
    assert client.get("/news-sitemap-2.xml").status_code == 404


@pytest.mark.parametrize(
    "url", ["/sitemap.xml", "/news-sitemap.xml", "/news-sitemap-1.xml", "/robots.txt"]
)
def test_sitemaps_and_robots_are_cacheable(client, world, url):
    make_article(world)
    response = client.get(url)
    assert response.status_code == 200
    assert not response.cookies
    assert "public" in response["Cache-Control"]


# /robots.txt -------------------------------------------------------------------


def test_robots_txt_lists_both_sitemaps_and_keeps_crawlers_out_of_the_back_office(client, world):
    story = make_article(world)
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    lines = text.splitlines()
    assert f"Sitemap: {BASE_URL}/sitemap.xml" in lines
    assert f"Sitemap: {BASE_URL}/news-sitemap.xml" in lines

    robots = robotparser.RobotFileParser()
    robots.parse(lines)
    assert robots.site_maps() == [f"{BASE_URL}/sitemap.xml", f"{BASE_URL}/news-sitemap.xml"]
    for path in ("/admin/", "/django-admin/login/", "/dev/outbox/"):
        assert not robots.can_fetch("Googlebot", BASE_URL + path), path
    # Search may be fetched: its pages of results are indexable, and an empty one's
    # noindex can only be read by a crawler that fetches it.
    for path in (
        "/",
        story.url,
        "/feeds/rss.xml",
        "/sitemap.xml",
        "/searching-for-truth/",
        "/search/",
        "/search/?q=ferry",
    ):
        assert robots.can_fetch("Googlebot", BASE_URL + path), path
