"""A reader signs up in the box under an article, confirms, changes preferences and leaves.

The mail goes over SMTP to a real server (the ``mail_server`` fixture) and the reader
follows the links in it, as they would from their inbox. Tasks run inline in tests, so
each mail has arrived by the time the request that queued it has been answered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Locator, Page, expect

from dateline.lib.formstamp import stamp_age
from dateline.newsletter.models import ConsentRecord, Newsletter, Subscriber, Suppression
from dateline.newsletter.views import CHECK_INBOX
from tests.browser.conftest import Newsroom
from tests.newsletter import helpers
from tests.newsletter.helpers import link_in

BOX_HEADING = "The important stories, by email"


@pytest.fixture
def inbox(mail_server: Any, newsroom: Newsroom, settings: Any) -> Any:
    """The SMTP server the site mails to, with the links in its mail pointing at the live server.

    Settings changed here reach the live server's thread too: the ``settings`` fixture
    replaces Django's one settings object for the whole process, and the signup code
    reads them on every request.
    """
    settings.BASE_URL = newsroom.live_server.url
    return mail_server


def open_article(page: Page, newsroom: Newsroom) -> Locator:
    """Open the first top story and return its newsletter box."""
    page.goto(newsroom.url(newsroom.top_stories[0]))
    box = page.get_by_role("complementary", name=BOX_HEADING)
    expect(box.get_by_role("heading", name=BOX_HEADING)).to_be_visible()
    return box


def wait_until_the_form_is_old_enough(page: Page, box: Locator, script: bool = True) -> None:
    """The form refuses posts made too soon after the reader loaded it (a bot's speed).

    Such a post is answered like any other but nothing is stored or mailed, so wait
    until the form's own stamp is old enough: at most NEWSLETTER_MIN_FORM_SECONDS.
    With JavaScript that is the live stamp newsletter.js fetched as the page loaded.
    """
    if script:
        expect(box.locator("form[data-stamped=live]")).to_have_count(1)
    stamp = box.locator("input[name=stamp]").input_value()
    age = stamp_age(stamp)
    assert age is not None, f"the form carries no valid stamp: {stamp!r}"
    # The stamp holds whole seconds (rounded down), so its age never falls short.
    remaining = django_settings.NEWSLETTER_MIN_FORM_SECONDS - age + 0.05
    if remaining > 0:
        page.wait_for_timeout(remaining * 1000)
    age = stamp_age(stamp)
    assert age is not None and age >= django_settings.NEWSLETTER_MIN_FORM_SECONDS


def confirmation_link(inbox: Any, address: str, cadence: str) -> str:
    (mail,) = inbox.to(address)
    assert mail["Subject"] == f"Confirm your subscription to {django_settings.PUBLICATION_NAME}"
    text = inbox.text(mail)
    assert f"The newsletters asked for: The digest ({cadence})" in text
    link = link_in(text, "confirm")
    assert link.startswith(django_settings.BASE_URL + "/newsletter/confirm/")
    assert link in inbox.html(mail)
    return link


def test_a_reader_signs_up_confirms_changes_preferences_and_unsubscribes(
    new_page: Callable[..., Page], newsroom: Newsroom, inbox: Any, artifacts: Path
) -> None:
    address = "reader@example.org"
    story = newsroom.top_stories[0]
    page = new_page()
    box = open_article(page, newsroom)
    form = box.locator("form")

    box.get_by_label("Email").fill(address)
    box.get_by_label("Twice a week").check()
    expect(box.get_by_label("Once a week")).not_to_be_checked()
    wait_until_the_form_is_old_enough(page, box)
    with page.expect_response(
        lambda r: r.url == newsroom.url() + "newsletter/" and r.request.method == "POST"
    ) as posted:
        box.get_by_role("button", name="Subscribe").click()

    # With JavaScript the box answers in place: the form gives way to the notice.
    assert posted.value.status == 200
    assert posted.value.json() == {"ok": True, "message": CHECK_INBOX}
    status = box.get_by_role("status")
    expect(status).to_have_text(CHECK_INBOX)
    expect(status).to_be_visible()
    expect(status).to_have_class(re.compile(r"\bnotice\b"))
    expect(form).to_be_hidden()
    expect(page).to_have_url(newsroom.url(story))
    expect(page.get_by_role("heading", level=1)).to_have_text(story.title)
    box.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "newsletter-box-after-signup.png")

    subscriber = Subscriber.objects.get(email=address)
    assert subscriber.status == Subscriber.Status.PENDING
    consent = ConsentRecord.objects.get(email=address)
    assert consent.status == ConsentRecord.Status.PENDING
    assert consent.cadence == "twice_weekly"
    assert consent.source == story.url
    assert consent.mail_sent_at is not None

    # The link in the mail shows a page with a button; only pressing it confirms.
    page.goto(confirmation_link(inbox, address, "twice a week"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your subscription")
    confirm_button = page.get_by_role("button", name="Confirm subscription")
    expect(confirm_button).to_be_visible()
    page.screenshot(path=artifacts / "newsletter-confirm.png")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING, "opening the link confirmed it"

    confirm_button.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    expect(page.get_by_role("status")).to_have_text(
        f"Thank you. {address} will get the newsletter twice a week."
    )
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.cadence == "twice_weekly"

    # The welcome mail links to the preferences.
    mails = inbox.to(address)
    assert len(mails) == 2, [m["Subject"] for m in mails]
    welcome = mails[1]
    assert welcome["Subject"].startswith("Welcome to")
    assert django_settings.PUBLICATION_NAME in welcome["Subject"]
    manage_link = link_in(inbox.text(welcome), "manage")
    page.goto(manage_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your newsletter preferences")
    expect(page.get_by_label("Twice a week")).to_be_checked()
    europe = page.get_by_role("checkbox", name="Europe")
    world = page.get_by_role("checkbox", name="World News")
    expect(europe).not_to_be_checked()
    expect(world).not_to_be_checked()

    page.get_by_label("Once a week").check()
    europe.check()
    page.get_by_role("button", name="Save preferences").click()

    expect(page.get_by_role("status")).to_have_text("Saved.")
    # A new page with the same heading: its title and the focus say it was saved.
    expect(page.get_by_role("status")).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Saved: Your newsletter preferences"))
    expect(page.get_by_label("Once a week")).to_be_checked()
    subscriber.refresh_from_db()
    assert subscriber.cadence == "weekly"
    assert list(subscriber.sections.values_list("title", flat=True)) == ["Europe"]
    # The saved choice holds on a fresh visit too.
    page.goto(manage_link)
    expect(page.get_by_label("Once a week")).to_be_checked()
    expect(europe).to_be_checked()
    expect(world).not_to_be_checked()

    page.get_by_role("link", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    expect(page.get_by_role("status")).to_contain_text("We will not send you the newsletter again.")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    suppression = Suppression.objects.get(email=address)
    assert suppression.reason == Suppression.Reason.UNSUBSCRIBED
    consent.refresh_from_db()
    assert consent.status == ConsentRecord.Status.WITHDRAWN
    assert consent.confirmed_at is not None
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_how == "unsubscribe page"
    assert len(inbox.to(address)) == 2, "unsubscribing sent mail"

    # The preference centre of a reader who left has nothing to press but the way back.
    page.goto(manage_link)
    expect(page.get_by_text("You left every newsletter")).to_be_visible()
    expect(page.get_by_role("button")).to_have_count(1)  # the site search's "Go"
    expect(page.get_by_role("link", name="sign up again")).to_have_attribute("href", "/newsletter/")


def test_without_javascript_the_box_posts_and_shows_the_inbox_page(
    new_page: Callable[..., Page], newsroom: Newsroom, inbox: Any
) -> None:
    address = "no-script@example.org"
    page = new_page(java_script_enabled=False)
    box = open_article(page, newsroom)

    box.get_by_label("Email").fill(address)
    box.get_by_label("Twice a week").check()
    box.get_by_role("button", name="Subscribe").click()

    # The article may come from the cache, so its form cannot say when the reader
    # loaded it: the newsletter page asks once more, with the choices kept.
    expect(page).to_have_url(newsroom.url() + "newsletter/")
    expect(
        page.get_by_text("One more step: check your choices and press Subscribe again to finish.")
    ).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(address)
    expect(page.get_by_label("Twice a week")).to_be_checked()
    assert not Subscriber.objects.filter(email=address).exists()
    form = page.locator("[data-newsletter]")
    wait_until_the_form_is_old_enough(page, form, script=False)
    form.get_by_role("button", name="Subscribe").click()

    expect(page).to_have_url(newsroom.url() + "newsletter/check-your-inbox/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    expect(page.get_by_role("status")).to_have_text(CHECK_INBOX)
    confirmation_link(inbox, address, "twice a week")
    consent = ConsentRecord.objects.get(email=address)
    assert consent.source == newsroom.top_stories[0].url
    assert consent.cadence == "twice_weekly"


def test_a_post_right_after_a_cached_page_loads_is_not_taken(
    new_page: Callable[..., Page], newsroom: Newsroom, inbox: Any
) -> None:
    address = "hasty@example.org"
    url = newsroom.url(newsroom.top_stories[0])
    first = new_page().goto(url)
    assert first is not None
    cached_html = first.text()
    cached = re.search(r'name="stamp" value="([^"]+)"', cached_html)
    assert cached is not None

    # A later reader gets the page from a cache (the test server's own cache does
    # not answer: the page is served as it was first rendered): its page stamp is
    # old enough already, but the reader has only just loaded it.
    later = new_page()
    later.wait_for_timeout(django_settings.NEWSLETTER_MIN_FORM_SECONDS * 1000 + 500)
    later.route(url, lambda route: route.fulfill(body=cached_html, content_type="text/html"))
    later.goto(url)
    age = stamp_age(cached.group(1))
    assert age is not None and age >= django_settings.NEWSLETTER_MIN_FORM_SECONDS
    box = later.get_by_role("complementary", name=BOX_HEADING)
    expect(box.locator("form[data-stamped=live]")).to_have_count(1)
    box.get_by_label("Email").fill(address)
    box.get_by_role("button", name="Subscribe").click()

    # Answered like anyone, so a bot learns nothing; but nothing is stored or sent.
    expect(box.get_by_role("status")).to_have_text(CHECK_INBOX)
    assert not Subscriber.objects.filter(email=address).exists()
    assert inbox.to(address) == []


def test_a_keyboard_reader_tabs_through_the_box_and_subscribes_with_enter(
    new_page: Callable[..., Page], newsroom: Newsroom, inbox: Any
) -> None:
    address = "keys@example.org"
    page = new_page()
    box = open_article(page, newsroom)
    email = box.get_by_label("Email")
    subscribe = box.get_by_role("button", name="Subscribe")

    # The last control of the article comes just before the box.
    page.get_by_role("link", name="Click to comment").focus()
    page.keyboard.press("Tab")
    expect(email).to_be_focused()
    page.keyboard.type(address)
    # The newsletters, each a checkbox named by its label: the digest comes ticked.
    page.keyboard.press("Tab")
    digest = box.get_by_role("checkbox", name="The digest")
    expect(digest).to_be_focused()
    expect(digest).to_be_checked()
    page.keyboard.press("Tab")
    breaking = box.get_by_role("checkbox", name="Breaking news")
    expect(breaking).to_be_focused()
    expect(breaking).not_to_be_checked()
    page.keyboard.press("Space")
    expect(breaking).to_be_checked()
    page.keyboard.press("Tab")
    expect(box.get_by_label("Once a week")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(box.get_by_label("Twice a week")).to_be_focused()
    expect(box.get_by_label("Twice a week")).to_be_checked()
    page.keyboard.press("Tab")
    expect(box.get_by_text("Sections (all unless you choose)")).to_be_focused()
    # The hidden anti-bot field is skipped: the button comes next.
    page.keyboard.press("Tab")
    expect(subscribe).to_be_focused()
    expect(email).to_have_value(address)

    wait_until_the_form_is_old_enough(page, box)
    page.keyboard.press("Enter")

    expect(box.get_by_role("status")).to_have_text(CHECK_INBOX)
    expect(box.locator("form")).to_be_hidden()
    # The focus was on the button that went away: it moves to the message.
    expect(box.get_by_role("status")).to_be_focused()
    confirmation_link(inbox, address, "twice a week")
    assert ConsentRecord.objects.get(email=address).newsletter_ids == sorted(
        [Newsletter.digest().pk, Newsletter.alerts().pk]
    )


def test_the_page_answering_a_save_shows_the_sections_just_saved(
    page: Page, newsroom: Newsroom, inbox: Any
) -> None:
    from dateline.newsletter.tokens import manage_url

    subscriber = helpers.subscriber("saved@example.org")  # on the digest
    page.goto(manage_url(subscriber))
    europe = page.get_by_role("checkbox", name="Europe")
    europe.check()
    page.get_by_role("button", name="Save preferences").click()

    expect(page.get_by_role("status")).to_have_text("Saved.")
    assert list(subscriber.sections.values_list("title", flat=True)) == ["Europe"]
    expect(europe).to_be_checked(timeout=1000)
