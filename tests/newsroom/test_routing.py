"""Routing answers kept per process (dateline/newsroom/routing.py) never outlive a change."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from dateline.lib import pagecache
from tests.factories import make_article

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
