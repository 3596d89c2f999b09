"""Views counted by the readers' browsers, for sites behind a proxy cache."""

from __future__ import annotations

import pytest

from dateline.newsroom import pageviews
from tests.factories import make_article
from tests.helpers.wsgi import wsgi_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def beacon_mode(settings):
    settings.PAGE_VIEW_COUNTING = "beacon"
    settings.PAGE_VIEW_FLUSH_SECONDS = 3600


def test_by_default_the_server_counts_and_the_page_has_no_beacon(client, world, settings):
    settings.PAGE_VIEW_FLUSH_SECONDS = 3600
    article = make_article(world)
    page = client.get(article.url).content.decode()
    assert "views.js" not in page
    assert pageviews.pending() == {article.pk: 1}
    # A beacon would count the same view twice.
    assert client.post(f"/views/{article.pk}/").status_code == 404
    assert pageviews.pending() == {article.pk: 1}


def test_in_beacon_mode_only_the_beacon_counts(client, world, beacon_mode):
    article = make_article(world)
    page = client.get(article.url).content.decode()
    assert f'data-beacon="/views/{article.pk}/"' in page
    wsgi_get(article.url)
    assert wsgi_get(article.url).headers["x-cache"] == "hit"
    assert pageviews.pending() == {}

    response = client.post(f"/views/{article.pk}/")
    assert response.status_code == 204
    assert response["Cache-Control"] == "no-store"
    assert pageviews.pending() == {article.pk: 1}


def test_a_beacon_for_anything_but_a_live_article_counts_nothing(client, world, beacon_mode):
    article = make_article(world)
    assert client.post(f"/views/{world.pk}/").status_code == 204  # a section
    assert client.post("/views/999999/").status_code == 204
    assert client.get(f"/views/{article.pk}/").status_code == 405
    assert pageviews.pending() == {}

    article.unpublish()
    assert client.post(f"/views/{article.pk}/").status_code == 204
    assert pageviews.pending() == {}


def test_a_story_published_after_the_first_beacon_is_counted(client, world, beacon_mode):
    first = make_article(world, "First story")
    client.post(f"/views/{first.pk}/")
    later = make_article(world, "Later story")
    client.post(f"/views/{later.pk}/")
    assert pageviews.pending() == {first.pk: 1, later.pk: 1}
