"""An article printed, and the page used from the keyboard alone."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import Newsroom


def test_a_printed_article_keeps_the_story_credit_and_sources_and_drops_the_rest(
    page: Page, newsroom: Newsroom, artifacts: Path
) -> None:
    page.goto(newsroom.url(newsroom.top_stories[0]))
    page.emulate_media(media="print")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("figure.lead-photo .credit")).to_have_text("Photo from AP")
    expect(page.locator("figure.lead-photo .caption")).to_be_visible()
    sources = page.get_by_role("complementary", name="Sources")
    expect(sources).to_be_visible()
    # A printed page cannot be clicked: the source's address is printed after its link.
    after = sources.locator("a").first.evaluate("a => getComputedStyle(a, '::after').content")
    assert "example.org/report-0" in after
    for hidden in ("nav.sections", "form.search", ".newsletter-box", "#comments", ".site-footer"):
        expect(page.locator(hidden)).to_be_hidden()
    page.pdf(path=artifacts / "article-print.pdf")


def test_the_skip_link_is_the_first_stop_and_leads_to_the_story(
    page: Page, newsroom: Newsroom
) -> None:
    page.goto(newsroom.url(newsroom.top_stories[0]))

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the story")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert focus_ring(page) != "none", "the focused skip link shows no outline"
    page.keyboard.press("Enter")
    expect(page).to_have_url(newsroom.url(newsroom.top_stories[0]) + "#main")

    # The next Tab stop is inside the story, not back in the masthead.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    assert focus_ring(page) != "none"

    # A page that is not a story says what it skips to.
    page.goto(newsroom.url() + "newsletter/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()


def focus_ring(page: Page) -> str:
    return str(page.evaluate("getComputedStyle(document.activeElement).outlineStyle"))
