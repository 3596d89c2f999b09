from __future__ import annotations

import pytest


@pytest.fixture
def article(world):
    from tests.factories import make_article

    return make_article(world, "Ferry talks resume after storm")


@pytest.fixture(autouse=True)
def _no_limits_unless_asked(settings):
    # Each test starts with an empty cache, so limits only bite where a test asks.
    settings.COMMENTS_BANNED_WORDS = []
    settings.COMMENTS_SPAM_CHECK_URL = ""
