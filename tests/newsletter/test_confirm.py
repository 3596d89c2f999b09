"""/newsletter/confirm/TOKEN/: the link in the confirmation mail, and what it may and may not do."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from dateline.newsletter.models import ConsentRecord, Subscriber, Suppression
from dateline.newsletter.signup import unsubscribe
from dateline.newsletter.tokens import hash_token
from tests.newsletter.helpers import form_data, link_in, path_of

pytestmark = pytest.mark.django_db


def sign_up(client: Client, mail_server, email: str, **extra) -> str:
    """Sign up through the form; the path of the newest confirmation link mailed."""
    assert client.post("/newsletter/", form_data(email, **extra)).status_code == 303
    return path_of(link_in(mail_server.text(mail_server.to(email)[-1])))


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def test_following_the_link_shows_a_button_and_confirms_nothing(client, mail_server):
    path = sign_up(client, mail_server, "reader@example.org")
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert ">Confirm subscription</button>" in html
    assert 'method="post"' in html
    # A mail scanner that follows every link (or prefetches it) changes nothing.
    client.head(path)
    client.get(path)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    assert ConsentRecord.objects.get().status == ConsentRecord.Status.PENDING
    assert len(mail_server.messages) == 1
    assert response["Cache-Control"].startswith("max-age=0")


def test_pressing_the_button_confirms_with_time_and_address(client, mail_server, settings):
    settings.NEWSLETTER_WELCOME_MAIL = True
    path = sign_up(client, mail_server, "reader@example.org", cadence="twice_weekly")
    before = timezone.now()
    response = client.post(path, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 200
    assert "You are subscribed" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.cadence == "twice_weekly"
    assert subscriber.confirmed_at is not None and subscriber.confirmed_at >= before
    consent = ConsentRecord.objects.get()
    assert consent.status == ConsentRecord.Status.CONFIRMED
    assert consent.confirmed_at is not None and consent.confirmed_at >= before
    assert consent.confirmed_ip == "192.0.2.44"
    confirmation, welcome = mail_server.to("reader@example.org")
    assert "Confirm" in confirmation["Subject"]
    assert "Welcome" in welcome["Subject"]
    assert "/newsletter/manage/" in mail_server.text(welcome)


def test_no_welcome_mail_when_it_is_switched_off(client, mail_server, settings):
    settings.NEWSLETTER_WELCOME_MAIL = False
    path = sign_up(client, mail_server, "reader@example.org")
    assert client.post(path).status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE
    (only,) = mail_server.to("reader@example.org")
    assert "Confirm" in only["Subject"]


def test_the_button_needs_the_csrf_token_of_the_page(mail_server):
    browser = Client(enforce_csrf_checks=True)
    path = sign_up(browser, mail_server, "reader@example.org")
    assert browser.post(path).status_code == 403
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    browser.get(path)
    csrf = browser.cookies["csrftoken"].value
    assert browser.post(path, {"csrfmiddlewaretoken": csrf}).status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE


def test_the_database_holds_only_a_hash_of_the_token(client, mail_server):
    token = token_of(sign_up(client, mail_server, "reader@example.org"))
    consent = ConsentRecord.objects.get()
    assert consent.token_hash == hash_token(token)
    assert token not in consent.token_hash
    stored = [str(v) for v in ConsentRecord.objects.values().get().values()]
    stored += [str(v) for v in Subscriber.objects.values().get().values()]
    assert not any(token in value for value in stored)


def test_an_expired_link_says_so_and_offers_a_new_one(client, mail_server, settings):
    settings.NEWSLETTER_CONFIRM_HOURS = 72
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        path = sign_up(client, mail_server, "reader@example.org")
    with time_machine.travel(start + datetime.timedelta(hours=71, minutes=59), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(start + datetime.timedelta(hours=72, minutes=1), tick=False):
        for response in (client.get(path), client.post(path)):
            assert response.status_code == 410
            html = response.content.decode()
            assert "This link has expired" in html
            assert ">Send me a new link</button>" in html
            assert 'action="/newsletter/"' in html
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_a_used_link_says_it_was_used(client, mail_server):
    path = sign_up(client, mail_server, "reader@example.org")
    assert client.post(path).status_code == 200
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert "This link was already used" in response.content.decode()
    assert ConsentRecord.objects.get().status == ConsentRecord.Status.CONFIRMED


@pytest.mark.parametrize(
    "path",
    [
        "/newsletter/confirm//",
        "/newsletter/confirm/x/",
        "/newsletter/confirm/" + "A" * 500 + "/",
        "/newsletter/confirm/%00/",
        "/newsletter/confirm/abc%00def/",
        "/newsletter/confirm/%C3%A9t%C3%A9-%E2%82%AC-%F0%9F%93%B0/",
        "/newsletter/confirm/%ED%A0%80/",  # a lone surrogate, not valid UTF-8
    ],
)
def test_a_garbled_link_gets_a_404_page_not_an_error(client, mail_server, path):
    sign_up(client, mail_server, "reader@example.org")
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_every_link_sent_works_and_the_one_followed_decides(client, mail_server, world):
    first = sign_up(client, mail_server, "reader@example.org", sections=[world.pk])
    second = sign_up(client, mail_server, "reader@example.org", cadence="twice_weekly")
    assert first != second
    assert client.get(first).status_code == 200
    assert client.post(first).status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.is_active
    assert subscriber.cadence == "weekly"
    assert list(subscriber.sections.values_list("pk", flat=True)) == [world.pk]
    # The other link is spent, harmlessly: it neither changes the choices nor says
    # it is unknown.
    response = client.post(second)
    assert response.status_code == 410
    assert "This link was already used" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.cadence == "weekly"
    statuses = dict(ConsentRecord.objects.values_list("cadence", "status"))
    assert statuses == {"weekly": "confirmed", "twice_weekly": "superseded"}


def test_the_newer_link_works_too_and_brings_its_own_choices(client, mail_server, world):
    sign_up(client, mail_server, "reader@example.org", sections=[world.pk])
    second = sign_up(client, mail_server, "reader@example.org", cadence="twice_weekly")
    assert client.post(second).status_code == 200
    subscriber = Subscriber.objects.get()
    assert (subscriber.cadence, list(subscriber.sections.all())) == ("twice_weekly", [])


def test_a_reader_who_unsubscribes_can_sign_up_again_the_same_day(client, mail_server):
    first = sign_up(client, mail_server, "reader@example.org")
    sign_up(client, mail_server, "reader@example.org")
    sign_up(client, mail_server, "reader@example.org")  # the day's three mails
    assert client.post(first).status_code == 200
    unsubscribe(Subscriber.objects.get(), how="unsubscribe page")
    before = len(mail_server.to("reader@example.org"))

    path = sign_up(client, mail_server, "reader@example.org")  # asserts a new link came
    assert len(mail_server.to("reader@example.org")) == before + 1
    assert client.post(path).status_code == 200
    assert Subscriber.objects.get().is_active


def test_a_stranger_still_cannot_flood_an_address_after_its_owner_unsubscribed(client, mail_server):
    assert client.post(sign_up(client, mail_server, "reader@example.org")).status_code == 200
    unsubscribe(Subscriber.objects.get(), how="unsubscribe page")
    before = len(mail_server.to("reader@example.org"))
    for _ in range(6):
        client.post("/newsletter/", form_data("reader@example.org"))
    assert len(mail_server.to("reader@example.org")) == before + 3


def test_an_unsubscribed_address_comes_back_only_by_confirming_again(client, mail_server):
    assert client.post(sign_up(client, mail_server, "reader@example.org")).status_code == 200
    unsubscribe(Subscriber.objects.get(), how="test")
    assert Suppression.objects.filter(email="reader@example.org").exists()

    path = sign_up(client, mail_server, "reader@example.org", cadence="twice_weekly")
    subscriber = Subscriber.objects.get()
    assert not subscriber.is_active
    assert Suppression.objects.filter(email="reader@example.org").exists()

    assert client.post(path).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert subscriber.cadence == "twice_weekly"
    assert subscriber.unsubscribed_at is None
    assert not Suppression.objects.filter(email="reader@example.org").exists()


def test_a_suppressed_address_is_released_only_by_its_confirmation(client, mail_server):
    Suppression.objects.create(email="bounced@example.org", reason=Suppression.Reason.HARD_BOUNCE)
    path = sign_up(client, mail_server, "bounced@example.org")
    assert Suppression.objects.filter(email="bounced@example.org").exists()
    assert not Subscriber.objects.get().is_active
    assert client.post(path).status_code == 200
    assert Subscriber.objects.get().is_active
    assert not Suppression.objects.exists()


def test_a_suppressed_active_subscriber_must_confirm_again(client, mail_server):
    subscriber = Subscriber.objects.create(
        email="complained@example.org", status=Subscriber.Status.ACTIVE
    )
    Suppression.objects.create(email=subscriber.email, reason=Suppression.Reason.COMPLAINT)
    path = sign_up(client, mail_server, "complained@example.org")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    assert client.post(path).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert not Suppression.objects.exists()


def test_every_mail_after_confirmation_offers_one_click_unsubscribe(client, mail_server, settings):
    settings.NEWSLETTER_WELCOME_MAIL = True
    path = sign_up(client, mail_server, "reader@example.org")
    client.post(path)
    # Signing up again while subscribed: the "already subscribed" mail.
    client.post("/newsletter/", form_data("reader@example.org"))
    confirmation, welcome, already = mail_server.to("reader@example.org")
    # The confirmation goes to an address that has not said yes: nothing to leave yet.
    assert "List-Unsubscribe" not in confirmation
    for message in (welcome, already):
        assert "/newsletter/unsubscribe/" in message["List-Unsubscribe"]
        assert "<mailto:" in message["List-Unsubscribe"]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The header's link is the one-click POST that needs no cookie (RFC 8058).
    link = welcome["List-Unsubscribe"].split("<", 1)[1].split(">", 1)[0]
    answer = Client(enforce_csrf_checks=True).post(
        path_of(link),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
