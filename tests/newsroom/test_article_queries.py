"""An article costs the same number of queries however rich it is."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dateline.lib import pagecache
from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    client.get(url)  # renditions are created and cached on the first view
    pagecache.invalidate()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert "x-cache" not in response
    return len(queries)


def test_queries_do_not_grow_with_sources_photos_or_related_stories(client, world):
    plain = make_article(world, "Plain story", sources=1, photo=True, tags=["ports"])
    make_article(world, "Related one", photo=True, tags=["ports"])
    simple = count_queries(client, plain.url)

    authors = [make_author("Mara Velt"), make_author("Northwire", kind="organisation")]
    rich = make_article(
        world,
        "Rich story",
        sources=6,
        photo=True,
        body_photos=4,
        authors=authors,
        tags=["ports", "storms"],
        corrections=2,
    )
    for i in range(5):
        make_article(world, f"Related {i}", photo=True, tags=["ports"])
    assert count_queries(client, rich.url) <= simple


def test_an_article_page_renders_in_a_bounded_number_of_queries(client, world):
    article = make_article(world, sources=3, photo=True, body_photos=2, tags=["ports"])
    assert count_queries(client, article.url) <= 20
