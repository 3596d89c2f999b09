import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_it_lists_stories_with_the_tag(client, world):
    article = make_article(world, "Glacier survey published", tags=["glaciers"])
    make_article(world, "Untagged story")
    html = client.get("/tags/glaciers/").content.decode()
    assert "Glacier survey published" in html
    assert "Untagged story" not in html
    assert 'href="/tags/glaciers/"' in client.get(article.url).content.decode()


def test_an_unknown_tag_is_404(client, home):
    assert client.get("/tags/nothing-here/").status_code == 404
