"""A reader signs up twice with other choices, confirms from the first mail, and gets
the first mail's choices: every link a reader was sent keeps working until it expires."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.journeys.conftest import NewcomerSite
from tests.journeys.subscriber import link_in_mail, open_mail, sign_up

ADDRESS = "second-thoughts@example.org"
CONFIRM_SUBJECT = "Confirm your subscription to The Dateline Ledger"


def test_a_reader_signs_up_twice_and_confirms_from_the_first_mail(
    journey_page: Page, newcomer_site: NewcomerSite
) -> None:
    page = journey_page
    sign_up(page, ADDRESS, "Once a week", ("Science", "Climate"))
    first = newcomer_site.latest_mail(to=ADDRESS)
    assert first["subject"] == CONFIRM_SUBJECT
    sign_up(page, ADDRESS, "Twice a week", ("Business",))
    second = newcomer_site.latest_mail(to=ADDRESS, after=first["id"])
    assert second["subject"] == CONFIRM_SUBJECT

    # The outbox lists both, from the publication by name; the reader opens the first.
    page.goto("/dev/outbox/")
    for mail in (first, second):
        row = page.locator("tr", has=page.locator(f"a[href='/dev/outbox/{mail['id']}/']"))
        expect(row).to_contain_text(ADDRESS)
        expect(row).to_contain_text("The Dateline Ledger")
    open_mail(page, newcomer_site, first["id"])
    expect(page.get_by_role("heading", level=1)).to_have_text(CONFIRM_SUBJECT)
    expect(page.locator("pre.text")).to_contain_text("once a week")
    link_in_mail(page, "/newsletter/confirm/").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your subscription")
    page.get_by_role("button", name="Confirm subscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    expect(page.get_by_role("status")).to_have_text(
        f"Thank you. {ADDRESS} will get the newsletter once a week."
    )

    # The second link is spent harmlessly: it says so and changes nothing.
    open_mail(page, newcomer_site, second["id"])
    link_in_mail(page, "/newsletter/confirm/").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This link was already used")

    # The welcome mail's link leads to the preferences: the first mail's choices.
    welcome = newcomer_site.latest_mail(to=ADDRESS, after=second["id"])
    assert welcome["subject"] == "Welcome to the newsletter from The Dateline Ledger"
    open_mail(page, newcomer_site, welcome["id"])
    link_in_mail(page, "/newsletter/manage/").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your newsletter preferences")
    expect(page.get_by_text(f"For {ADDRESS} · Active")).to_be_visible()
    expect(page.get_by_label("Once a week")).to_be_checked()
    expect(page.get_by_label("Twice a week")).not_to_be_checked()
    for section in ("Science", "Climate"):
        expect(page.get_by_label(section, exact=True)).to_be_checked()
    expect(page.get_by_label("Business", exact=True)).not_to_be_checked()
