"""A reader opens the front page, follows a top story and reads it, on desktop and phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Newsroom
from tests.browser.reading import expect_photo_loaded

LEAD_CAPTION = "Boats wait in the harbour before the talks."
LEAD_CREDIT = "Photo from AP"


def open_first_top_story(page: Page, newsroom: Newsroom) -> None:
    story = newsroom.top_stories[0]
    page.goto("/")
    page.get_by_role("region", name="Top stories").get_by_role("link", name=story.title).click()
    expect(page).to_have_url(newsroom.url(story))


def page_scripts_run(page: Page) -> bool:
    """Whether the page's own scripts run (page.evaluate works either way: it goes
    through the DevTools protocol, which Playwright's java_script_enabled=False
    leaves alone). The probe is one of our own script files, as the site's
    Content-Security-Policy refuses inline script; with scripting off it never loads."""
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.src = "/static/dateline/newsletter.js?probe";
            script.onload = () => { window.probeLoaded = true; };
            document.head.append(script);
        }"""
    )
    page.wait_for_timeout(1500)
    return bool(page.evaluate("() => window.probeLoaded === true"))


def test_a_reader_follows_a_top_story_to_the_article(
    page: Page, newsroom: Newsroom, artifacts: Path
) -> None:
    story = newsroom.top_stories[0]
    page.goto("/")
    top_stories = page.get_by_role("region", name="Top stories")
    expect(top_stories.get_by_role("heading", name="Top stories")).to_be_visible()
    for article in newsroom.top_stories:
        expect(top_stories.get_by_role("link", name=article.title)).to_be_visible()
    expect_photo_loaded(top_stories.get_by_role("img").first)
    page.screenshot(path=artifacts / "home-desktop.png", full_page=True)

    top_stories.get_by_role("link", name=story.title).click()

    expect(page).to_have_url(newsroom.url(story))
    section_link = page.locator(".article-head .section-label").get_by_role("link")
    expect(section_link).to_have_text("World News")
    expect(section_link).to_have_attribute("href", newsroom.world.url)
    expect(page.get_by_role("heading", level=1)).to_have_text(story.title)


def test_the_article_shows_the_photo_credit_sources_and_a_way_to_comment(
    page: Page, newsroom: Newsroom, artifacts: Path
) -> None:
    open_first_top_story(page, newsroom)

    lead = page.locator("figure.lead-photo")
    photo = lead.get_by_role("img")
    expect_photo_loaded(photo)
    column, shown = page.locator("article.article").bounding_box(), photo.bounding_box()
    assert column and shown
    assert shown["width"] == pytest.approx(column["width"], abs=1), "the photo fills the column"
    expect(lead.locator("figcaption .caption")).to_have_text(LEAD_CAPTION)
    expect(lead.locator("figcaption .credit")).to_have_text(LEAD_CREDIT)

    sources = page.get_by_role("complementary", name="Sources")
    expect(sources.get_by_role("heading", name="Sources")).to_be_visible()
    expect(sources.get_by_role("listitem")).to_have_text(
        [
            re.compile(r"^Report from the Associated Press, read at Times Union, 3 November 2026"),
            re.compile(r"^Report from Agency 1, original report, 3 November 2026"),
        ]
    )

    comment = page.get_by_role("link", name="Click to comment")
    expect(comment).to_have_attribute("href", "#comments")
    comments = page.locator("#comments")
    expect(comments).to_have_count(1)
    expect(comments).not_to_be_in_viewport()
    page.screenshot(path=artifacts / "article-desktop.png", full_page=True)

    comment.click()

    expect(page).to_have_url(re.compile(r"#comments$"))
    expect(comments.get_by_role("heading", name="Comments")).to_be_in_viewport()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_to_top_at_the_end_of_the_article_returns_to_the_top(
    new_page: Callable[..., Page], newsroom: Newsroom, javascript: bool
) -> None:
    page = new_page(java_script_enabled=javascript)
    open_first_top_story(page, newsroom)
    assert page_scripts_run(page) is javascript
    masthead = page.locator("#top")
    to_top = page.get_by_role("contentinfo").get_by_role("link", name="To Top")

    page.keyboard.press("End")
    expect(to_top).to_be_in_viewport()
    expect(masthead).not_to_be_in_viewport()
    to_top.click()

    # The stylesheet asks for smooth scrolling, so the way up takes a moment; the
    # masthead is wholly in view only once the page is back at the very top.
    expect(masthead).to_be_in_viewport(ratio=1)
    expect(page).to_have_url(re.compile(r"#top$"))
    assert page.evaluate("location.hash") == "#top"
    assert page.evaluate("window.scrollY") <= 1


def test_the_article_fits_a_phone_screen(
    new_page: Callable[..., Page], newsroom: Newsroom, artifacts: Path
) -> None:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(newsroom.url(newsroom.top_stories[0]))
    expect_photo_loaded(page.locator("figure.lead-photo").get_by_role("img"))

    widths = page.evaluate(
        """() => {
            const viewport = document.documentElement.clientWidth;
            const wider = [...document.querySelectorAll("body *")]
                .filter(el => el.getBoundingClientRect().right > viewport + 0.5)
                .map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
            return {document: document.documentElement.scrollWidth, viewport, wider};
        }"""
    )
    page.screenshot(path=artifacts / "article-phone.png", full_page=True)
    assert widths["viewport"] == PHONE["width"]
    assert widths["document"] <= widths["viewport"], f"wider than the screen: {widths['wider']}"
