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


def test_the_front_page_offers_the_newsletter(client, world):
    make_article(world, "Border crossing reopens")
    html = client.get("/").content.decode()
    assert '<form method="post" action="/newsletter/"' in html
    assert html.index("Border crossing reopens") < html.index('class="newsletter-box"')


def test_the_empty_site_says_so(client, home):
    response = client.get("/")
    assert response.status_code == 200
    assert "Nothing published yet." in response.content.decode()


def test_drafts_never_show(client, world):
    make_article(world, "Embargoed dam report", publish=False)
    assert "Embargoed dam report" not in client.get("/").content.decode()


def section_block(html: str, slug: str) -> str:
    start = html.index(f'id="s-{slug}"')
    end = html.find('class="section-latest"', start)
    return html[start : end if end != -1 else len(html)]


def test_each_section_shows_its_newest_stories_not_already_on_top(client, home, world):
    now = timezone.now()
    business = make_section(home, "Business")
    for i in range(9):
        make_article(
            business, f"Tariff story {i}", published_at=now - datetime.timedelta(days=10, hours=i)
        )
    for i in range(5):
        make_article(world, f"Top world story {i}", published_at=now - datetime.timedelta(hours=i))
    html = client.get("/").content.decode()
    shown = section_block(html, "business")
    # Tariff stories are older than the five top stories: the four newest of them, in order.
    positions = [shown.find(f"Tariff story {i}<") for i in range(9)]
    assert all(p > 0 for p in positions[:4]) and positions[:4] == sorted(positions[:4])
    assert all(p == -1 for p in positions[4:])
    # The world section's stories are all top stories already: no repeats below.
    assert 'id="s-world-news"' not in html


def test_the_home_page_costs_the_same_queries_however_many_sections(client, home, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dateline.lib import pagecache
    from dateline.newsletter import subscriptions
    from dateline.newsletter.models import ConsentText

    def queries() -> int:
        pagecache.invalidate()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    for i in range(6):  # enough recent stories for the top of the page
        make_article(world, f"World story {i}")
    ConsentText.current()  # the newsletter box's wording: read once, then cached
    subscriptions.choosable()  # and its list of newsletters, cached the same way
    few = queries()
    for name in ("Business", "Science", "Sport"):
        section = make_section(home, name)
        for i in range(3):
            make_article(section, f"{name} story {i}")
    assert queries() == few
