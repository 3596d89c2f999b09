"""Live blogs in the sitemaps and the news sitemap, listed like articles."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from lxml import etree

from dateline.newsroom import sitemaps
from tests.factories import make_article
from tests.helpers.sitemaps import BASE_URL, NS, fetch, locs
from tests.helpers.wsgi import wsgi_get
from tests.live.helpers import make_live_blog, make_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_test_connection")]


@pytest.fixture(autouse=True)
def _publication(settings):
    settings.BASE_URL = BASE_URL


def entries(root: etree._Element) -> dict[str, etree._Element]:
    return {u.findtext("sm:loc", namespaces=NS): u for u in root.findall("sm:url", NS)}


def test_a_live_blog_has_its_own_sitemap_file_with_its_latest_post(client, world) -> None:
    blog = make_live_blog(world)
    make_post(blog, "Older.", minutes_ago=30)
    newest = make_post(blog, "Newer.", minutes_ago=2)
    index = locs(fetch(client, "/sitemap.xml"))
    assert index[-1] == BASE_URL + "/sitemap-live-1.xml"
    (url,) = entries(fetch(client, "/sitemap-live-1.xml")).items()
    assert url[0] == BASE_URL + blog.url
    lastmod = datetime.datetime.fromisoformat(url[1].findtext("sm:lastmod", namespaces=NS))
    assert lastmod == newest.updated_at.replace(microsecond=0)


def test_without_live_blogs_the_index_names_no_file_for_them(client, world) -> None:
    make_article(world)
    index = locs(fetch(client, "/sitemap.xml"))
    assert not any("sitemap-live" in loc for loc in index)


def test_a_live_blog_is_in_the_news_sitemap_among_the_articles(client, world) -> None:
    now = timezone.now().replace(microsecond=0)
    older = make_article(world, "Harbour closed", published_at=now - datetime.timedelta(hours=3))
    blog = make_live_blog(world, live_from=now - datetime.timedelta(hours=1))
    # Its date is its first publication, as in its JSON-LD (LiveBlogPage.date_published).
    blog.__class__.objects.filter(pk=blog.pk).update(
        first_published_at=now - datetime.timedelta(hours=1)
    )
    blog.refresh_from_db()
    newer = make_article(world, "Ferries return", published_at=now - datetime.timedelta(minutes=5))
    stale = make_live_blog(
        world, "Last week's storm: live", live_from=now - datetime.timedelta(days=5)
    )
    stale.__class__.objects.filter(pk=stale.pk).update(
        first_published_at=now - datetime.timedelta(days=5)
    )
    urls = entries(fetch(client, "/news-sitemap-1.xml"))
    assert list(urls) == [BASE_URL + p.url for p in (newer, blog, older)]
    news = urls[BASE_URL + blog.url].find("news:news", NS)
    assert news.findtext("news:title", namespaces=NS) == blog.title
    published = datetime.datetime.fromisoformat(
        news.findtext("news:publication_date", namespaces=NS)
    )
    assert published == blog.date_published.replace(microsecond=0)


def test_a_post_renews_the_live_sitemap_and_not_the_articles(world) -> None:
    blog = make_live_blog(world)
    make_article(world, "Harbour closed")
    for url in ("/sitemap-live-1.xml", "/sitemap-articles-1.xml"):
        wsgi_get(url)
        assert wsgi_get(url).headers.get("x-cache") == "hit", url
    make_post(blog, "The pier is open again.")
    assert "x-cache" not in wsgi_get("/sitemap-live-1.xml").headers
    assert wsgi_get("/sitemap-articles-1.xml").headers.get("x-cache") == "hit"


def test_unknown_or_uncanonical_files_are_404(client, world) -> None:
    make_live_blog(world)
    for url in ("/sitemap-live-2.xml", "/sitemap-live-01.xml", "/sitemap-nothing-1.xml"):
        assert client.get(url).status_code == 404, url


def test_a_kind_of_stories_needs_a_plain_name_of_its_own() -> None:
    stories = sitemaps.STORIES["live"]
    for bad in ("articles", "fronts", "Live", "live-blogs", ""):
        with pytest.raises(ValueError):
            sitemaps.register_stories(
                sitemaps.Stories(bad, stories.pages, stories.published, stories.modified)
            )
    assert set(sitemaps.STORIES) == {"live"}
