from __future__ import annotations

import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _fresh_cache(settings, tmp_path):
    """Each test starts with empty caches and its own media folder."""
    from dateline.newsroom import pageviews

    settings.MEDIA_ROOT = tmp_path / "media"
    pageviews.forget()
    for alias in ("default", "renditions"):
        caches[alias].clear()
    yield
    for alias in ("default", "renditions"):
        caches[alias].clear()


@pytest.fixture
def home(db):
    from tests.factories import make_home

    return make_home()


@pytest.fixture
def world(home):
    from tests.factories import make_section

    return make_section(home, "World News")
