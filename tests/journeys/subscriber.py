"""What the subscriber journeys share: the newsletter page and the development outbox."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.journeys.conftest import NewcomerSite

CHECK_INBOX = re.compile(r"^Almost done\. .*click the link in it to confirm your address\.$")
# NEWSLETTER_MIN_FORM_SECONDS: a person takes longer than this to fill the form;
# Playwright types at once, so it waits as long as the slowest typist would not.
FORM_SECONDS = 2.2


def sign_up(
    page: Page,
    address: str,
    cadence: str,
    sections: tuple[str, ...] = (),
    newsletters: tuple[str, ...] = (),
) -> None:
    """Sign up on /newsletter/ as a reader would, and see the page say what comes next.

    ``newsletters``: ticked beside the digest, which the form ticks already.
    """
    page.goto("/newsletter/")
    box = page.locator("[data-newsletter]")
    # newsletter.js stamps the form with the time the page loaded (the page may be cached).
    expect(box.locator("form[data-stamped=live]")).to_have_count(1)
    box.get_by_label("Email").fill(address)
    box.get_by_label(cadence).check()
    for section in sections:
        box.get_by_label(section, exact=True).check()
    for newsletter in newsletters:
        box.get_by_label(newsletter, exact=True).check()
    page.wait_for_timeout(FORM_SECONDS * 1000)
    box.get_by_role("button", name="Subscribe").click()
    expect(box.get_by_role("status")).to_have_text(CHECK_INBOX)


def open_mail(page: Page, site: NewcomerSite, mail_id: int) -> None:
    """Open one message in the development outbox, from its list, as a developer would."""
    page.goto("/dev/outbox/")
    page.locator(f"a[href='/dev/outbox/{mail_id}/']").click()
    expect(page).to_have_url(re.compile(rf"/dev/outbox/{mail_id}/$"))


def link_in_mail(page: Page, path: str) -> Locator:
    """The link to ``path`` in the open message's plain-text part."""
    return page.locator("pre.text a", has_text=path).first
