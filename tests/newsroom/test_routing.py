"""Routing answers kept per process (dateline/newsroom/routing.py) never outlive a change."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from dateline.lib import pagecache
from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db


def sql_of(client, url: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert "x-cache" not in response  # rendered, not taken from the page cache
    return "\n".join(q["sql"] for q in queries)


def test_a_render_in_the_same_generation_asks_no_routing_questions(client, world):
    article = make_article(world, tags=["ports"])
    first = sql_of(client, article.url + "?sort=oldest")
    assert "wagtailcore_site" in first
    assert "wagtailcore_pageviewrestriction" in first

    again = sql_of(client, article.url + "?sort=newest")
    assert "wagtailcore_site" not in again
    assert "wagtailcore_pageviewrestriction" not in again


def test_a_site_change_starts_a_new_generation(client, world):
    make_article(world)
    before = pagecache.current_generation()
    site = Site.objects.get(is_default_site=True)
    site.site_name = "Renamed"
    site.save()
    assert pagecache.current_generation() != before


def test_wagtails_own_reader_forms_still_answer(client, world):
    # The page view is ours (routing.serve); Wagtail's login for restricted pages is not.
    assert client.get("/_util/login/").status_code == 200


def test_health_checks_never_ask_for_the_site(client, world):
    with CaptureQueriesContext(connection) as queries:
        client.get("/healthz")
    assert not any("wagtailcore_site" in q["sql"] for q in queries)


def test_an_article_rendered_again_in_its_generation_asks_only_for_comments(client, world):
    # HomePage.route keeps the article, with its authors, sources, tags, section, photo
    # and related stories, until the next publish: a reader the page cache cannot answer
    # (a session cookie, a query string of their own) costs no query for any of it.
    article = make_article(world, sources=2, photo=True, tags=["ports"], corrections=1)
    make_article(world, "A related story", photo=True, tags=["ports"])
    first = sql_of(client, article.url + "?sort=oldest")
    assert "newsroom_articlepage" in first
    again = sql_of(client, article.url + "?sort=newest")
    tables = set(re.findall(r'FROM "(\w+)"', again))
    assert tables <= {"comments_comment"}, tables


def test_a_publish_shows_the_edited_article_at_once(client, world):
    article = make_article(world, "Harbour reopens")
    assert "Harbour reopens" in page_html(client, article.url + "?sort=oldest")
    article.title = "Harbour reopens to ferries"
    article.save_revision().publish()
    assert "Harbour reopens to ferries" in page_html(client, article.url + "?sort=newest")


def test_an_author_or_photo_change_shows_at_once(client, world):
    author = make_author("Ines Calder")
    article = make_article(world, authors=[author], photo=True)
    page = page_html(client, article.url + "?sort=oldest")
    assert "Ines Calder" in page
    author.name = "Ines Calder-Moss"
    author.save()
    photo = article.lead_image
    photo.caption = "The quay at first light"
    photo.save()
    page = page_html(client, article.url + "?sort=newest")
    assert "Ines Calder-Moss" in page
    assert "The quay at first light" in page


def test_a_kept_article_writes_nothing_to_the_renditions_cache(client, world):
    # Wagtail stores every rendition it hands out; the lead photo's come prefetched with
    # the kept article, and storing them again on every render was wasted work.
    article = make_article(world, photo=True)
    client.get(article.url + "?sort=oldest")
    written: list[str] = []
    backend = caches["renditions"]
    original = backend.set, backend.set_many
    backend.set = lambda key, *a, **k: written.append(key)  # type: ignore[method-assign]
    backend.set_many = lambda data, *a, **k: written.extend(data)  # type: ignore[method-assign]
    try:
        assert "<img" in page_html(client, article.url + "?sort=newest")
    finally:
        backend.set, backend.set_many = original
    assert written == []


def page_html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    assert "x-cache" not in response
    return response.content.decode()


def test_a_process_keeps_a_bounded_number_of_answers_of_each_kind(world):
    from dateline.newsroom import routing

    pagecache.invalidate()
    asked: list[str] = []

    def answer(name: str) -> str:
        asked.append(name)
        return name.upper()

    for i in range(5):
        assert routing.for_generation(f"article /{i}/", lambda i=i: answer(f"a{i}"), most=3) == (
            f"A{i}"
        )
    # The first three are kept, the others asked again; another kind has its own room.
    for i in range(5):
        routing.for_generation(f"article /{i}/", lambda i=i: answer(f"a{i}"), most=3)
    assert asked[5:] == ["a3", "a4"]
    routing.for_generation("related 1 4", lambda: answer("r"), most=3)
    routing.for_generation("related 1 4", lambda: answer("r"), most=3)
    assert asked[7:] == ["r"]
    # A new generation starts empty.
    pagecache.invalidate()
    routing.for_generation("article /0/", lambda: answer("a0"), most=3)
    assert asked[8:] == ["a0"]
