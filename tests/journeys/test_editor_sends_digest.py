"""An editor opens the next digest's draft, moves a story up and sends it to the outbox."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.journeys.conftest import NewcomerSite

READER = "weekly.digest.reader@example.org"


def subscribe_weekly(page: Page, site: NewcomerSite) -> int:
    """A reader signs up for the weekly mail on the newsletter page and confirms from the mail.

    Returns the outbox id of the welcome mail that follows, the last before the digest.
    """
    page.goto("/newsletter/")
    form = page.locator("form", has=page.get_by_role("button", name="Subscribe"))
    form.get_by_label("Email").fill(READER)
    form.get_by_label("Once a week").check()
    # The form refuses a post quicker than a person fills it in (a bot's speed):
    # NEWSLETTER_MIN_FORM_SECONDS, 2 by default, as `make run` has it.
    page.wait_for_timeout(3000)
    form.get_by_role("button", name="Subscribe").click()
    mail = site.latest_mail(to=READER)
    link = next(url for url in mail["links"] if "/newsletter/confirm/" in url)
    page.goto(link)
    page.get_by_role("button", name="Confirm subscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    welcome = site.latest_mail(to=READER, after=int(mail["id"]))
    assert welcome["subject"].startswith("Welcome")
    return int(welcome["id"])


def story_titles(page: Page) -> list[str]:
    return [
        title or ""
        for title in page.locator("table[data-stories] tr[data-story]").evaluate_all(
            "rows => rows.map(r => r.dataset.story)"
        )
    ]


def test_editor_moves_a_story_up_and_sends_the_next_digest(
    newcomer_site: NewcomerSite,
    editor_page: Page,
    new_journey_page: Callable[..., Page],
) -> None:
    welcomed = subscribe_weekly(new_journey_page(), newcomer_site)
    page = editor_page

    # The dashboard shows the next weekly issue; its draft is there days before its slot.
    panel = page.locator("#next-digest-section")
    expect(panel).to_contain_text("Once a week:")
    draft_link = panel.get_by_role("link", name=re.compile(r"^Once a week:"))
    if not draft_link.count():
        # The scheduler has not run yet on this fresh site: the editor drafts it at once.
        panel.get_by_role("link", name="All digests").click()
        page.get_by_role("button", name="Draft the next issues now").click()
        page.goto("/admin/")
    expect(panel).to_contain_text(re.compile(r"\d+ stor(y|ies) so far"))
    draft_link.click()
    expect(page.get_by_role("heading", name=re.compile("Status: Draft"))).to_be_visible()

    before = story_titles(page)
    assert len(before) >= 2, before
    second = before[1]
    page.get_by_role("button", name=f"Move up: {second}").click()
    # The button posts and the page comes back with the new order.
    first_row = page.locator("table[data-stories] tr[data-story]").first
    expect(first_row).to_have_attribute("data-story", second)
    after = story_titles(page)
    assert after[:2] == [second, before[0]]
    expect(page.locator(f'tr[data-story="{second}"]')).to_contain_text("pinned")

    page.get_by_role("button", name="Approve and send now").click()
    expect(page.get_by_text(re.compile(r"Approved: \d+ readers? queued"))).to_be_visible()

    # The reader's mail in the development outbox leads with the story moved up.
    mail = newcomer_site.latest_mail(to=READER, after=welcomed, wait=60)
    assert mail["subject"] == second
    text = mail["text"]
    assert text.index(second) < text.index(before[0])
    assert "because you subscribed to the newsletter of The Dateline Ledger." in text
    outbox = new_journey_page()
    outbox.goto("/dev/outbox/")
    outbox.get_by_role("link", name=second).first.click()
    expect(outbox.get_by_role("heading", level=1)).to_have_text(second)
    body = outbox.locator("pre.text").inner_text()
    assert body.index(second) < body.index(before[0])
