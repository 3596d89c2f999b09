import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_it_lists_the_section_newest_first_with_pages(client, world, settings):
    settings.ARTICLES_PER_PAGE = 2
    for i in range(5):
        make_article(world, f"Flood report number {i}")
    first = client.get("/world-news/").content.decode()
    assert "Page 1 of 3" in first
    assert 'rel="next"' in first
    third = client.get("/world-news/?page=3").content.decode()
    assert "Page 3 of 3" in third


@pytest.mark.parametrize("page", ["abc", "99999", "-1", "0", "1e9"])
def test_a_bad_page_number_is_a_clean_404(client, world, page):
    make_article(world)
    response = client.get(f"/world-news/?page={page}")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_it_links_its_own_feeds(client, world):
    html = client.get("/world-news/").content.decode()
    assert 'href="/feeds/world-news/rss.xml"' in html
    assert 'href="/feeds/world-news/atom.xml"' in html
