"""The strip of open live blogs at the top of the home page and the section fronts.

Through the real WSGI entry point where the page cache matters (``x-cache: hit`` is
its wrapper answering from an entry, without Django).
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.utils import timezone
from django.utils.http import parse_http_date

from dateline.lib.dates import machine_datetime
from dateline.live.models import LISTS_SCOPE
from tests.factories import make_article, make_section
from tests.helpers.wsgi import wsgi_get
from tests.live.helpers import make_live_blog, make_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_test_connection")]

HOURS = datetime.timedelta(hours=1)


def strip_of(body: bytes) -> list[dict[str, str]]:
    """Each blog the strip shows: its label, headline, link and latest time."""
    strip = BeautifulSoup(body, "html.parser").select_one("section.live-strip")
    if strip is None:
        return []
    return [
        {
            "label": li.select_one(".live-badge").get_text(),
            "headline": li.a.get_text(),
            "href": li.a["href"],
            "time": li.time["datetime"],
            "says": li.select_one(".live-strip-time").get_text(" ", strip=True),
        }
        for li in strip.select("li")
    ]


def hit(url: str) -> bool:
    return wsgi_get(url).headers.get("x-cache") == "hit"


def test_the_fronts_show_the_blogs_live_now(home, world) -> None:
    now = timezone.now()
    business = make_section(home, "Business")
    storm = make_live_blog(world, live_from=now - 2 * HOURS)
    post = make_post(storm, "The first ferry is back in port.", minutes_ago=3)
    make_post(storm, "An older post.", minutes_ago=30)
    summit = make_live_blog(business, "Trade summit: live")  # no posts yet
    make_live_blog(world, "Election night: live", live_from=now + HOURS)
    make_live_blog(world, "Flood watch: live", live_from=now - 3 * HOURS, live_until=now - HOURS)

    on_home = strip_of(wsgi_get("/").body)
    # Newest started first; neither the announced blog nor the ended one.
    assert [b["headline"] for b in on_home] == [summit.title, storm.title]
    storm_item = next(b for b in on_home if b["headline"] == storm.title)
    assert storm_item["label"] == "Live"
    assert storm_item["href"] == storm.url
    assert storm_item["time"] == machine_datetime(post.posted_at)
    assert storm_item["says"].startswith("Latest post ")
    summit_item = next(b for b in on_home if b["headline"] == summit.title)
    assert summit_item["says"].startswith("Started ")
    # A section front shows its own blogs only, above its stories.
    world_front = wsgi_get(world.url).body
    assert [b["headline"] for b in strip_of(world_front)] == [storm.title]
    assert [b["headline"] for b in strip_of(wsgi_get(business.url).body)] == [summit.title]


def test_a_new_post_renews_the_fronts_time_and_leaves_an_article_cached(home, world) -> None:
    blog = make_live_blog(world)
    make_post(blog, "The first ferry is back in port.", minutes_ago=10)
    article = make_article(world, "Harbour pilots agree new rota")
    for url in ("/", world.url, article.url):
        assert wsgi_get(url).status == 200
        assert hit(url), url
    home_before = wsgi_get("/")
    article_before = wsgi_get(article.url)

    post = make_post(blog, "A second ferry has docked safely.")

    for url in ("/", world.url):
        renewed = wsgi_get(url)
        assert "x-cache" not in renewed.headers, url
        assert strip_of(renewed.body)[0]["time"] == machine_datetime(post.posted_at), url
        assert hit(url), url
    # Its Last-Modified moves with it: If-Modified-Since alone must not answer 304.
    home_after = wsgi_get("/")
    assert parse_http_date(home_after.headers["last-modified"]) == int(post.posted_at.timestamp())
    assert home_after.headers["etag"] != home_before.headers["etag"]
    # The article's entry is the one it had: same bytes, answered without Django.
    article_after = wsgi_get(article.url)
    assert article_after.headers["x-cache"] == "hit"
    assert article_after.body == article_before.body
    assert article_after.headers["etag"] == article_before.headers["etag"]


def test_an_ended_blog_leaves_the_strip_at_its_end(home, world) -> None:
    blog = make_live_blog(world, live_until=timezone.now() + datetime.timedelta(minutes=10))
    make_post(blog, "The first ferry is back in port.")
    for url in ("/", world.url):
        assert strip_of(wsgi_get(url).body), url
        assert hit(url), url
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10, seconds=1)):
        for url in ("/", world.url):
            page = wsgi_get(url)
            assert "x-cache" not in page.headers, url
            assert strip_of(page.body) == [], url
            assert b'class="live-strip"' not in page.body
            # Nothing live on it: kept as long as any page, and a post does not renew it.
            assert "max-age=60" in page.headers["cache-control"], url
            assert hit(url), url
        make_post(blog, "A late note on the archive.")
        assert hit("/") and hit(world.url)


def test_an_announced_blog_joins_the_strip_at_its_start(home, world) -> None:
    blog = make_live_blog(world, live_from=timezone.now() + datetime.timedelta(minutes=30))
    assert strip_of(wsgi_get("/").body) == []
    assert hit("/")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        page = wsgi_get("/")
        assert "x-cache" not in page.headers
        assert [b["headline"] for b in strip_of(page.body)] == [blog.title]


def test_a_front_with_the_strip_names_the_lists_scope(rf, home, world) -> None:
    from dateline.lib import pagescopes

    make_live_blog(world)
    request = rf.get("/")
    home.serve(request).render()
    assert LISTS_SCOPE in pagescopes.rules(request).scopes
    # A front with nothing live names none: a post anywhere leaves it cached.
    request = rf.get("/business/")
    make_section(home, "Business").serve(request).render()
    assert pagescopes.rules(request).scopes == {}
