"""The breaking-news banner: on every reader page until it expires or is removed."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.utils import timezone

from dateline.lib import pagecache
from dateline.live.models import Banner
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def banner_on(client, url: str):
    return BeautifulSoup(client.get(url).content, "html.parser").select_one(".breaking-banner")


def make_banner(**kwargs) -> Banner:
    defaults = {
        "text": "Storm Odile makes landfall",
        "link": "/world-news/storm-odile/",
        "level": Banner.Level.BREAKING,
        "expires_at": timezone.now() + datetime.timedelta(hours=2),
    }
    return Banner.objects.create(**{**defaults, **kwargs})


def test_it_shows_on_every_reader_page(client, world) -> None:
    article = make_article(world)
    make_banner()
    for url in ("/", world.url, article.url, "/search/", "/no-such-page/"):
        banner = banner_on(client, url)
        assert banner is not None, url
        assert banner.a["href"] == "/world-news/storm-odile/"
        assert banner.a.get_text() == "Storm Odile makes landfall"
        assert banner.select_one(".breaking-level").get_text() == "Breaking"


def test_a_developing_banner_says_so(client, world) -> None:
    make_banner(level=Banner.Level.DEVELOPING)
    banner = banner_on(client, "/")
    assert "breaking-banner--developing" in banner["class"]
    assert banner["aria-label"] == "Developing news"


def test_it_goes_away_at_its_expiry(client, world) -> None:
    make_banner(expires_at=timezone.now() + datetime.timedelta(minutes=10))
    assert banner_on(client, "/") is not None
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        assert Banner.current() is None
        assert banner_on(client, "/") is None


def test_the_newest_unexpired_banner_wins(world) -> None:
    make_banner(text="Older")
    newest = make_banner(text="Newer")
    make_banner(text="Expired", expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert Banner.current() == newest


def test_removing_it_refreshes_cached_pages(client, world) -> None:
    banner = make_banner()
    client.get("/")
    assert pagecache.lookup("testserver", "/", "") is not None
    banner.delete()
    assert pagecache.lookup("testserver", "/", "") is None
    assert banner_on(client, "/") is None


def test_no_banner_no_markup(client, world) -> None:
    assert banner_on(client, "/") is None


@pytest.mark.parametrize("link", ["javascript:alert(1)", "world-news/storm/", "ftp://x/"])
def test_a_link_must_be_a_path_or_a_web_address(link) -> None:
    from django.core.exceptions import ValidationError

    banner = Banner(text="Storm", link=link, expires_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        banner.full_clean()
    assert "link" in refused.value.message_dict


def test_a_snippet_editor_can_add_one(client, world) -> None:
    from django.contrib.auth import get_user_model

    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", password=None)
    client.force_login(boss)
    url = "/admin/snippets/live/banner/add/"
    response = client.post(
        url,
        {
            "text": "Storm Odile makes landfall",
            "link": "/world-news/storm-odile/",
            "level": "developing",
            "expires_at": (timezone.now() + datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Banner.current().level == "developing"


def test_a_render_asks_the_database_once_per_generation(client, world) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_banner()
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert banner_on(client, "/search/") is not None
    assert not [q for q in queries.captured_queries if "live_banner" in q["sql"]]


def test_an_older_banner_shows_once_the_newer_expires(client, world) -> None:
    make_banner(text="Older", expires_at=timezone.now() + datetime.timedelta(hours=3))
    make_banner(text="Newer", expires_at=timezone.now() + datetime.timedelta(minutes=5))
    assert banner_on(client, "/").a.get_text() == "Newer"
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        assert banner_on(client, "/").a.get_text() == "Older"
