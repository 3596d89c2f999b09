"""A reader comments on a story: without JavaScript, with it, replying, and editing in time."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from dateline.comments.models import Comment
from tests.browser.conftest import Newsroom
from tests.comments.helpers import approved


@pytest.fixture
def quick(settings: Any) -> None:
    # The form's minimum age is a bot defence; a test should not sit through it.
    settings.COMMENTS_MIN_FORM_SECONDS = 0
    settings.COMMENTS_BANNED_WORDS = []


def fill(form: Locator, name: str, email: str, body: str) -> None:
    form.get_by_label("Name").fill(name)
    form.get_by_label("Email", exact=True).fill(email)
    form.get_by_label("Comment").fill(body)


def test_without_javascript_a_first_comment_waits_and_only_its_writer_sees_it(
    new_page: Callable[..., Page], newsroom: Newsroom, quick: None
) -> None:
    article = newsroom.top_stories[0]
    page = new_page(java_script_enabled=False)
    page.goto(newsroom.url(article))
    page.get_by_role("link", name="Click to comment").click()
    expect(page).to_have_url(newsroom.url(article) + "#comments")
    form = page.locator("#comment-form")
    fill(form, "Ilse Maren", "ilse@example.org", "The new rota starts *next week*.")
    form.get_by_label("Email me when someone replies").check()
    form.get_by_role("button", name="Post comment").click()

    comment = Comment.objects.get()
    expect(page).to_have_url(f"{newsroom.url(article)}?comment={comment.pk}#comment-{comment.pk}")
    held = page.get_by_role("status").filter(has_text="awaiting moderation")
    expect(held).to_be_visible()
    expect(held.locator("em")).to_have_text("next week")
    assert comment.status == Comment.Status.HELD and comment.notify_replies

    other = new_page(java_script_enabled=False)
    other.goto(newsroom.url(article))
    expect(other.locator("#comments")).to_contain_text("0 comments")
    expect(other.get_by_text("awaiting moderation")).to_have_count(0)
    expect(other.get_by_text("next week")).to_have_count(0)


def test_an_error_keeps_what_was_typed(
    new_page: Callable[..., Page], newsroom: Newsroom, quick: None
) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(newsroom.url(newsroom.top_stories[0]))
    form = page.locator("#comment-form")
    fill(form, "Ilse Maren", "not an address", "Worth keeping.")
    form.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("alert")).to_contain_text("does not look like an email address")
    expect(page.get_by_label("Comment")).to_have_value("Worth keeping.")
    assert Comment.objects.count() == 0


def test_with_javascript_comments_and_replies_appear_in_place(
    page: Page, newsroom: Newsroom, quick: None, settings: Any
) -> None:
    settings.COMMENTS_MODERATION = "none"
    article = newsroom.top_stories[0]
    first = approved(article, "Tomas Brenn", body="Pilots asked for this for years.")
    page.goto(newsroom.url(article))
    url = page.url
    form = page.locator("#comment-form")
    fill(form, "Ilse Maren", "ilse@example.org", "Good news for **the harbour**.")
    preview = page.locator("[data-comment-preview]")
    expect(preview.locator("strong")).to_have_text("the harbour")
    form.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("status").filter(has_text="Your comment is published")).to_be_visible()
    expect(page.locator(".comment-list > .comment")).to_have_count(2)
    assert page.url == url
    mine = Comment.objects.get(body="Good news for **the harbour**.")

    # Back on the article (the browser may show its own copy from before the post),
    # the writer still sees their comment, with the links to change it.
    page.goto(newsroom.url(article))
    expect(page.locator(f"#comment-{mine.pk}")).to_contain_text("Good news for the harbour")
    expect(page.locator(f"#comment-{mine.pk}").get_by_role("link", name="Edit")).to_be_visible()

    page.locator(f"#comment-{first.pk}").get_by_role("link", name="Reply").click()
    reply_form = page.locator(f"#comment-{first.pk} #comment-form")
    expect(reply_form).to_be_visible()
    # This browser remembers who posted from it, so only the comment needs writing.
    expect(reply_form.get_by_label("Name")).to_have_value("Ilse Maren")
    reply_form.get_by_label("Comment").fill("Agreed, and the night shifts too.")
    reply_form.get_by_role("button", name="Post comment").click()
    reply_item = page.locator(f"#comment-{first.pk} > .comment-replies > .comment")
    expect(reply_item).to_contain_text("night shifts")

    reply = Comment.objects.get(body="Agreed, and the night shifts too.")
    assert reply.parent_id == first.pk and reply.status == Comment.Status.APPROVED
    fresh = page.context.browser.new_context(base_url=newsroom.live_server.url).new_page()
    fresh.goto(newsroom.url(article))
    expect(fresh.locator(f"#comment-{first.pk} .comment-replies .comment")).to_contain_text(
        "night shifts"
    )
    expect(fresh.get_by_role("link", name="Click to comment")).to_contain_text("3 comments")
    fresh.context.close()


def test_with_javascript_the_counts_go_up_as_a_comment_appears(
    page: Page, newsroom: Newsroom, quick: None, settings: Any
) -> None:
    settings.COMMENTS_MODERATION = "none"
    article = newsroom.top_stories[0]
    approved(article, "Tomas Brenn", body="Pilots asked for this for years.")
    page.goto(newsroom.url(article))
    link = page.get_by_role("link", name="Click to comment")
    tools = page.locator(".comment-tools")
    expect(link).to_contain_text("(1 comment)")
    expect(tools).to_contain_text("1 comment")
    form = page.locator("#comment-form")
    fill(form, "Ilse Maren", "ilse@example.org", "Good news for the harbour.")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-list > .comment")).to_have_count(2)
    expect(link).to_contain_text("(2 comments)")
    expect(tools).to_contain_text("2 comments")


def test_the_browser_remembers_the_commenter_until_told_to_forget(
    page: Page, newsroom: Newsroom, quick: None
) -> None:
    article = newsroom.top_stories[0]
    page.goto(newsroom.url(article))
    form = page.locator("#comment-form")
    note = form.get_by_text("This browser remembers your name and email")
    expect(note).to_be_hidden()
    fill(form, "Ilse Maren", "ilse@example.org", "The new rota starts next week.")
    form.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("status").filter(has_text="awaiting moderation").first).to_be_visible()
    expect(note).to_be_visible()

    page.reload()
    expect(form.get_by_label("Name")).to_have_value("Ilse Maren")
    expect(form.get_by_label("Email", exact=True)).to_have_value("ilse@example.org")
    # Kept by the browser only: nothing the server set carries the address.
    cookies = " ".join(c["value"] for c in page.context.cookies())
    assert "ilse" not in cookies
    form.get_by_role("button", name="Forget them").click()
    expect(form.get_by_label("Name")).to_have_value("")
    expect(form.get_by_label("Email", exact=True)).to_have_value("")
    expect(note).to_be_hidden()
    page.reload()
    expect(form.get_by_label("Name")).to_have_value("")
    assert page.evaluate("localStorage.getItem('dateline-commenter')") is None


def test_a_commenter_can_edit_within_the_window_and_not_after(
    new_page: Callable[..., Page], newsroom: Newsroom, quick: None, settings: Any
) -> None:
    settings.COMMENTS_MODERATION = "none"
    article = newsroom.top_stories[1]
    page = new_page(java_script_enabled=False)
    page.goto(newsroom.url(article))
    fill(page.locator("#comment-form"), "Ilse Maren", "ilse@example.org", "The rota starts Monday.")
    page.get_by_role("button", name="Post comment").click()
    comment = Comment.objects.get()
    mine = page.locator(f"#comment-{comment.pk}")
    mine.get_by_role("link", name="Edit").click()
    page.get_by_label("Comment").fill("The rota starts Tuesday.")
    page.get_by_role("button", name="Save changes").click()
    expect(mine).to_contain_text("The rota starts Tuesday.")
    expect(mine).to_contain_text("edited")

    # A stranger sees no edit link, and their edit page does not exist.
    stranger = new_page(java_script_enabled=False)
    stranger.goto(newsroom.url(article) + f"?comment={comment.pk}")
    expect(stranger.locator(f"#comment-{comment.pk}")).to_be_visible()
    expect(stranger.get_by_role("link", name="Edit")).to_have_count(0)
    assert stranger.goto(f"/comments/{comment.pk}/edit/").status == 404

    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=settings.COMMENTS_EDIT_MINUTES + 1)
    )
    page.goto(newsroom.url(article) + f"?comment={comment.pk}")
    expect(mine).to_contain_text("Tuesday")
    expect(mine.get_by_role("link", name="Edit")).to_have_count(0)
    assert page.goto(f"/comments/{comment.pk}/edit/").status == 404


def test_a_commenter_can_delete_within_the_window(
    new_page: Callable[..., Page], newsroom: Newsroom, quick: None, settings: Any
) -> None:
    settings.COMMENTS_MODERATION = "none"
    article = newsroom.top_stories[2]
    page = new_page(java_script_enabled=False)
    page.goto(newsroom.url(article))
    fill(page.locator("#comment-form"), "Ilse Maren", "ilse@example.org", "Posted in haste.")
    page.get_by_role("button", name="Post comment").click()
    comment = Comment.objects.get()
    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete comment").click()
    expect(page.locator("#comments")).not_to_contain_text("Posted in haste.")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.DELETED and comment.body == ""


@pytest.mark.parametrize("script", [False, True], ids=["without-js", "with-js"])
def test_report_is_a_button_that_files_a_report(
    new_page: Callable[..., Page], newsroom: Newsroom, quick: None, script: bool
) -> None:
    from dateline.comments.models import CommentReport

    article = newsroom.top_stories[1]
    comment = approved(article, "Tomas Brenn", body="The ferry never ran on time.")
    page = new_page(java_script_enabled=script)
    page.goto(newsroom.url(article))
    item = page.locator(f"#comment-{comment.pk}")
    item.get_by_role("button", name="Report").click()
    if script:
        # Reported in place: the reader stays on the story.
        expect(item.get_by_role("status")).to_have_text(
            "Thank you. A moderator will look at the comment."
        )
        expect(item.get_by_role("button", name="Reported")).to_be_visible()
        expect(page).to_have_url(newsroom.url(article))
    else:
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert CommentReport.objects.filter(comment=comment).count() == 1
    comment.refresh_from_db()
    assert comment.report_count == 1
