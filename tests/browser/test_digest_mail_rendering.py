"""The digest's HTML part in Chromium, at a phone's width and a desktop's, light and dark.

The screenshots go to test-artifacts/mail/digest-<width>-<theme>.png. Chromium is
not Outlook, but it shows the MJML layout as the webmail clients and Apple Mail do:
a 600 px column on a wide screen, the whole width and no sideways scroll on a phone.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from tests.browser.conftest import Newsroom


def digest_html(newsroom: Newsroom) -> str:
    from dateline.digests import render
    from dateline.digests.models import Delivery
    from tests.digests.helpers import INTRO, make_issue, reader

    issue = make_issue(newsroom.top_stories + newsroom.others[:1])
    # With an editor's introduction: bold, italic and a link, as the editor writes them.
    issue.intro = INTRO
    issue.save()
    group = render.render_group(issue, render.issue_stories(issue), None)
    assert group is not None
    subscriber = reader("reader@example.org")
    delivery = Delivery.objects.create(issue=issue, subscriber=subscriber, email=subscriber.email)
    message = email.message_from_bytes(
        group.message_for(delivery, subscriber), policy=email.policy.default
    )
    return str(message.get_body(preferencelist=("html",)).get_content())  # type: ignore[union-attr]


def background(page: Page, selector: str) -> str:
    return str(page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor"))


def test_the_digest_holds_a_600px_column_and_fits_a_phone(
    newsroom: Newsroom,
    new_page: Callable[..., Page],
    artifacts: Path,
    settings: Any,
) -> None:
    settings.BASE_URL = newsroom.live_server.url  # so that the photos load
    html = digest_html(newsroom)
    shots = artifacts / "mail"
    shots.mkdir(exist_ok=True)
    for width, theme in [(375, "light"), (1280, "light"), (375, "dark")]:
        page = new_page(viewport={"width": width, "height": 900}, color_scheme=theme)
        page.set_content(html, wait_until="load")
        page.screenshot(path=shots / f"digest-{width}-{theme}.png", full_page=True)

        column = page.locator("div.card").bounding_box()
        assert column is not None
        assert column["width"] == (600 if width == 1280 else width)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        photos = page.locator("img")
        assert photos.count() == 3
        for i in range(3):
            assert photos.nth(i).evaluate("i => i.complete && i.naturalWidth > 0")
            assert (photos.nth(i).bounding_box() or {"width": 0})["width"] <= column["width"]
        assert page.get_by_role("heading", name="Ferry talks resume after storm").is_visible()
        assert page.get_by_role("link", name="Unsubscribe").is_visible()
        # The preheader is for the inbox list, never shown in the message.
        assert not page.get_by_text("And 3 more stories.").is_visible()
        card = background(page, "div.card")
        assert card == ("rgb(31, 31, 31)" if theme == "dark" else "rgb(253, 252, 249)")
        title = page.get_by_role("link", name="Ferry talks resume after storm")
        text = title.evaluate("a => getComputedStyle(a).color")
        assert text == ("rgb(235, 233, 228)" if theme == "dark" else "rgb(27, 27, 27)")
