"""An editor writes the digest's introduction and sends it, sends a story as a
breaking-news alert, and sees the alert's figures after a reader clicks in it.

Issue #24's browser acceptance, on the newcomer's site: the demo, its login, the
development outbox as the reader's inbox.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.journeys.conftest import NewcomerSite
from tests.journeys.subscriber import sign_up

READER = "two.newsletters.reader@example.org"
INTRO = "A calm week on the coast, and one storm. "


def test_an_editor_sends_the_digest_and_an_alert_and_reads_the_figures(
    newcomer_site: NewcomerSite,
    editor_page: Page,
    new_journey_page: Callable[..., Page],
) -> None:
    # A reader chooses the twice-weekly digest and Breaking news, and confirms from the mail.
    reader = new_journey_page()
    sign_up(reader, READER, "Twice a week", newsletters=("Breaking news",))
    mail = newcomer_site.latest_mail(to=READER)
    assert "Breaking news" in mail["text"]
    reader.goto(next(url for url in mail["links"] if "/newsletter/confirm/" in url))
    reader.get_by_role("button", name="Confirm subscription").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    welcome = newcomer_site.latest_mail(to=READER, after=int(mail["id"]))

    # The editor opens the next twice-weekly digest (the other journey sends the weekly)
    # and writes its introduction.
    page = editor_page
    panel = page.locator("#next-digest-section")
    draft_link = panel.get_by_role("link", name=re.compile(r"^Twice a week:"))
    if not draft_link.count():
        panel.get_by_role("link", name="All digests").click()
        page.get_by_role("button", name="Draft the next issues now").click()
        page.goto("/admin/")
    draft_link.click()
    words = page.locator("[data-words-form]")
    box = words.locator("[role=textbox][contenteditable=true]")
    box.click()
    page.keyboard.type(INTRO, delay=5)
    expect(words.locator('input[name="intro"]')).to_have_value(re.compile("one storm"))
    words.get_by_role("button", name="Save the words").click()
    expect(page.get_by_text("Saved: the preview shows")).to_be_visible()
    page.get_by_role("button", name="Approve and send now").click()
    expect(page.get_by_text(re.compile(r"Approved: \d+ readers? queued"))).to_be_visible()

    digest = newcomer_site.latest_mail(to=READER, after=int(welcome["id"]), wait=60)
    assert INTRO.strip() in digest["text"]
    # Each mail's one-click unsubscribe leaves only the newsletter it came from.
    assert "/newsletter/unsubscribe/" in digest["headers"]["List-Unsubscribe"]
    assert "/digest/" in digest["headers"]["List-Unsubscribe"]

    # The editor sends the digest's top story as an alert: finds it, previews, confirms.
    headline = digest["subject"]
    page.goto("/admin/pages/search/?" + urllib.parse.urlencode({"q": headline}))
    page.get_by_role("link", name=headline, exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    # The header's page actions (a story with authors or a lead image has more "Actions").
    header = page.get_by_role("navigation", name="Actions", exact=True)
    header.get_by_role("button", name="Actions", exact=True).click()
    page.get_by_role("link", name="Send as an alert").click()
    expect(page.frame_locator("iframe").first.locator("body")).to_contain_text(headline)
    page.get_by_role("button", name=re.compile(r"^Send to \d+ readers?…$")).click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text(re.compile(r"Sending: \d+ readers? queued"))).to_be_visible()

    alert = newcomer_site.latest_mail(to=READER, after=int(digest["id"]), wait=60)
    assert alert["subject"] == f"Breaking: {headline}"
    assert "/breaking-news/" in alert["headers"]["List-Unsubscribe"]

    # The reader clicks the story in the alert and lands on it.
    link = next(url for url in alert["links"] if "/digests/c/" in url)
    reader.goto(link)
    expect(reader.get_by_role("heading", level=1)).to_have_text(headline)

    # The editor finds the alert among the issues and sees the click counted (each
    # process writes its counts every CLICK_FLUSH_SECONDS, 10 by default).
    page.goto("/admin/newsletter/digests/")
    page.get_by_role("link", name=re.compile(r"^Alert")).first.click()
    figures = page.locator("[data-issue-figures]")
    clicks = figures.locator("tr[data-figure='clicks'] td").first
    for _ in range(20):
        if clicks.inner_text().strip() == "1":
            break
        page.wait_for_timeout(1500)
        page.reload()
    expect(clicks).to_have_text("1")
    expect(figures.locator("tr[data-figure='delivered'] td").first).to_have_text(
        re.compile(r"^[1-9]")
    )
