"""Reader pages ask their objects only for names those objects have.

When a template names an attribute an object lacks, Django's lookup ends in a
dir() of the object before giving up: for a Wagtail page about 160 us here, and
the home page used to do it 35 times (each card's comment count, the navigation's
section), about 5 ms of every render.
"""

from __future__ import annotations

import sys
from collections import Counter

import pytest
from wagtail.models import Page

from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_lookup_misses(monkeypatch):
    import django.template.base as template_base

    misses: Counter[str] = Counter()

    def counting_dir(obj=None):
        if isinstance(obj, Page):
            bit = sys._getframe(1).f_locals.get("bit")
            misses[f"{type(obj).__name__}.{bit}"] += 1
        return dir(obj)

    # _resolve_lookup calls the builtin by name: a module global shadows it.
    monkeypatch.setattr(template_base, "dir", counting_dir, raising=False)
    return misses


def test_home_section_and_article_pages_miss_no_name_on_a_page(
    client, home, world, page_lookup_misses
):
    articles = [make_article(world, f"Story {n}") for n in range(5)]
    for url in ("/", world.url, articles[0].url):
        assert client.get(url).status_code == 200
    assert page_lookup_misses == Counter()
