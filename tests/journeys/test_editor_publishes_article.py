"""An editor writes a new article from a blank form and sees it on the home page.

They type the headline and never touch the slug (the headline fills it), add a lead
photo with its caption and credit, and a source; Publish works on the first try.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.article_form import (
    add_paragraph,
    add_source,
    choose_author,
    open_new_article,
    publish,
    type_into,
    upload_lead_photo,
)

HEADLINE = "Lighthouse keepers return to Skarra Point after forty years"


def test_editor_writes_and_publishes_a_new_article(editor_page: Page, tmp_path: Path) -> None:
    page = editor_page
    photo = tmp_path / "skarra-lighthouse.jpg"
    # A picture of its own (random pixels): Wagtail asks about a duplicate when an upload's
    # file matches one already in the library.
    Image.frombytes("RGB", (1200, 800), os.urandom(1200 * 800 * 3)).save(photo, "JPEG")

    open_new_article(page, "World News")
    type_into(page, "#id_title", HEADLINE)
    type_into(page, "#id_standfirst", "Two keepers will live at the light from spring.")
    choose_author(page, "Mara Velt")
    page.locator("#id_dateline_place").fill("SKARRA POINT")
    upload_lead_photo(
        page,
        str(photo),
        title="Skarra Point lighthouse",
        caption="The Skarra Point light at dusk.",
        credit="Photo: Ada Lind for the Ledger",
        alt="A white lighthouse on a rocky point under an evening sky",
    )
    add_paragraph(page, "The lighthouse at Skarra Point will have keepers again in spring.")
    add_source(
        page,
        "Coastal Heritage Trust",
        "CHT",
        "the trust's newsletter",
        "https://coastal-heritage.example/skarra",
    )
    publish(page)

    # "created and published", or "has been published" when an autosave made the page.
    published = re.compile(rf"Page '{re.escape(HEADLINE)}' (created and|has been) published")
    expect(page.get_by_text(published)).to_be_visible()
    page.goto("/")
    page.get_by_role("link", name=HEADLINE).first.click()
    expect(page).to_have_url(re.compile(r"/world-news/lighthouse-keepers-return-to-skarra-point"))
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    expect(page.get_by_text("The Skarra Point light at dusk.")).to_be_visible()
    expect(page.get_by_text("Photo: Ada Lind for the Ledger")).to_be_visible()
    expect(page.get_by_text("Coastal Heritage Trust").first).to_be_visible()
