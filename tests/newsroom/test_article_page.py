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
