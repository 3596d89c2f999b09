"""What a live post renews in the page cache, and what it leaves alone.

Through the real WSGI entry point (the page cache's wrapper, then Django), as a server
answers: ``x-cache: hit`` is the wrapper answering from an entry without Django.
"""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from dateline.lib import pagecache, pagescopes
from dateline.live.models import Banner, cache_scope
from tests.factories import make_article
from tests.helpers.wsgi import wsgi_get
from tests.live.helpers import make_live_blog, make_post
from tests.newsroom.test_purge import proxy  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_test_connection")]


def hit(url: str, **environ) -> bool:
    return wsgi_get(url, **environ).headers.get("x-cache") == "hit"


def warm(*urls: str) -> None:
    """Render each page once, and check the next request is answered from the cache."""
    for url in urls:
        assert wsgi_get(url).status == 200, url
        assert hit(url), url


@pytest.fixture
def blog(world):
    blog = make_live_blog(world)
    make_post(blog, "The first ferry is back in port.", minutes_ago=5)
    return blog


def blog_urls(blog) -> tuple[str, str, str]:
    return blog.url, f"/live/{blog.pk}/updates.json", f"/live/{blog.pk}/atom.xml"


def test_a_post_renews_the_blog_its_channel_and_feed_and_nothing_else(world, blog) -> None:
    article = make_article(world, "Harbour pilots agree new rota")
    warm(*blog_urls(blog), article.url)
    article_before = wsgi_get(article.url)

    make_post(blog, "A second ferry has docked safely.")

    for url in blog_urls(blog):
        renewed = wsgi_get(url)
        assert "x-cache" not in renewed.headers, url
        assert b"A second ferry has docked safely." in renewed.body, url
    # The article keeps its entry: same bytes, same ETag, answered without Django. (The
    # fronts show the blog's latest post time: tests/live/test_fronts.py.)
    article_after = wsgi_get(article.url)
    assert article_after.headers["x-cache"] == "hit"
    assert article_after.body == article_before.body
    assert article_after.headers["etag"] == article_before.headers["etag"]


def test_editing_or_deleting_a_post_or_its_source_renews_the_blog(world, blog) -> None:
    post = make_post(blog, "Winds of 140 km/h.", source=True)
    for change in (
        lambda: post.sources.first().save(),
        lambda: post.sources.first().delete(),
        lambda: post.save(),
        lambda: post.delete(),
    ):
        warm(blog.url)
        change()
        assert not hit(blog.url)


def test_a_post_bumps_its_scope_again_once_it_commits(
    world, blog, django_capture_on_commit_callbacks
) -> None:
    scope = (cache_scope(blog.pk),)
    with django_capture_on_commit_callbacks() as callbacks:
        make_post(blog, "A second ferry has docked safely.")
        at_save = pagescopes.read(scope)
    assert callbacks
    for callback in callbacks:
        callback()
    assert pagescopes.read(scope) != at_save


def test_another_process_sees_a_post_once_it_reads_the_generations_again(
    settings, world, blog
) -> None:
    article = make_article(world, "Harbour pilots agree new rota")
    warm(blog.url, article.url)
    settings.PAGE_CACHE_GENERATION_SECONDS = 3600
    # What a post saved in another process does to the shared cache: a new generation
    # for the blog's scope. This process trusts its copy for PAGE_CACHE_GENERATION_SECONDS.
    cache.set(pagescopes.SCOPE_PREFIX + cache_scope(blog.pk), "from-another-process")
    assert hit(blog.url)
    settings.PAGE_CACHE_GENERATION_SECONDS = 0  # its copy is now too old: read again
    assert not hit(blog.url)
    assert hit(blog.url)
    assert hit(article.url)
    # A process that has nothing in memory takes the article's entry from the shared cache.
    pagecache.forget_local()
    assert hit(article.url)
    assert hit(blog.url)


def test_the_blog_turns_into_the_archive_when_its_end_passes(world) -> None:
    blog = make_live_blog(world, live_until=timezone.now() + datetime.timedelta(minutes=10))
    channel = f"/live/{blog.pk}/updates.json"
    warm(blog.url, channel)
    page = wsgi_get(blog.url)
    assert b'class="live-badge"' in page.body
    assert b"live.js" in page.body
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        archive = wsgi_get(blog.url)
        assert "x-cache" not in archive.headers
        assert b"Live coverage ended" in archive.body
        assert b"live.js" not in archive.body
        assert hit(blog.url)
        assert json.loads(wsgi_get(channel).body)["live"] is False


