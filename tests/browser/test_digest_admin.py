"""The digest issue page in Wagtail's admin, in a real browser.

An editor writes the introduction in the rich text editor and overrides the subject,
sees both in the preview, schedules the send and cancels it after a confirmation;
the progress panel follows a send without a reload, and the page reloads itself
when the issue's status changes.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.article_form import sign_in
from tests.browser.conftest import Newsroom

PASSWORD = "digest-admin-browser-test"  # a test account in a throwaway database
DIGESTS = "/admin/newsletter/digests/"


@pytest.fixture
def chief_page(new_page: Callable[..., Page], newsroom: Newsroom) -> Page:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("chief", "chief@example.org", PASSWORD)
    page = new_page()
    sign_in(page, "chief", PASSWORD)
    return page


def test_an_editor_writes_the_introduction_schedules_and_cancels(
    chief_page: Page, newsroom: Newsroom
) -> None:
    from dateline.digests.models import DigestIssue
    from tests.digests.helpers import make_issue

    issue = make_issue(newsroom.top_stories)
    page = chief_page
    page.goto(f"{DIGESTS}{issue.pk}/")
    form = page.locator("[data-words-form]")
    form.get_by_label("Subject").fill("Ferries, pilots and a storm")
    box = form.locator("[role=textbox][contenteditable=true]")
    box.click()
    expect(box).to_be_focused()
    page.keyboard.type("A stormy week on the coast. ", delay=5)
    page.keyboard.press("Control+b")
    page.keyboard.type("Read on.", delay=5)
    # Draftail copies the text into the form's field 250 ms after the last key.
    expect(form.locator('input[name="intro"]')).to_have_value(re.compile("Read on"))
    form.get_by_role("button", name="Save the words").click()
    expect(page.get_by_text("Saved: the preview shows")).to_be_visible()

    issue.refresh_from_db()
    assert issue.subject == "Ferries, pilots and a storm"
    assert "<b>Read on.</b>" in issue.intro
    preview = page.frame_locator("iframe[title='Preview of the digest']")
    expect(preview.locator("strong", has_text="Read on.")).to_be_visible()
    expect(page.locator("[data-preview-words]")).to_contain_text("Ferries, pilots and a storm")

    from django.utils import timezone

    later = timezone.localtime() + datetime.timedelta(days=2)  # the site's time, as the form
    page.locator("[data-schedule-form] input[name='at']").fill(f"{later:%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Send at…").click()
    expect(page.get_by_text("Scheduled: it goes out")).to_be_visible()
    expect(page.locator("[data-progress-panel]")).to_contain_text("nothing is queued yet")
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SCHEDULED

    page.get_by_role("link", name="Cancel the scheduled send…").click()
    page.get_by_role("button", name="Yes, cancel the send").click()
    expect(page.get_by_text("Cancelled: this issue will not be sent.")).to_be_visible()
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.CANCELLED


def test_the_progress_panel_follows_the_send(chief_page: Page, newsroom: Newsroom) -> None:
    from django.utils import timezone

    from dateline.digests.models import Delivery, DigestIssue
    from tests.digests.helpers import make_issue, reader

    issue = make_issue(newsroom.top_stories)
    DigestIssue.objects.filter(pk=issue.pk).update(status=DigestIssue.Status.SENDING)
    for i in range(4):
        subscriber = reader(f"r{i}@example.org")
        Delivery.objects.create(issue=issue, subscriber=subscriber, email=subscriber.email)
    page = chief_page
    page.goto(f"{DIGESTS}{issue.pk}/")
    # The live panel; the figures panel below it has rows of the same names.
    panel = page.locator("[data-progress-panel]")
    expect(panel.locator("[data-figure=queued]")).to_have_text("4")
    # A worker sends one and the relay defers another: the panel shows it, no reload.
    first, second = Delivery.objects.filter(issue=issue).order_by("pk")[:2]
    Delivery.objects.filter(pk=first.pk).update(state=Delivery.State.SENT, sent_at=timezone.now())
    Delivery.objects.filter(pk=second.pk).update(
        attempts=1, retry_at=timezone.now() + datetime.timedelta(minutes=1)
    )
    expect(panel.locator("[data-figure=sent]")).to_have_text("1")
    expect(panel.locator("[data-figure=deferred]")).to_have_text("1")
    expect(panel.locator("[data-figure=queued]")).to_have_text("2")
    # Paused by the engine meanwhile: the page reloads to offer "Resume sending".
    DigestIssue.objects.filter(pk=issue.pk).update(status=DigestIssue.Status.PAUSED)
    expect(page.get_by_role("button", name="Resume sending")).to_be_visible()
    expect(page.locator("[data-issue-status]")).to_have_text("Paused")
