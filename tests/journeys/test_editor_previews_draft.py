"""An editor previews a draft: in the editor's side panel, then in a new tab.

The preview is the reader page; it must load inside the admin's panel (not "refused to
connect") while reader pages themselves still refuse to be framed.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.article_form import add_paragraph, choose_author, open_new_article, type_into

HEADLINE = "Night market to open on the Besk quay"


def test_editor_previews_a_draft_in_the_panel_and_a_new_tab(editor_page: Page) -> None:
    page = editor_page
    open_new_article(page, "World News")
    type_into(page, "#id_title", HEADLINE)
    type_into(page, "#id_standfirst", "Stalls will stay open until midnight on Fridays.")
    choose_author(page, "Mara Velt")
    add_paragraph(page, "The town council agreed the night market on Tuesday.")
    page.get_by_role("button", name="Save draft").click()
    # "created", or "has been updated" when an autosave made the page first.
    saved = re.compile(rf"Page '{re.escape(HEADLINE)}' (created|has been updated)")
    expect(page.get_by_text(saved)).to_be_visible()

    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    expect(preview.get_by_text("The town council agreed the night market")).to_be_visible()

    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Preview in new tab").click()
    tab = opened.value
    expect(tab.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    tab.close()

    # The draft is not published: its address still finds nothing. (Asked aside, so the
    # last screen kept is the editor with its preview.)
    assert page.request.get("/world-news/night-market-to-open-on-the-besk-quay/").status == 404
    expect(preview.get_by_role("heading", level=1)).to_have_text(HEADLINE)
