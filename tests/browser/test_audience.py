"""The Audience area on a phone, with the keyboard: no page-wide sideways scroll, the
period chosen with Tab and Enter, and no serious axe violation."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Newsroom
from tests.browser.test_accessibility import BLOCKING, axe_source, describe, run_axe

__all__ = ["axe_source"]  # a fixture, used by name

AUDIENCE = "/admin/audience/"
PASSWORD = "audience-browser-test"  # a test account in a throwaway database


@pytest.fixture
def counted(newsroom: Newsroom) -> Newsroom:
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from dateline.newsroom.models import PageViewDay

    get_user_model().objects.create_superuser("numbers", "numbers@example.org", PASSWORD)
    today = timezone.localdate()
    for i, story in enumerate(newsroom.top_stories):
        for ago in range(0, 30, 3):
            PageViewDay.objects.create(
                page=story, day=today - datetime.timedelta(days=ago), views=(i + 1) * (ago + 2)
            )
    return newsroom


def sign_in(page: Page) -> None:
    page.goto(f"/admin/login/?next={AUDIENCE}")
    page.get_by_label("Username").fill("numbers")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page).to_have_url(re.compile(re.escape(AUDIENCE) + "$"))


def test_the_audience_works_on_a_phone_and_with_the_keyboard(
    counted: Newsroom, new_page: Callable[..., Page], axe_source: str, artifacts: Path
):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    sign_in(page)
    # The page itself never scrolls sideways: wide charts and tables scroll in their box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    expect(page.locator("svg[data-chart='growth-joins']")).to_be_visible()

    # From the "Period" choices, Tab moves on to "30 days" and Enter chooses it.
    page.get_by_role("link", name="7 days", exact=True).first.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"days=30"))
    current = page.locator("nav[aria-label='Period'] a[aria-current='true']")
    expect(current).to_have_text("30 days")

    # The most-read list leads to a story's chart, by keyboard too.
    first = page.locator("table[data-most-read] tbody a").first
    title = first.inner_text()
    first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("svg[data-chart='article-views'] title")).to_contain_text(title)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(artifacts / "audience-article-phone.png"), full_page=True)

    page.goto(AUDIENCE)
    page.screenshot(path=str(artifacts / "audience-phone.png"), full_page=True)
    blocking = [v for v in run_axe(page, axe_source) if v["impact"] in BLOCKING]
    assert not blocking, "axe found serious or critical violations:\n" + describe(blocking)


def test_an_editor_sees_the_issues_figures_after_a_click(
    counted: Newsroom, new_page: Callable[..., Page], settings: Any
):
    from dateline.digests import clicks, render
    from dateline.digests.models import Delivery, DigestIssue
    from tests.digests.helpers import make_issue

    settings.BASE_URL = counted.live_server.url  # where the mail's links lead
    issue = make_issue(counted.top_stories[:2])
    DigestIssue.objects.filter(pk=issue.pk).update(status=DigestIssue.Status.SENT)
    for i in range(3):
        Delivery.objects.create(issue=issue, email=f"r{i}@example.org", state="sent")
    story = render.issue_stories(issue)[0]
    clicks.TALLY.forget()

    page = new_page()
    # A reader's click: the redirect lands on the story, and the count is written.
    page.goto("/" + story.url.split("://", 1)[1].split("/", 1)[1])
    expect(page).to_have_url(re.compile(re.escape(story.article.url) + "$"))
    clicks.TALLY.flush()

    sign_in(page)
    page.goto(f"/admin/newsletter/digests/{issue.pk}/")
    figures = page.locator("[data-issue-figures]")
    expect(figures.locator("tr[data-figure='delivered'] td").first).to_have_text("3")
    expect(figures.locator("tr[data-figure='clicks'] td").first).to_have_text("1")
    expect(figures.locator("table[data-story-clicks]")).to_contain_text(story.article.title)
