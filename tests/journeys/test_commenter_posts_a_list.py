"""A commenter writes a Markdown list under a demo story and sees a list, and the count go up.

The demo's Halvik floods story has a thread with replies. Greta Sollen commented there
before (in the demo), so under the default moderation policy her next comment is
published at once, as a returning commenter's is.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

HALVIK = "Halvik residents told to boil water after floods swamp treatment plant"


def comment_count(text: str) -> int:
    match = re.search(r"(\d+) comments?", text)
    assert match, text
    return int(match.group(1))


def test_a_commenter_posts_a_list_and_sees_a_list(journey_page: Page) -> None:
    page = journey_page
    page.goto("/")
    masthead = page.get_by_role("search", name="Site search")
    masthead.get_by_label("Search").fill("Halvik boil water")
    masthead.get_by_role("button", name="Go").click()
    page.get_by_role("main").get_by_role("link", name=HALVIK).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HALVIK)
    expect(page.get_by_role("link", name="To Top")).to_have_count(1)

    # A thread is there already, replies nested under the comment they answer.
    link = page.get_by_role("link", name=re.compile(r"^Click to comment"))
    before = comment_count(link.inner_text())
    link.click()
    thread = page.locator(".comment-list")
    expect(thread.locator(".comment-replies .comment").first).to_be_visible()

    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("Greta Sollen")
    form.get_by_label("Email", exact=True).fill("greta.sollen@example.org")
    form.get_by_label("Comment").fill(
        "What the council should do before the next storm:\n\n"
        "- publish the test results street by street\n"
        "- bring the plant's upgrade forward"
    )
    preview = page.locator("[data-comment-preview]")
    expect(preview.locator("li")).to_have_count(2)
    # A person takes longer to write than the form's time trap allows a bot (3 s).
    page.wait_for_timeout(3500)
    form.get_by_role("button", name="Post comment").click()

    expect(page.get_by_role("status").filter(has_text="Your comment is published")).to_be_visible()
    mine = thread.locator(":scope > .comment").last
    expect(mine).to_contain_text("Greta Sollen")
    expect(mine.locator(".comment-body ul > li")).to_have_text(
        ["publish the test results street by street", "bring the plant's upgrade forward"]
    )
    expect(link).to_contain_text(f"({before + 1} comments)")
    expect(page.locator(".comment-tools")).to_contain_text(f"{before + 1} comments")

    # The browser remembers her for next time, and says so.
    expect(form.get_by_text("This browser remembers your name and email")).to_be_visible()
    mine.scroll_into_view_if_needed()  # the last screen shows her list
