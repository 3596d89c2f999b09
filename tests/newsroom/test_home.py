import datetime

import pytest
from django.utils import timezone

from dateline.newsroom.models import ArticlePage
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db


def test_top_stories_lead_with_priority_then_recency(client, home, world):
    now = timezone.now()
    make_article(world, "Minor harbour notice", published_at=now)
    make_article(
        world,
        "Dam agreement signed",
        priority=ArticlePage.Priority.TOP,
        published_at=now - datetime.timedelta(hours=5),
    )
    html = client.get("/").content.decode()
    top = html[html.index('id="top-h"') :]
    assert top.index("Dam agreement signed") < top.index("Minor harbour notice")


def test_it_lists_the_latest_of_each_section(client, home, world):
    business = make_section(home, "Business")
    for i in range(7):
        make_article(business, f"Port tariffs story {i}")
    make_article(world, "Border crossing reopens")
    html = client.get("/").content.decode()
    assert 'id="s-business"' in html
    assert "Border crossing reopens" in html


def test_the_empty_site_says_so(client, home):
    response = client.get("/")
    assert response.status_code == 200
    assert "Nothing published yet." in response.content.decode()


def test_drafts_never_show(client, world):
    make_article(world, "Embargoed dam report", publish=False)
    assert "Embargoed dam report" not in client.get("/").content.decode()
