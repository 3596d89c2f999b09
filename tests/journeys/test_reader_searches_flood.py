"""A reader searches the demo site for "flood" and finds the stories about floods."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def search(page: Page, words: str) -> None:
    masthead = page.get_by_role("search", name="Site search")
    masthead.get_by_label("Search").fill(words)
    masthead.get_by_role("button", name="Go").click()


def test_a_reader_searches_flood_and_finds_floods_and_flooding(journey_page: Page) -> None:
    journey_page.goto("/")
    search(journey_page, "flood")

    expect(journey_page).to_have_url(re.compile(r"/search/\?q=flood$"))
    main = journey_page.get_by_role("main")
    expect(main).to_contain_text(re.compile(r"\d+ results? for"))
    # Their words are "floods" and "flooding", not "flood".
    floods = main.get_by_role(
        "link", name="Halvik residents told to boil water after floods swamp treatment plant"
    )
    flooding = main.get_by_role(
        "link", name="Flooding cuts output at Kelvoria's biggest copper mine by a quarter"
    )
    expect(floods).to_be_visible()
    expect(flooding).to_be_visible()

    floods.click()
    expect(journey_page.get_by_role("heading", level=1)).to_have_text(
        "Halvik residents told to boil water after floods swamp treatment plant"
    )


def test_a_reader_finds_a_writers_stories_by_name(journey_page: Page) -> None:
    journey_page.goto("/")
    # The demo's World News reporter; her name is in bylines, not in the stories' text.
    search(journey_page, "Mara Velt")

    main = journey_page.get_by_role("main")
    expect(main).to_contain_text(re.compile(r"\d+ results? for"))
    main.locator(".card-head a").first.click()
    expect(journey_page.locator(".byline")).to_contain_text("Mara Velt")
