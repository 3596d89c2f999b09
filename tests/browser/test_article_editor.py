"""Writing a new article in Wagtail's admin, in a real browser: /admin/pages/add/….

The headline fills the slug as the editor types, and a Publish clicked while an
autosave is on its way publishes the page the autosave created, instead of creating it
a second time ("slug already in use") and leaving the autosaved copy as a stray draft.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.article_form import (
    add_paragraph,
    choose_author,
    publish,
    sign_in,
    type_into,
)
from tests.browser.conftest import Newsroom

PASSWORD = "article-editor-browser-test"  # a test account in a throwaway database
HEADLINE = "Harbour cranes return to work"


@pytest.fixture
def editor_page(new_page: Callable[..., Page], newsroom: Newsroom) -> Page:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("chief", "chief@example.org", PASSWORD)
    page = new_page()
    sign_in(page, "chief", PASSWORD)
    page.goto(f"/admin/pages/add/newsroom/articlepage/{newsroom.world.pk}/")
    return page


def test_typing_the_headline_fills_the_slug(editor_page: Page) -> None:
    type_into(editor_page, "#id_title", HEADLINE)

    editor_page.get_by_role("tab", name="Promote").click()
    expect(editor_page.locator("#id_slug")).to_have_value("harbour-cranes-return-to-work")


def test_publish_during_an_autosave_publishes_the_autosaved_page(
    editor_page: Page, newsroom: Newsroom
) -> None:
    from dateline.newsroom.models import ArticlePage

    page = editor_page
    held: list[tuple[Route, Any]] = []

    def hold_autosave(route: Route) -> None:
        # The autosave reaches the server (which creates the page); its answer is held
        # back until the editor has clicked Publish.
        if route.request.method == "POST" and "json" in route.request.headers.get("accept", ""):
            response = route.fetch()
            if response.ok:
                held.append((route, response))
            else:
                # Refused (the form is not complete yet): answered, so autosave goes on.
                route.fulfill(response=response)
        else:
            route.continue_()

    page.route(re.compile(r"/admin/pages/add/"), hold_autosave)
    type_into(page, "#id_title", HEADLINE)
    type_into(page, "#id_standfirst", "The cranes at Port Calder moved again on Monday.")
    choose_author(page, "Mara Velt")
    add_paragraph(page, "The first crane lifted a container at dawn.")
    for _ in range(150):
        if held:
            break
        page.wait_for_timeout(200)
    assert held, "no autosave created the page"

    publish(page)
    page.wait_for_timeout(500)
    for route, response in held:
        route.fulfill(response=response)

    # Published from the autosaved page's edit view, back to the section's pages.
    expect(page).to_have_url(re.compile(rf"/admin/pages/{newsroom.world.pk}/$"), timeout=30_000)
    expect(page.get_by_text(f"Page '{HEADLINE}' has been published.")).to_be_visible()
    articles = ArticlePage.objects.filter(title=HEADLINE)
    assert [(a.slug, a.live) for a in articles] == [("harbour-cranes-return-to-work", True)]
