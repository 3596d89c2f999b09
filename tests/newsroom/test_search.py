import pytest
from django.db import connection
from lxml import html as lxml_html

from tests.factories import make_article, make_author

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


# What search engines are told (docs/decisions/0005-search-pages-indexable.md) ------


def robots_and_canonical(client, url: str) -> tuple[list[str], list[str]]:
    doc = lxml_html.fromstring(client.get(url).content)
    return doc.xpath('//meta[@name="robots"]/@content'), doc.xpath('//link[@rel="canonical"]/@href')


def test_a_page_of_results_is_indexable_under_its_cleaned_query(client, world, settings):
    make_article(world, "Lighthouse keepers vote to strike")
    robots, canonical = robots_and_canonical(
        client, "/search/?q=%20%20Lighthouse%20%20%22keepers%22%20"
    )
    assert robots == []
    assert canonical == [settings.BASE_URL + "/search/?q=Lighthouse+keepers"]


def test_a_later_page_of_results_keeps_its_number_and_the_first_drops_it(client, world, settings):
    settings.ARTICLES_PER_PAGE = 1
    make_article(world, "Lighthouse keepers vote to strike")
    make_article(world, "Lighthouse keepers return to work")
    assert robots_and_canonical(client, "/search/?q=lighthouse&page=2") == (
        [],
        [settings.BASE_URL + "/search/?q=lighthouse&page=2"],
    )
    assert robots_and_canonical(client, "/search/?page=1&q=lighthouse") == (
        [],
        [settings.BASE_URL + "/search/?q=lighthouse"],
    )


@pytest.mark.parametrize("url", ["/search/", "/search/?q=", "/search/?q=%20%2A%20"])
def test_the_bare_form_is_indexable(client, home, settings, url):
    assert robots_and_canonical(client, url) == ([], [settings.BASE_URL + "/search/"])


def test_a_search_that_finds_nothing_is_not_indexed(client, world):
    make_article(world, "Lighthouse keepers vote to strike")
    assert robots_and_canonical(client, "/search/?q=zeppelin") == (["noindex"], [])


# What readers type: a word's other forms, and the people who write ------------


def test_a_word_finds_its_other_forms(client, world):
    make_article(world, "Rivers burst their banks", standfirst="Floods reach the old town.")
    make_article(world, "Dykes hold after the storm", standfirst="Flooding was feared.")
    make_article(world, "Wheat harvest beats forecasts")
    html = client.get("/search/?q=flood").content.decode()
    assert "2 results for" in html
    assert "Rivers burst their banks" in html
    assert "Dykes hold after the storm" in html


def test_an_author_is_found_by_name(client, world):
    writer = make_author("Ines Albright")
    make_article(world, "Lighthouse keepers vote to strike", authors=[writer])
    make_article(world, "Wheat harvest beats forecasts")
    html = client.get("/search/?q=albright").content.decode()
    assert "Lighthouse keepers vote to strike" in html
    assert "Wheat harvest" not in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own setting")
def test_postgres_stems_whatever_the_servers_default_configuration(client, world):
    with connection.cursor() as cursor:
        # Undone with the test's transaction.
        cursor.execute("SET default_text_search_config = 'simple'")
    make_article(world, "Rivers burst their banks", standfirst="Floods reach the old town.")
    assert "Rivers burst their banks" in client.get("/search/?q=flood").content.decode()


def test_a_renamed_author_is_found_by_the_new_name(client, world):
    writer = make_author("Ines Albright")
    make_article(world, "Lighthouse keepers vote to strike", authors=[writer])
    writer.name = "Ines Halloran"
    writer.save()
    assert "Lighthouse keepers" in client.get("/search/?q=halloran").content.decode()
    assert "Lighthouse keepers" not in client.get("/search/?q=albright").content.decode()
