"""The demo's live blog (dateline/live/demo.py): live now, with posts to follow and post to."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command

from dateline.live import demo
from dateline.live.models import LiveBlogPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def blog(settings, tmp_path) -> LiveBlogPage:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VAR_DIR = tmp_path
    settings.WIRE_DROP_ROOT = tmp_path / "wire-drop"
    call_command("demo", articles=1, stdout=io.StringIO(), no_color=True)
    made = demo.load()
    assert made is not None
    return made


def test_the_demo_live_blog_is_live_with_key_events_and_a_pinned_post(blog, client) -> None:
    assert blog.live_now and blog.url.startswith("/world-news/")
    assert blog.posts.count() == len(demo.POSTS)
    assert [a.name for a in blog.authors] == list(demo.AUTHORS)
    page = BeautifulSoup(client.get(blog.url).content, "html.parser")
    assert page.select_one(".live-badge").get_text() == "Live"
    assert len(page.select("#live-pinned .live-post")) == 1
    assert len(page.select("#live-stream .live-post")) == len(demo.POSTS) - 1
    assert len(page.select(".key-events a")) == 3
    assert "reports The Halvik Courier" in page.select_one(".post-sources").get_text()
    assert page.select_one("#live-refresh")["href"] == blog.url


def test_loading_it_again_adds_nothing(blog) -> None:
    assert demo.load() == blog
    assert LiveBlogPage.objects.count() == 1
    assert blog.posts.count() == len(demo.POSTS)


def test_without_world_news_there_is_no_demo_live_blog() -> None:
    assert demo.load() is None
