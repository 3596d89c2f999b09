"""A live blog's own Atom feed: /live/<id>/atom.xml."""

from __future__ import annotations

import feedparser
import pytest

from tests.live.helpers import make_live_blog, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.BASE_URL = "https://news.example.org"


def test_the_feed_has_one_entry_per_post_newest_first(client, world) -> None:
    blog = make_live_blog(world)
    older = make_post(blog, "The first gusts reach the coast.", minutes_ago=30, source=True)
    newer = make_post(blog, "The sea wall holds.", minutes_ago=2)
    response = client.get(f"/live/{blog.pk}/atom.xml")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title.startswith(blog.title)
    assert feed.feed.link == "https://news.example.org" + blog.url
    links = [entry.link for entry in feed.entries]
    base = "https://news.example.org" + blog.url
    assert links == [f"{base}#post-{newer.pk}", f"{base}#post-{older.pk}"]
    assert feed.entries[1].title == "The first gusts reach the coast."
    assert "reports the Associated Press" in feed.entries[1].summary
    assert feed.entries[0].author == "Mara Velt"


def test_an_unknown_live_blog_has_no_feed(client, world) -> None:
    assert client.get("/live/999999/atom.xml").status_code == 404


def test_the_page_points_at_its_feed(client, world) -> None:
    blog = make_live_blog(world)
    html = client.get(blog.url).content.decode()
    assert (
        f'type="application/atom+xml" title="{blog.title} (Atom)" href="/live/{blog.pk}/atom.xml"'
        in html
    )
