"""Photos on the reader pages: sized so nothing moves, the largest one first, the rest lazily.

Checked on the HTML the front page and an article send, with lxml.
"""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from dateline.newsroom.models import ArticlePage
from tests.factories import make_article, make_photo

pytestmark = pytest.mark.django_db


def images(client, url: str, within: str) -> list:
    """The <img> elements inside the elements of this class."""
    doc = lxml_html.fromstring(client.get(url).content)
    return doc.xpath(f"//*[contains(concat(' ', @class, ' '), ' {within} ')]//img")


def assert_sized(img) -> None:
    assert int(img.get("width")) > 0 and int(img.get("height")) > 0, "no width and height"
    assert img.get("alt"), "no alt text"


def test_the_front_pages_lead_photo_comes_first_and_the_others_lazily(client, home, world):
    photo = make_photo()
    for title in ("Dam agreement signed", "Pilots agree rota", "Quay reopens"):
        make_article(world, title, photo=photo, priority=ArticlePage.Priority.TOP)

    lead, *others = images(client, "/", "top-stories")

    assert lead.get("fetchpriority") == "high" and lead.get("loading") is None
    assert others and all(img.get("loading") == "lazy" for img in others)
    for img in (lead, *others):
        assert_sized(img)
        # Two widths, so a phone's sharper screen gets the larger one.
        assert len(img.get("srcset").split(",")) == 2 and img.get("sizes")


def test_the_articles_lead_photo_comes_first_and_body_photos_lazily(client, world):
    article = make_article(world, photo=True, body_photos=1)

    [lead] = images(client, article.url, "lead-photo")
    [inline] = images(client, article.url, "inline-photo")

    assert lead.get("fetchpriority") == "high" and lead.get("loading") is None
    assert inline.get("loading") == "lazy" and inline.get("fetchpriority") is None
    for img in (lead, inline):
        assert_sized(img)
        assert img.get("srcset") and img.get("sizes")
