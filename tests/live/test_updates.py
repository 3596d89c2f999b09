"""The update channel readers' scripts poll: /live/<id>/updates.json."""

from __future__ import annotations

from wsgiref.util import setup_testing_defaults

import pytest
from django.test import Client

from tests.live.helpers import make_live_blog, make_post

pytestmark = pytest.mark.django_db


def test_it_lists_the_posts_newest_first_with_their_html(client, world) -> None:
    blog = make_live_blog(world)
    older = make_post(blog, "First.", minutes_ago=10)
    newer = make_post(blog, "Second.", minutes_ago=1, key_event=True)
    data = client.get(f"/live/{blog.pk}/updates.json").json()
    assert data["live"] is True
    assert [p["id"] for p in data["posts"]] == [f"post-{newer.pk}", f"post-{older.pk}"]
    assert f'id="post-{newer.pk}"' in data["posts"][0]["html"]
    assert f'href="#post-{newer.pk}"' in data["key_events"]
    assert data["pinned"].strip() == ""


def test_every_reader_gets_the_same_bytes(world) -> None:
    blog = make_live_blog(world)
    make_post(blog)
    one = Client().get(f"/live/{blog.pk}/updates.json")
    two = Client(HTTP_ACCEPT_LANGUAGE="fr", HTTP_USER_AGENT="other").get(
        f"/live/{blog.pk}/updates.json"
    )
    assert one.content == two.content
    assert one["ETag"] == two["ETag"]


def test_an_unchanged_poll_is_a_304(client, world) -> None:
    blog = make_live_blog(world)
    make_post(blog)
    first = client.get(f"/live/{blog.pk}/updates.json")
    assert first.status_code == 200
    again = client.get(f"/live/{blog.pk}/updates.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_a_new_post_changes_the_answer(client, world) -> None:
    blog = make_live_blog(world)
    make_post(blog)
    first = client.get(f"/live/{blog.pk}/updates.json")
    make_post(blog, "Another one.")
    again = client.get(f"/live/{blog.pk}/updates.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert len(again.json()["posts"]) == 2


def test_the_cache_answers_a_poll_before_django(world) -> None:
    """Through the WSGI page cache, as production serves it: a 304 without rendering."""
    from dateline.lib.pagecache import PageCacheApp

    blog = make_live_blog(world)
    make_post(blog)
    url = f"/live/{blog.pk}/updates.json"
    etag = Client().get(url)["ETag"]  # stored by the middleware

    def never(environ, start_response):  # pragma: no cover - must not be reached
        raise AssertionError("Django was entered")

    seen = []
    environ = {"PATH_INFO": url, "HTTP_HOST": "testserver", "HTTP_IF_NONE_MATCH": etag}
    setup_testing_defaults(environ)
    body = PageCacheApp(never)(environ, lambda status, headers: seen.append(status))
    assert seen == ["304 Not Modified"]
    assert b"".join(body) == b""


def test_a_pinned_post_comes_in_its_own_place(client, world) -> None:
    blog = make_live_blog(world)
    post = make_post(blog, pinned=True)
    data = client.get(f"/live/{blog.pk}/updates.json").json()
    assert f'id="post-{post.pk}"' in data["pinned"]
    assert data["posts"][0]["pinned"] is True


def test_an_ended_live_blog_says_so(client, world) -> None:
    import datetime

    from django.utils import timezone

    blog = make_live_blog(world, live_until=timezone.now() - datetime.timedelta(minutes=1))
    assert client.get(f"/live/{blog.pk}/updates.json").json()["live"] is False


def test_an_unpublished_or_unknown_live_blog_is_a_404(client, world) -> None:
    blog = make_live_blog(world)
    blog.unpublish()
    assert client.get(f"/live/{blog.pk}/updates.json").status_code == 404
    assert client.get("/live/999999/updates.json").status_code == 404
