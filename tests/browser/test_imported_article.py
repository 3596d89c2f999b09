"""A reader follows an old WordPress link to a story imported into Dateline.

The link is the old site's permalink; the browser is sent on (301) to the story's new
page, which shows it as the old site did: its photo with caption and credit, and the
readers' comments with the reply under the comment it answers.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from dateline.importers import wordpress
from tests.browser.conftest import Newsroom
from tests.browser.reading import expect_photo_loaded
from tests.importers.conftest import EXPORT, MAPPING, jpeg

OLD_URL = "/2024/03/04/second-night-crossing/"
HEADLINE = "Harbour master orders a second night crossing"


def uploads(root: Path) -> Path:
    """The old site's wp-content/uploads, as far as this story needs it."""
    (root / "2024" / "03").mkdir(parents=True)
    ferry = jpeg((20, 60, 120))
    (root / "2024/03/ferry.jpg").write_bytes(ferry)
    (root / "2024/03/ferry-copy.jpg").write_bytes(ferry)
    (root / "2024/03/quay.jpg").write_bytes(jpeg((120, 90, 40)))
    return root


def test_an_old_wordpress_link_lands_on_the_imported_story(
    page: Page, newsroom: Newsroom, tmp_path: Path, artifacts: Path
) -> None:
    report = wordpress.run(EXPORT, media=uploads(tmp_path / "uploads"), mapping=MAPPING)
    assert report.created == 4

    response = page.goto(newsroom.url() + OLD_URL.lstrip("/"))
    assert response is not None and response.ok
    # Where the old link went: the story's new address, not the old one.
    expect(page).to_have_url(re.compile(r"/harbour/second-night-crossing/$"))
    assert response.request.redirected_from is not None
    assert response.request.redirected_from.url.endswith(OLD_URL)

    expect(page.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    lead = page.locator("article figure").first
    expect_photo_loaded(lead.get_by_role("img", name="A white ferry under lamps at a stone quay"))
    expect(lead).to_contain_text("The last ferry of the evening, tied up at the north quay.")
    expect(lead).to_contain_text("Tomas Reyland")

    comments = page.get_by_role("region", name=re.compile("comments", re.I))
    expect(comments.get_by_text("Pell Norris")).to_be_visible()
    expect(comments.get_by_text("Ivy Marlowe").first).to_be_visible()
    page.screenshot(path=str(artifacts / "imported-article-from-old-url.png"), full_page=True)
