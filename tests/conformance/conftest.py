"""A small published site for the conformance tests: what the validators look at."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.conformance.helpers import DOMAIN, PUBLICATION, Site


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


@pytest.fixture
def publication(settings: Any) -> None:
    """Mail from a publication with an accented name on a domain of its own."""
    settings.BASE_URL = f"https://{DOMAIN}"
    settings.MAIL_DOMAIN = DOMAIN
    settings.PUBLICATION_NAME = PUBLICATION
    settings.DEFAULT_FROM_EMAIL = f'"{PUBLICATION}" <newsroom@{DOMAIN}>'
    settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX = f"unsubscribe@{DOMAIN}"
    settings.TIME_ZONE = "Europe/Paris"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
