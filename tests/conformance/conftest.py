"""A small published site for the conformance tests: what the validators look at."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class Site:
    home: Any
    section: Any
    article: Any
    author: Any
    comments: list[Any]


@pytest.fixture
def site(home: Any) -> Site:
    """Home, World News with three articles (one with a photo, tags and a comment thread)."""
    from django.utils import timezone

    from tests.comments.helpers import approved
    from tests.factories import make_article, make_author, make_section

    section = make_section(home, "World News")
    author = make_author("Mara Velt", role="Harbour correspondent")
    # Microseconds on purpose: HTML allows at most three digits of a second.
    now = timezone.now().replace(microsecond=708300)
    article = make_article(
        section,
        "Ferry talks resume after storm",
        authors=[author],
        photo=True,
        sources=2,
        tags=["Shipping"],
        corrections=1,
        published_at=now - datetime.timedelta(hours=1),
    )
    for hours, title in ((2, "Harbour pilots agree new rota"), (3, "Storm bill reaches council")):
        make_article(
            section,
            title,
            authors=[author],
            tags=["Shipping"],
            published_at=now - datetime.timedelta(hours=hours),
        )
    first = approved(article, "Tomas Brenn", body="The timetable is *finally* out.")
    reply = approved(article, "Ilse Maren", parent=first, body="And the fares?")
    article.refresh_from_db()
    return Site(home, section, article, author, [first, reply])
