import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_it_finds_stories_by_their_words(client, world):
    make_article(world, "Lighthouse keepers vote to strike")
    make_article(world, "Wheat harvest beats forecasts")
    html = client.get("/search/?q=lighthouse").content.decode()
    assert "1 result for" in html
    assert "Lighthouse keepers vote to strike" in html
    assert "Wheat harvest" not in html


def test_no_match_says_what_to_do(client, world):
    html = client.get("/search/?q=zeppelin").content.decode()
    assert "No stories match" in html


def test_an_empty_search_shows_just_the_form(client, home):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "result" not in response.content.decode().split("<main", 1)[1]


def test_a_ten_thousand_character_search_gives_a_clean_page(client, world):
    make_article(world)
    response = client.get("/search/", {"q": "storm " * 2000})
    assert response.status_code == 200


@pytest.mark.parametrize("query", ['"', "AND OR NOT", "*", "a:b", "(((", "\x00"])
def test_search_syntax_characters_never_break_the_page(client, world, query):
    make_article(world)
    assert client.get("/search/", {"q": query}).status_code == 200


def test_a_bad_results_page_is_404(client, world):
    make_article(world, "Lighthouse keepers vote to strike")
    assert client.get("/search/?q=lighthouse&page=abc").status_code == 404
