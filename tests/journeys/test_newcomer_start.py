"""The first thing a newcomer does after `make run`: open the site and sign in."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.journeys.conftest import NewcomerSite


def test_the_console_shows_where_to_go_and_the_demo_login_works(
    newcomer_site: NewcomerSite, editor_page: Page
) -> None:
    console = newcomer_site.console()
    assert f"Dateline is running: {newcomer_site.url}/" in console
    assert f"Newsroom admin:      {newcomer_site.url}/admin/" in console
    # Signed in through the form with what the console printed: the dashboard shows.
    expect(editor_page.get_by_role("heading", level=1)).to_be_visible()
    expect(editor_page.get_by_role("link", name="Pages").first).to_be_visible()


def test_a_reader_opens_the_front_page_and_a_story(journey_page: Page) -> None:
    journey_page.goto("/")
    story = journey_page.locator("main article a, main h2 a, main h3 a").first
    headline = story.inner_text().strip()
    story.click()
    expect(journey_page.get_by_role("heading", level=1)).to_have_text(headline)
