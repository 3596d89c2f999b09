"""A reader signs up, confirms, and signs up again with the address in other
capitals: still one subscriber, told by mail that they are subscribed already."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.journeys.conftest import NewcomerSite, sign_in
from tests.journeys.subscriber import link_in_mail, open_mail, sign_up

TYPED_FIRST = "Reader.Two@Example.com"
TYPED_LATER = "reader.two@example.com"


def test_a_reader_signing_up_in_other_capitals_stays_one_subscriber(
    new_journey_page, newcomer_site: NewcomerSite
) -> None:
    page: Page = new_journey_page()
    sign_up(page, TYPED_FIRST, "Twice a week")
    confirmation = newcomer_site.latest_mail(to=TYPED_LATER)
    open_mail(page, newcomer_site, confirmation["id"])
    link_in_mail(page, "/newsletter/confirm/").click()
    page.get_by_role("button", name="Confirm subscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    welcome = newcomer_site.latest_mail(to=TYPED_LATER, after=confirmation["id"])

    sign_up(page, TYPED_LATER, "Once a week")
    # Not a second subscription waiting for confirmation: a note that they have one.
    note = newcomer_site.latest_mail(to=TYPED_LATER, after=welcome["id"])
    assert note["subject"] == "You already receive the newsletter from The Dateline Ledger"
    open_mail(page, newcomer_site, note["id"])
    link_in_mail(page, "/newsletter/manage/").click()
    expect(page.get_by_text(f"For {TYPED_LATER} · Active")).to_be_visible()
    expect(page.get_by_label("Twice a week")).to_be_checked()

    # The newsroom sees one subscriber for the address, however it was typed.
    editor: Page = new_journey_page()
    sign_in(editor, newcomer_site)
    editor.goto("/admin/newsletter/subscribers/?q=reader.two")
    rows = editor.locator("table.listing tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(TYPED_LATER)
    expect(rows.first).to_contain_text("Active")
