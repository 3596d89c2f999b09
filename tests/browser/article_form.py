"""Filling Wagtail's article editor as an editor does: typing, choosers and block menus."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

# An upload makes the photo's renditions before the chooser closes: seconds on a busy
# machine, more than expect()'s default 5 s.
MODAL_MS = 30_000


def sign_in(page: Page, username: str, password: str, next_url: str = "/admin/") -> None:
    page.goto(f"/admin/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))


def type_into(page: Page, selector: str, text: str) -> None:
    field = page.locator(selector)
    field.click()
    expect(field).to_be_focused()
    page.keyboard.type(text, delay=5)


def choose_author(page: Page, name: str) -> None:
    page.get_by_role("button", name="Choose author").first.click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("link", name=name).click()
    expect(modal).to_be_hidden(timeout=MODAL_MS)


def add_paragraph(page: Page, text: str) -> None:
    body = page.locator("#panel-child-content-body-section")
    body.get_by_role("button", name="Insert a block").last.click()
    page.get_by_role("option", name="Paragraph").click()
    # The new block's editor starts up after it is inserted: keys typed before it has
    # the focus go nowhere (seen in CI), so wait for the focus and check what landed.
    box = body.locator("[role=textbox][contenteditable=true]").last
    box.click()
    expect(box).to_be_focused()
    page.keyboard.type(text, delay=2)
    expect(box).to_contain_text(text)
    # Draftail copies the text into the form's hidden field 250 ms after the last key
    # (its stateSaveInterval); a Save clicked sooner sends an empty paragraph. A person
    # never clicks that fast: wait for the copy.
    value = page.locator('input[type=hidden][name^="body-"][name$="-value"]').last
    expect(value).to_have_value(re.compile(re.escape(text[:16])))


def publish(page: Page) -> None:
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish", exact=True).click()


def open_new_article(page: Page, section: str) -> None:
    """From the Pages explorer to a blank article in ``section``, as an editor clicks."""
    page.goto("/admin/pages/")
    page.get_by_role("link", name="Explore child pages of 'Home'").click()
    page.get_by_role("link", name=f"Explore child pages of '{section}'").click()
    page.get_by_role("link", name="Add child page").first.click()
    # A section holds articles and live blogs: Wagtail asks which.
    page.get_by_role("link", name="Article", exact=True).click()
    expect(page.locator("#id_title")).to_be_visible()


def upload_lead_photo(
    page: Page, path: str, *, title: str, caption: str, credit: str, alt: str
) -> None:
    page.get_by_role("button", name="Choose an image").click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("tab", name="Upload").click()
    modal.locator("#id_image-chooser-upload-file").set_input_files(path)
    # Wagtail fills the title from the file's name only when its script is listening by
    # the time the file is chosen, which a test can beat (seen in CI): the editor names it.
    modal.locator("#id_image-chooser-upload-title").fill(title)
    modal.locator("#id_image-chooser-upload-description").fill(alt)
    modal.locator("#id_image-chooser-upload-caption").fill(caption)
    modal.locator("#id_image-chooser-upload-credit").fill(credit)
    modal.get_by_role("button", name="Upload").click()
    try:
        expect(modal).to_be_hidden(timeout=MODAL_MS)
    except AssertionError as stayed:
        # Wagtail's errors (a duplicate, a refused file) are in the form: say which.
        raise AssertionError(f"the upload stayed open:\n{modal.inner_text()}") from stayed


def add_source(page: Page, outlet: str, short: str, read_at: str, url: str) -> None:
    page.get_by_role("button", name="Add Sources").click()
    page.locator("#id_sources-0-outlet").fill(outlet)
    page.locator("#id_sources-0-outlet_short").fill(short)
    page.locator("#id_sources-0-read_at").fill(read_at)
    page.locator("#id_sources-0-url").fill(url)
