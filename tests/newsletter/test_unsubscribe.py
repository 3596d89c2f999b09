"""/newsletter/unsubscribe/TOKEN/: the page's button, RFC 8058 one-click, and the headers."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from dateline.newsletter import tokens
from dateline.newsletter.models import ConsentRecord, ConsentText, Subscriber, Suppression
from tests.newsletter.helpers import path_of

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"
FORM = "application/x-www-form-urlencoded"


def active_subscriber(email: str = "reader@example.org") -> Subscriber:
    """A confirmed subscriber with the consent record a confirmation leaves behind."""
    now = timezone.now()
    subscriber = Subscriber.objects.create(
        email=email, status=Subscriber.Status.ACTIVE, confirmed_at=now
    )
    ConsentRecord.objects.create(
        subscriber=subscriber,
        email=email,
        status=ConsentRecord.Status.CONFIRMED,
        source="newsletter page",
        consent_text=ConsentText.current(),
        confirmed_at=now,
        confirmed_ip="127.0.0.1",
    )
    return subscriber


def url(subscriber: Subscriber) -> str:
    return f"/newsletter/unsubscribe/{tokens.manage_token(subscriber)}/"


def assert_unsubscribed(subscriber: Subscriber, how: str) -> None:
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    suppression = Suppression.objects.get(email=subscriber.email)
    assert suppression.reason == Suppression.Reason.UNSUBSCRIBED
    consent = ConsentRecord.objects.get(subscriber=subscriber)
    assert consent.status == ConsentRecord.Status.WITHDRAWN
    assert consent.withdrawn_at is not None
    assert how in consent.withdrawn_how


def test_one_click_needs_no_cookie_and_no_csrf_token():
    subscriber = active_subscriber()
    mail_provider = Client(enforce_csrf_checks=True)
    response = mail_provider.post(url(subscriber), ONE_CLICK, content_type=FORM)
    assert response.status_code == 200
    assert not response.cookies
    assert_unsubscribed(subscriber, "one-click")


def test_one_click_also_comes_as_multipart():
    # RFC 8058 allows either encoding of the POST body.
    subscriber = active_subscriber()
    mail_provider = Client(enforce_csrf_checks=True)
    response = mail_provider.post(url(subscriber), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert_unsubscribed(subscriber, "one-click")


def test_one_click_twice_is_harmless():
    subscriber = active_subscriber()
    mail_provider = Client(enforce_csrf_checks=True)
    times = []
    for _ in range(2):
        assert mail_provider.post(url(subscriber), ONE_CLICK, content_type=FORM).status_code == 200
        subscriber.refresh_from_db()
        times.append(subscriber.unsubscribed_at)
    assert_unsubscribed(subscriber, "one-click")
    assert Suppression.objects.count() == 1
    assert times[0] == times[1]  # the evidence keeps the first request's time


def test_following_the_link_shows_a_button_and_changes_nothing(client):
    subscriber = active_subscriber()
    for response in (client.get(url(subscriber)), client.head(url(subscriber))):
        assert response.status_code == 200
    html = client.get(url(subscriber)).content.decode()
    assert ">Unsubscribe</button>" in html
    assert "reader@example.org" in html
    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert not Suppression.objects.exists()
    assert ConsentRecord.objects.get().status == ConsentRecord.Status.CONFIRMED


def test_the_button_without_a_csrf_token_is_refused():
    subscriber = active_subscriber()
    browser = Client(enforce_csrf_checks=True)
    browser.get(url(subscriber))  # has the cookie, but a forged form carries no token
    for body in ({}, {"confirm": "yes"}, {"List-Unsubscribe": "Yes"}):
        assert browser.post(url(subscriber), body).status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert not Suppression.objects.exists()


def test_the_button_with_the_pages_csrf_token_unsubscribes():
    subscriber = active_subscriber()
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(url(subscriber)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    response = browser.post(url(subscriber), {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert_unsubscribed(subscriber, "unsubscribe page")


def test_the_page_of_an_unsubscribed_reader_says_so(client):
    subscriber = active_subscriber()
    client.post(url(subscriber), ONE_CLICK, content_type=FORM)
    html = client.get(url(subscriber)).content.decode()
    assert "is unsubscribed already" in html
    assert "<button" not in html.split("<main", 1)[-1].split("</main>", 1)[0]


def test_unsubscribing_keeps_a_stronger_suppression(client):
    # A complaint must outlive the reader's later unsubscribe (and an erasure of it).
    subscriber = active_subscriber()
    Suppression.objects.create(email=subscriber.email, reason=Suppression.Reason.COMPLAINT)
    client.post(url(subscriber), ONE_CLICK, content_type=FORM)
    assert Suppression.objects.get().reason == Suppression.Reason.COMPLAINT


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # one hex digit of the signature
        lambda t: t.split(".")[0] + "." + "0" * 32,
        lambda t: t.split(".")[0],  # no signature at all
        lambda t: "x" + t,  # another public id
        lambda t: t.upper(),
    ],
)
def test_a_forged_token_is_not_found(forge):
    subscriber = active_subscriber()
    forged = forge(tokens.manage_token(subscriber))
    browser = Client(enforce_csrf_checks=True)
    for response in (
        browser.get(f"/newsletter/unsubscribe/{forged}/"),
        browser.post(f"/newsletter/unsubscribe/{forged}/", ONE_CLICK, content_type=FORM),
    ):
        assert response.status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.is_active


@pytest.mark.parametrize(
    "token", ["x", "A" * 500, "%00", "abc%00.def", "%C3%A9t%C3%A9.%E2%82%AC", "%ED%A0%80"]
)
def test_a_garbled_token_gets_a_404_page_not_an_error(client, token):
    active_subscriber()
    for kind in ("unsubscribe", "manage"):
        response = client.get(f"/newsletter/{kind}/{token}/")
        assert response.status_code == 404
        response = client.post(f"/newsletter/{kind}/{token}/", ONE_CLICK, content_type=FORM)
        assert response.status_code == 404
    assert Subscriber.objects.get().is_active


def test_the_list_unsubscribe_headers(settings):
    settings.BASE_URL = "https://news.example"
    settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX = "unsubscribe@news.example"
    subscriber = active_subscriber()
    token = tokens.manage_token(subscriber)
    headers = tokens.list_unsubscribe_headers(subscriber)
    assert headers == {
        "List-Unsubscribe": (
            f"<https://news.example/newsletter/unsubscribe/{token}/>, "
            f"<mailto:unsubscribe+{token}@news.example?subject=unsubscribe>"
        ),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_the_https_url_in_the_header_works_for_one_click(settings):
    settings.BASE_URL = "https://news.example"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "news.example"]
    subscriber = active_subscriber()
    header = tokens.list_unsubscribe_headers(subscriber)["List-Unsubscribe"]
    (https,) = re.findall(r"<(https://[^>]+)>", header)
    mail_provider = Client(enforce_csrf_checks=True)
    response = mail_provider.post(
        path_of(https), ONE_CLICK, content_type=FORM, secure=True, HTTP_HOST="news.example"
    )
    assert response.status_code == 200
    assert_unsubscribed(subscriber, "one-click")
