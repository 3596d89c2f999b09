"""Behind a proxy cache the reader's browser reports the view (PAGE_VIEW_COUNTING=beacon)."""

from __future__ import annotations

from playwright.sync_api import Page

from dateline.newsroom import pageviews
from tests.browser.conftest import Newsroom


def test_opening_an_article_reports_one_view(page: Page, newsroom: Newsroom, settings) -> None:
    settings.PAGE_VIEW_COUNTING = "beacon"
    settings.PAGE_VIEW_FLUSH_SECONDS = 3600
    story = newsroom.top_stories[0]
    pageviews.forget()

    with page.expect_response(lambda r: r.url.endswith(f"/views/{story.pk}/")) as beacon:
        page.goto(newsroom.url(story))
    assert beacon.value.request.method == "POST"
    assert beacon.value.status == 204
    assert pageviews.pending() == {story.pk: 1}
