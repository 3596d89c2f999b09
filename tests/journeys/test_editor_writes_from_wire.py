"""An editor writes a story from a wire cluster in the demo desk and publishes it.

The demo's agencies reported a rail bridge closure; the newest report is headed
"UPDATE 1-…". The draft's headline loses that prefix, its dateline comes from the
reports, its author is the agency, and its slug follows the headline as the editor
edits it; once the editor has written the body, it publishes.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.article_form import add_paragraph, publish

DRAFT_HEADLINE = "Trains halted at Besk bridge for a week after cracks found"
EDITED = "Trains halted at Besk rail bridge for a week"


def test_editor_writes_a_story_from_a_wire_cluster_and_publishes_it(editor_page: Page) -> None:
    page = editor_page
    page.get_by_role("button", name="Wire").click()
    page.get_by_role("link", name="Desk", exact=True).click()
    expect(page.get_by_role("heading", name="Wire desk")).to_be_attached()
    bridge = page.locator("section[data-cluster]", has_text="Rail bridge at Besk")
    expect(bridge.locator("tbody tr")).to_have_count(3)
    bridge.get_by_label("Section").select_option(label="World News")
    bridge.get_by_role("button", name="Write story", exact=True).click()

    expect(page.get_by_text("Draft created from the wire")).to_be_visible()
    title = page.locator("#id_title")
    expect(title).to_have_value(DRAFT_HEADLINE)
    expect(page.locator("#id_dateline_place")).to_have_value("BESK")

    title.click()
    title.press("ControlOrMeta+a")
    page.keyboard.type(EDITED, delay=5)
    page.get_by_role("tab", name="Promote").click()
    expect(page.locator("#id_slug")).to_have_value("trains-halted-at-besk-rail-bridge-for-a-week")
    page.get_by_role("tab", name="Content").click()
    # The wire text is beside the editor, not in the body: the editor writes the story.
    add_paragraph(
        page,
        'No train will cross the Orvin rail bridge for at least a week. "We will not run a '
        'single train over that bridge until the engineers tell us it is sound," said Hanne '
        "Solvik of the rail authority.",
    )
    publish(page)

    expect(page.get_by_text(f"Page '{EDITED}' has been published.")).to_be_visible()
    page.goto("/world-news/trains-halted-at-besk-rail-bridge-for-a-week/")
    expect(page.get_by_role("heading", level=1)).to_have_text(EDITED)
    expect(page.get_by_text(re.compile("BESK"))).to_be_visible()
    expect(page.get_by_text("Velmar Press Agency").first).to_be_visible()
