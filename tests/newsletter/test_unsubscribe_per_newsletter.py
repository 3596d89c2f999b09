"""Unsubscribe links and mails that name one newsletter, and the old ones that name none."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import resolve

from dateline.newsletter import tokens
from dateline.newsletter.models import (
    ConsentRecord,
    Newsletter,
    Subscriber,
    Subscription,
    Suppression,
)
from tests.newsletter.helpers import consent, path_of, subscriber

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def reader() -> Subscriber:
    """On the digest and Breaking news, with the confirmed request behind it."""
    who = subscriber("reader@example.org", newsletters=[Newsletter.digest(), Newsletter.alerts()])
    consent(who.email, who, status=ConsentRecord.Status.CONFIRMED)
    return who


def link(who: Subscriber, newsletter: str = "", issue: int | None = None) -> str:
    links = tokens.Links.from_settings(newsletter, issue)
    return path_of(links.unsubscribe_url(links.manage_token(who)))


def one_click(url: str) -> int:
    mail_provider = Client(enforce_csrf_checks=True)
    return mail_provider.post(url, ONE_CLICK, content_type=FORM).status_code


def rows(who: Subscriber, slug: str) -> list[Subscription]:
    return list(Subscription.objects.filter(subscriber=who, newsletter__slug=slug))


def assert_still_subscribed(who: Subscriber) -> None:
    who.refresh_from_db()
    assert who.is_active
    assert not Suppression.objects.exists()
    assert ConsentRecord.objects.get(subscriber=who).status == ConsentRecord.Status.CONFIRMED


def assert_unsubscribed(who: Subscriber) -> None:
    who.refresh_from_db()
    assert who.status == Subscriber.Status.UNSUBSCRIBED
    assert Suppression.objects.get(email=who.email).reason == Suppression.Reason.UNSUBSCRIBED
    assert ConsentRecord.objects.get(subscriber=who).status == ConsentRecord.Status.WITHDRAWN
    assert not Subscription.objects.filter(subscriber=who, left_at=None).exists()


def test_the_links_in_a_newsletters_mail_reach_the_unsubscribe_view(reader):
    assert link(reader, "breaking-news", 42).endswith("/breaking-news/42/")
    for url in (link(reader), link(reader, "breaking-news"), link(reader, "breaking-news", 42)):
        assert resolve(url).func.__name__ == "unsubscribe"


def test_one_click_leaves_only_that_newsletter_counted_for_the_issue(reader):
    assert one_click(link(reader, "breaking-news", 42)) == 200
    (left,) = rows(reader, "breaking-news")
    assert left.left_at is not None
    assert (left.left_issue_id, left.left_how) == (42, "one-click (List-Unsubscribe-Post)")
    (kept,) = rows(reader, "digest")
    assert kept.is_open
    assert_still_subscribed(reader)


def test_one_click_again_is_harmless(reader):
    url = link(reader, "breaking-news", 42)
    assert one_click(url) == 200
    (first,) = rows(reader, "breaking-news")
    assert one_click(url) == 200
    (again,) = rows(reader, "breaking-news")
    assert again.left_at == first.left_at
    assert_still_subscribed(reader)


def test_leaving_the_last_newsletter_is_unsubscribing(reader):
    one_click(link(reader, "breaking-news", 41))
    assert one_click(link(reader, "digest", 42)) == 200
    assert_unsubscribed(reader)
    assert rows(reader, "digest")[0].left_issue_id == 42
    # Still harmless once everything is gone.
    assert one_click(link(reader, "digest", 42)) == 200
    assert Subscription.objects.filter(subscriber=reader).count() == 2


def test_the_link_without_a_newsletter_still_leaves_everything(reader):
    assert one_click(link(reader)) == 200
    assert_unsubscribed(reader)
    assert {s.left_how for s in Subscription.objects.all()} == {"one-click (List-Unsubscribe-Post)"}


def test_an_unknown_newsletter_leaves_everything(reader):
    assert one_click(link(reader, "renamed-since", 7)) == 200
    assert_unsubscribed(reader)


def test_a_huge_issue_number_is_not_stored(reader):
    assert one_click(link(reader, "breaking-news", 10**30)) == 200
    assert rows(reader, "breaking-news")[0].left_issue_id is None


def page_form(html: str, kind: str) -> dict[str, str]:
    form = re.search(rf'<form method="post" data-leave="{kind}">(.*?)</form>', html, re.S)
    assert form is not None, kind
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(1)))
    return fields


def test_the_page_names_the_newsletter_and_its_button_leaves_it_alone(reader):
    browser = Client(enforce_csrf_checks=True)
    url = link(reader, "breaking-news", 42)
    html = browser.get(url).content.decode()
    assert "stop sending <strong>Breaking news</strong>" in html
    assert ">Unsubscribe from Breaking news</button>" in html
    assert ">Leave all newsletters</button>" in html
    assert_still_subscribed(reader)  # following the link changes nothing
    response = browser.post(url, page_form(html, "one"))
    assert "You have left Breaking news" in response.content.decode()
    assert rows(reader, "breaking-news")[0].left_how == "unsubscribe page"
    assert rows(reader, "breaking-news")[0].left_issue_id == 42
    assert_still_subscribed(reader)


def test_the_page_also_leaves_every_newsletter(reader):
    browser = Client(enforce_csrf_checks=True)
    url = link(reader, "breaking-news", 42)
    html = browser.get(url).content.decode()
    response = browser.post(url, page_form(html, "all"))
    assert "You are unsubscribed" in response.content.decode()
    assert_unsubscribed(reader)


def test_the_page_says_so_when_the_reader_left_that_newsletter_already(reader, client):
    one_click(link(reader, "breaking-news"))
    html = client.get(link(reader, "breaking-news")).content.decode()
    assert "is not on Breaking news any more" in html
    assert ">Leave all newsletters</button>" in html


def test_the_buttons_need_the_pages_csrf_token(reader):
    browser = Client(enforce_csrf_checks=True)
    url = link(reader, "breaking-news", 42)
    browser.get(url)
    assert browser.post(url, {"all": "yes"}).status_code == 403
    assert all(s.is_open for s in Subscription.objects.all())


# The mailto: half


@pytest.fixture
def _mailbox(settings):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX = "unsubscribe@news.example"


def mail_to_unsubscribe(who: Subscriber, subject: str) -> None:
    address = f"unsubscribe+{tokens.manage_token(who)}@news.example"
    message = f"From: <{who.email}>\r\nTo: <{address}>\r\nSubject: {subject}\r\n\r\nunsubscribe\r\n"
    call_command("unsubscribe_mail", stdin=io.BytesIO(message.encode()))


@pytest.mark.usefixtures("_mailbox")
def test_the_mailto_subject_of_a_newsletter_leaves_it_alone(reader):
    mailto = tokens.Links.from_settings("breaking-news", 42).unsubscribe_mailto("x")
    assert mailto.endswith("?subject=unsubscribe%20breaking-news")
    mail_to_unsubscribe(reader, "unsubscribe breaking-news")
    (left,) = rows(reader, "breaking-news")
    assert (left.is_open, left.left_how) == (False, "mailto")
    assert_still_subscribed(reader)
    # A mail program's "Re:" and capitals change nothing; the last one leaves everything.
    mail_to_unsubscribe(reader, "Re: UNSUBSCRIBE Digest")
    assert_unsubscribed(reader)


@pytest.mark.usefixtures("_mailbox")
@pytest.mark.parametrize("subject", ["unsubscribe", "unsubscribe no-such-list", "please stop"])
def test_a_mailto_naming_no_known_newsletter_leaves_everything(reader, subject):
    mail_to_unsubscribe(reader, subject)
    assert_unsubscribed(reader)
