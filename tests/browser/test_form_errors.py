"""A reader who gets a form wrong hears what is wrong when they reach the field.

Screen readers announce a field's accessible description (aria-describedby) when it gets
focus, so each error message must be tied to its field, not only printed near it. These
mostly run with JavaScript off: the server's own answer has to be right by itself. With
JavaScript on, the comment form answers in place and must tie its message the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Newsroom


def test_the_newsletter_page_ties_a_bad_address_to_the_email_field(
    new_page: Callable[..., Page], newsroom: Newsroom, settings: Any
) -> None:
    settings.NEWSLETTER_MIN_FORM_SECONDS = 0
    page = new_page(java_script_enabled=False)
    page.goto("/newsletter/")
    form = page.locator("main form.newsletter-form")
    form.get_by_label("Email").fill("harbour-master.example.org")
    form.get_by_role("button", name="Subscribe").click()

    email = page.locator("main form.newsletter-form").get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile(r"\S"))
    error = page.locator("main .field-error")
    expect(error).to_have_count(1)
    expect(email).to_have_accessible_description(error.inner_text().strip())


def test_the_comment_form_ties_its_error_to_the_field_at_fault(
    new_page: Callable[..., Page], newsroom: Newsroom, settings: Any
) -> None:
    settings.COMMENTS_MIN_FORM_SECONDS = 0
    page = new_page(java_script_enabled=False)
    page.goto(newsroom.top_stories[0].url)
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("Tomas Brenn")
    form.get_by_label("Email", exact=True).fill("tomas@example.org")
    form.get_by_role("button", name="Post comment").click()

    body = page.locator("#comment-form").get_by_label("Comment", exact=True)
    expect(body).to_have_attribute("aria-invalid", "true")
    error = page.locator("#comment-error")
    expect(error).to_be_visible()
    # The hint stays part of the description; the error is added to it.
    description = re.compile(re.escape(error.inner_text().strip()))
    expect(body).to_have_accessible_description(description)
    expect(body).to_have_accessible_description(re.compile(r"emphasis"))


def test_the_comment_form_in_place_ties_its_message_to_the_field(
    new_page: Callable[..., Page], newsroom: Newsroom, settings: Any
) -> None:
    settings.COMMENTS_MIN_FORM_SECONDS = 0
    page = new_page()
    page.goto(newsroom.top_stories[0].url)
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("Tomas Brenn")
    form.get_by_label("Email", exact=True).fill("tomas@example.org")
    form.get_by_role("button", name="Post comment").click()

    body = form.get_by_label("Comment", exact=True)
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(body).to_be_focused()
    message = form.locator(".comment-status")
    expect(message).not_to_be_empty()
    expect(page).to_have_url(newsroom.url(newsroom.top_stories[0]))
    expect(body).to_have_accessible_description(re.compile(re.escape(message.inner_text())))
    expect(body).to_have_accessible_description(re.compile(r"emphasis"))

    body.fill("The timetable is back on the harbour office door.")
    form.get_by_label("Name").fill("")
    form.get_by_role("button", name="Post comment").click()

    name = form.get_by_label("Name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(body).not_to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description(re.compile(re.escape(message.inner_text())))
    expect(body).to_have_accessible_description(re.compile(r"^You can use"))
