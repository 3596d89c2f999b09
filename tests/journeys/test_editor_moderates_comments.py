"""An editor approves a held comment from the moderation queue with one click."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from dateline.comments.demo import HELD_COMMENT_NAME
from tests.journeys.conftest import NewcomerSite


def held_count(page: Page) -> int:
    tab = page.locator('[data-queue-tab="held"]')
    expect(tab).to_be_visible()
    count = tab.locator("[data-count]")
    expect(count).to_be_visible()
    return int(count.inner_text())


def test_editor_approves_a_held_comment_with_one_click(
    newcomer_site: NewcomerSite, editor_page: Page
) -> None:
    page = editor_page
    # The dashboard says comments wait, and leads to the queue.
    panel = page.locator("#comments-waiting-section")
    expect(panel).to_contain_text("awaiting moderation")
    panel.get_by_role("link", name="Open the moderation queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comment moderation")
    waiting = held_count(page)
    assert waiting >= 1

    row = page.locator("tr[data-comment]", has_text=HELD_COMMENT_NAME)
    # Shown as the reader page would show it: Markdown rendered, not typed out.
    expect(row.locator("[data-comment-body] strong")).to_have_text("new timetable")
    expect(row.locator("[data-comment-body]")).not_to_contain_text("**")
    article_url = row.get_by_role("link").last.get_attribute("href")
    assert article_url

    # "Select all" ticks every row; the row's own button still acts on its comment alone.
    page.get_by_label("Select all comments on this page").check()
    for box in page.locator('input[name="comment"]').all():
        expect(box).to_be_checked()
    row.get_by_role("button", name=f"Approve the comment by {HELD_COMMENT_NAME}").click()

    expect(page.get_by_text("Approved: 1 comment.")).to_be_visible()
    expect(page.locator("tr[data-comment]", has_text=HELD_COMMENT_NAME)).to_have_count(0)
    if waiting > 1:
        assert held_count(page) == waiting - 1
    else:
        expect(page.locator("[data-queue-empty]")).to_be_visible()

    # A reader sees it under the story now.
    page.goto(re.sub(r"#.*$", "", article_url))
    expect(page.locator("#comments")).to_contain_text(HELD_COMMENT_NAME)
    expect(page.locator("#comments strong", has_text="new timetable")).to_be_visible()
