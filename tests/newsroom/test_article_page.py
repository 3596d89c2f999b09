import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_it_shows_the_model_page_in_order(client, world):
    article = make_article(world, photo=True, sources=2)
    html = client.get(article.url).content.decode()
    html = html[html.index("<main") :]
    order = [
        'class="section-label"',
        "<h1>Ferry talks resume after storm</h1>",
        'class="byline"',
        'class="lead-photo"',
        "Photo from AP",
        'class="body"',
        'class="sources"',
        'href="#comments"',
        'class="newsletter-box"',
        'id="comments"',
        'href="#top"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize("where", ["article", "home", "section"])
def test_to_top_appears_once_a_page(client, world, where):
    article = make_article(world)
    url = {"article": article.url, "home": "/", "section": world.url}[where]
    assert client.get(url).content.decode().count(">To Top</a>") == 1


def test_a_draft_or_unpublished_article_is_not_found(client, world):
    draft = make_article(world, "Embargoed story", publish=False)
    assert client.get("/world-news/embargoed-story/").status_code == 404
    live = make_article(world, "Withdrawn story")
    live.unpublish()
    assert client.get(live.url or "/world-news/withdrawn-story/").status_code == 404
    assert draft.pk


def test_a_section_front_and_a_missing_article_route_as_usual(client, world):
    make_article(world)
    assert client.get("/world-news/").status_code == 200
    assert client.get("/world-news/no-such-story/").status_code == 404
    assert client.get("/world-news/ferry-talks-resume-after-storm/extra/").status_code == 404