def test_a_blog_announced_ahead_goes_live_at_its_start(world) -> None:
    blog = make_live_blog(world, live_from=timezone.now() + datetime.timedelta(minutes=30))
    warm(blog.url)
    assert b"Live coverage starts" in wsgi_get(blog.url).body
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        page = wsgi_get(blog.url)
        assert "x-cache" not in page.headers
        assert b'class="live-badge"' in page.body


def test_the_poll_is_revalidated_every_time_and_unchanged_costs_a_304(world, blog) -> None:
    channel = f"/live/{blog.pk}/updates.json"
    first = wsgi_get(channel)
    directives = {d.strip() for d in first.headers["cache-control"].split(",")}
    # Browsers keep nothing without asking; a proxy at most as long as our processes do.
    assert {"public", "max-age=0", "s-maxage=1"} <= directives
    again = wsgi_get(channel, HTTP_IF_NONE_MATCH=first.headers["etag"])
    assert again.status == 304
    assert again.body == b""
    assert again.headers["cache-control"] == first.headers["cache-control"]
    assert again.headers["etag"] == first.headers["etag"]
    make_post(blog, "A third ferry.")
    changed = wsgi_get(channel, HTTP_IF_NONE_MATCH=first.headers["etag"])
    assert changed.status == 200
    assert changed.headers["etag"] != first.headers["etag"]


def test_an_article_keeps_its_browser_and_proxy_lifetimes(world, blog) -> None:
    article = make_article(world, "Harbour pilots agree new rota")
    directives = {d.strip() for d in wsgi_get(article.url).headers["cache-control"].split(",")}
    assert {"public", "max-age=60", "s-maxage=3600"} <= directives


# The banner ----------------------------------------------------------------------


def make_banner(minutes: float) -> Banner:
    return Banner.objects.create(
        text="Storm Odile makes landfall",
        link="/world-news/storm-odile/",
        expires_at=timezone.now() + datetime.timedelta(minutes=minutes),
    )


def test_a_new_banner_reaches_every_cached_page(world, blog) -> None:
    article = make_article(world, "Harbour pilots agree new rota")
    warm("/", article.url, blog.url)
    make_banner(minutes=30)
    for url in ("/", article.url, blog.url):
        page = wsgi_get(url)
        assert "x-cache" not in page.headers, url
        assert b"Storm Odile makes landfall" in page.body, url


def test_the_banner_goes_away_at_its_expiry_without_any_write(world) -> None:
    article = make_article(world, "Harbour pilots agree new rota")
    make_banner(minutes=10)
    warm("/", article.url)
    assert b"Storm Odile makes landfall" in wsgi_get(article.url).body
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10, seconds=1)):
        for url in ("/", article.url):
            page = wsgi_get(url)
            assert "x-cache" not in page.headers, url
            assert b"Storm Odile makes landfall" not in page.body, url
            # Without a banner the page is kept as long as any other.
            assert "max-age=60" in page.headers["cache-control"]
            assert hit(url)


def test_no_cache_keeps_a_banner_past_its_expiry(world) -> None:
    make_banner(minutes=0.5)
    first = wsgi_get("/")
    directives = {d.strip() for d in first.headers["cache-control"].split(",")}
    # At most the 30 seconds left, for browsers and proxies alike.
    ages = {d.split("=")[0]: int(d.split("=")[1]) for d in directives if "=" in d}
    assert 29 <= ages["max-age"] <= 30
    assert 29 <= ages["s-maxage"] <= 30
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=20)):
        later = wsgi_get("/")
        assert later.headers["x-cache"] == "hit"
        ages = dict(
            d.strip().split("=") for d in later.headers["cache-control"].split(",") if "=" in d
        )
        assert int(ages["max-age"]) <= 10
        assert int(ages["s-maxage"]) <= 10


def test_removing_the_banner_takes_it_off_cached_pages(world) -> None:
    banner = make_banner(minutes=60)
    warm("/")
    banner.delete()
    assert b"Storm Odile makes landfall" not in wsgi_get("/").body


def test_a_banner_purges_the_proxys_home_page_and_a_post_purges_nothing(
    world,
    blog,
    proxy,  # noqa: F811 - the fixture imported above
):
    proxy.clear()
    make_post(blog, "A third ferry.")
    assert proxy == []  # the blog's pages say s-maxage=1 instead
    make_banner(minutes=30)
    assert "/" in {path for _, path in proxy}
