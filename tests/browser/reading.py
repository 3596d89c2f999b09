"""What a reader sees, checked the same way in every browser test."""

from __future__ import annotations

from playwright.sync_api import Locator, expect


def expect_photo_loaded(photo: Locator) -> None:
    expect(photo).to_be_visible()
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("img => img.naturalWidth") > 0, "the photo did not load"
