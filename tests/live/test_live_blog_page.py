"""A live blog as readers see it: /<section>/<slug>/."""

from __future__ import annotations

import datetime

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from tests.live.helpers import make_live_blog, make_post

pytestmark = pytest.mark.django_db


def soup(client, blog) -> BeautifulSoup:
    response = client.get(blog.url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_posts_are_newest_first_each_with_its_own_anchor(client, world) -> None:
    blog = make_live_blog(world)
    older = make_post(blog, "The first gusts.", minutes_ago=20)
    newer = make_post(blog, "The sea wall holds.", minutes_ago=5)
    page = soup(client, blog)
    ids = [a["id"] for a in page.select("#live-stream .live-post")]
    assert ids == [f"post-{newer.pk}", f"post-{older.pk}"]
    link = page.select_one(f"#post-{older.pk} .live-post-time")
    assert link["href"] == f"#post-{older.pk}"


def test_the_pinned_post_is_on_top_and_not_repeated(client, world) -> None:
    blog = make_live_blog(world)
    pinned = make_post(blog, "Evacuation routes.", minutes_ago=30, pinned=True)
    newest = make_post(blog, "Power is out in the old town.", minutes_ago=1)
    page = soup(client, blog)
    assert page.select_one("#live-pinned .live-post")["id"] == f"post-{pinned.pk}"
    assert [a["id"] for a in page.select("#live-stream .live-post")] == [f"post-{newest.pk}"]


def test_key_events_link_to_their_posts(client, world) -> None:
    blog = make_live_blog(world)
    event = make_post(blog, "The storm makes landfall near Port Calder.", key_event=True)
    make_post(blog, "A quieter hour.")
    page = soup(client, blog)
    links = page.select(".key-events a")
    assert [a["href"] for a in links] == [f"#post-{event.pk}"]
    assert "makes landfall" in links[0].get_text()
    assert page.select_one(f"#post-{event.pk}") is not None


def test_a_post_shows_its_sources(client, world) -> None:
    blog = make_live_blog(world)
    post = make_post(blog, source=True)
    sources = soup(client, blog).select_one(f"#post-{post.pk} .post-sources")
    assert "reports the Associated Press at Times Union" in sources.get_text()
    assert sources.a["href"] == "https://example.org/storm"


def test_while_live_the_page_polls_and_offers_a_refresh_link(client, world) -> None:
    blog = make_live_blog(world)
    page = soup(client, blog)
    assert page.select_one(".live-badge").get_text() == "Live"
    assert page.select_one("#live-refresh")["href"] == blog.url
    script = page.find("script", attrs={"data-updates": True})
    assert script["data-updates"] == f"/live/{blog.pk}/updates.json"
    assert page.select_one("#live-status")["aria-live"] == "polite"


def test_the_page_tells_its_script_how_often_to_poll(client, world, settings) -> None:
    settings.LIVE_POLL_SECONDS = 3
    blog = make_live_blog(world)
    assert soup(client, blog).select_one(".live-blog")["data-poll-seconds"] == "3"


def test_after_its_end_it_reads_as_an_archive(client, world) -> None:
    now = timezone.now()
    blog = make_live_blog(
        world,
        live_from=now - datetime.timedelta(days=2),
        live_until=now - datetime.timedelta(days=1),
    )
    make_post(blog, "The last update.")
    page = soup(client, blog)
    assert page.select_one(".live-badge") is None
    assert "Live coverage ended" in page.select_one(".live-state").get_text()
    assert page.find("script", attrs={"data-updates": True}) is None
    assert page.select_one("#live-refresh") is None
    assert len(page.select("#live-stream .live-post")) == 1


def test_the_live_window(world) -> None:
    now = timezone.now()
    blog = make_live_blog(
        world,
        live_from=now + datetime.timedelta(hours=1),
        live_until=now + datetime.timedelta(hours=5),
    )
    assert not blog.is_live(now)
    assert blog.is_live(now + datetime.timedelta(hours=2))
    assert not blog.has_ended(now + datetime.timedelta(hours=2))
    assert not blog.is_live(now + datetime.timedelta(hours=5))
    assert blog.has_ended(now + datetime.timedelta(hours=5))
    blog.live_until = None
    assert blog.is_live(now + datetime.timedelta(days=30))


def test_a_live_blog_goes_in_a_section(world) -> None:
    from dateline.live.models import LiveBlogPage
    from dateline.newsroom.models import SectionPage

    assert LiveBlogPage in SectionPage.allowed_subpage_models()
    assert LiveBlogPage.can_create_at(world)


def test_a_new_post_refreshes_the_cached_page(client, world) -> None:
    from dateline.lib import pagecache

    blog = make_live_blog(world)
    client.get(blog.url)
    assert pagecache.lookup("testserver", blog.url, "") is not None
    make_post(blog, "Fresh from the harbour.")
    assert pagecache.lookup("testserver", blog.url, "") is None
    assert b"Fresh from the harbour." in client.get(blog.url).content


def test_a_deleted_post_leaves_the_page(client, world) -> None:
    blog = make_live_blog(world)
    post = make_post(blog, "Posted by mistake.")
    assert b"Posted by mistake." in client.get(blog.url).content
    post.delete()
    assert b"Posted by mistake." not in client.get(blog.url).content


def test_a_new_live_blog_can_be_previewed_before_it_is_saved(rf, world) -> None:
    from dateline.live.models import LiveBlogPage

    blog = LiveBlogPage(title="Election night: live", standfirst="Results as they come.")
    assert blog.stream() == []
    assert blog.date_modified is None


def test_browsers_ask_again_on_every_view_of_a_live_blog(client, world) -> None:
    blog = make_live_blog(world)
    for _ in range(2):  # rendered, then from the page cache
        response = client.get(blog.url)
        assert "max-age=0" in response["Cache-Control"]
    etag = response["ETag"]
    assert client.get(blog.url, HTTP_IF_NONE_MATCH=etag).status_code == 304
