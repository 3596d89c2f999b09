import pytest

from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db


def test_it_lists_an_authors_stories(client, world):
    agency = make_author("Northwire", kind="organisation", role="News agency")
    make_article(world, "Ferry strike ends", authors=[agency])
    make_article(world, "Unrelated council vote")
    html = client.get("/authors/northwire/").content.decode()
    assert "<h1>Northwire</h1>" in html
    assert "Ferry strike ends" in html
    assert "Unrelated council vote" not in html


def test_an_unknown_author_is_404(client, home):
    assert client.get("/authors/nobody/").status_code == 404


def test_the_byline_links_every_author_in_order(client, world):
    authors = [make_author("Mara Velt"), make_author("Northwire", kind="organisation")]
    article = make_article(world, authors=authors)
    html = client.get(article.url).content.decode()
    byline = html[html.index('class="byline"') :]
    assert byline.index("/authors/mara-velt/") < byline.index("/authors/northwire/")
    assert "Mara Velt</a> and <a" in byline
