"""POST /newsletter/: the box on every article and the newsletter page."""

from __future__ import annotations

import re
import time

import pytest

from dateline.lib.formstamp import make_live_stamp, make_stamp
from dateline.newsletter.models import (
    BlockedDomain,
    ConsentRecord,
    ConsentText,
    Subscriber,
    Suppression,
)
from tests.newsletter.helpers import form_data, subscriber

pytestmark = pytest.mark.django_db


def test_a_signup_stores_a_pending_subscriber_and_mails_a_confirmation(client, mail_server):
    response = client.post("/newsletter/", form_data("reader@example.org", cadence="twice_weekly"))
    assert response.status_code == 303
    assert response["Location"] == "/newsletter/check-your-inbox/"
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.org"
    assert subscriber.status == Subscriber.Status.PENDING
    consent = ConsentRecord.objects.get()
    assert consent.status == ConsentRecord.Status.PENDING
    assert consent.source == "/world-news/ferry-talks-resume-after-storm/"
    assert consent.signup_ip == "127.0.0.1"
    assert consent.consent_text.version == 1
    assert consent.cadence == "twice_weekly"
    assert consent.token_hash and consent.token_expires_at and consent.mail_sent_at
    (mail,) = mail_server.to("reader@example.org")
    assert "Confirm your subscription" in mail["Subject"]
    assert "/newsletter/confirm/" in mail_server.text(mail)
    assert "/newsletter/confirm/" in mail_server.html(mail)


def test_the_inbox_page_tells_the_reader_to_confirm(client):
    html = client.get("/newsletter/check-your-inbox/").content.decode()
    assert "click the link" in html
    assert "never mail an address until its owner says yes" in html


def test_the_confirmation_mail_holds_nothing_else_the_visitor_typed(client, mail_server):
    client.post(
        "/newsletter/",
        form_data("reader@example.org", source="Buy cheap pills at spam.example"),
        HTTP_USER_AGENT="Visit spam.example now",
    )
    (mail,) = mail_server.to("reader@example.org")
    whole = mail.as_string()
    assert "spam.example" not in whole


def answer(client, email: str) -> tuple[int, str, bytes]:
    response = client.post("/newsletter/", form_data(email))
    return response.status_code, response.get("Location", ""), response.content


def test_every_address_gets_the_same_answer(client, mail_server):
    subscriber(email="active@example.org")
    Subscriber.objects.create(email="pending@example.org")
    Suppression.objects.create(email="gone@example.org", reason=Suppression.Reason.COMPLAINT)
    BlockedDomain.objects.create(domain="throwaway.example")
    answers = {
        answer(client, email)
        for email in (
            "new@example.org",
            "active@example.org",
            "pending@example.org",
            "gone@example.org",
            "someone@throwaway.example",
        )
    }
    assert len(answers) == 1


def test_the_json_answer_is_the_same_for_new_and_existing_addresses(client, mail_server):
    subscriber(email="active@example.org")
    new = client.post("/newsletter/", form_data("new@example.org"), HTTP_ACCEPT="application/json")
    old = client.post(
        "/newsletter/", form_data("active@example.org"), HTTP_ACCEPT="application/json"
    )
    assert new.status_code == old.status_code == 200
    assert new.json() == old.json()
    assert new.json()["ok"] is True


def test_an_active_subscriber_is_told_by_mail_not_by_the_page(client, mail_server):
    subscriber(email="active@example.org")
    client.post("/newsletter/", form_data("active@example.org"))
    (mail,) = mail_server.to("active@example.org")
    assert "already" in mail["Subject"]
    assert "/newsletter/manage/" in mail_server.text(mail)
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE


def test_a_blocked_domain_is_refused_quietly(client, mail_server):
    BlockedDomain.objects.create(domain="throwaway.example")
    response = client.post("/newsletter/", form_data("x@mail.throwaway.example"))
    assert response.status_code == 303
    assert not Subscriber.objects.exists()
    assert mail_server.messages == []


def test_a_bad_address_gets_an_error_tied_to_its_field(client):
    response = client.post("/newsletter/", form_data("not an address"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="email-error"' in html
    assert 'id="email-error"' in html
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "bad", ["", "a@", "@b.org", "x" * 300 + "@example.org", "a\x00b@example.org"]
)
def test_malformed_addresses_store_nothing(client, bad):
    assert client.post("/newsletter/", form_data(bad)).status_code == 400
    assert not Subscriber.objects.exists()


def test_the_honeypot_is_answered_like_a_person_and_stores_nothing(client, mail_server):
    response = client.post("/newsletter/", form_data("bot@example.org", website="http://x"))
    assert response.status_code == 303
    assert not Subscriber.objects.exists()
    assert mail_server.messages == []


@pytest.mark.parametrize(
    "age",
    [
        0,  # posted at once
        3 * 86400,  # a form kept for days
        "forged",
        "missing",
    ],
)
def test_a_form_too_fast_too_old_or_forged_stores_nothing(client, mail_server, age):
    special = {"forged": "1700000000:forged", "missing": ""}
    stamp = special[age] if age in special else make_live_stamp(time.time() - age)
    response = client.post("/newsletter/", form_data("quick@example.org", stamp=stamp))
    assert response.status_code == 303
    assert not Subscriber.objects.exists()


def test_an_address_gets_at_most_three_mails_a_day(client, mail_server):
    for _ in range(6):
        client.post("/newsletter/", form_data("target@example.org"))
    assert len(mail_server.to("target@example.org")) == 3


def test_every_request_stays_outstanding_until_one_is_confirmed(client, mail_server):
    client.post("/newsletter/", form_data("twice@example.org"))
    client.post("/newsletter/", form_data("twice@example.org", cadence="twice_weekly"))
    statuses = sorted(ConsentRecord.objects.values_list("status", flat=True))
    assert statuses == ["pending", "pending"]
    assert Subscriber.objects.count() == 1


def test_one_network_is_limited_per_hour(client, mail_server, settings):
    settings.NEWSLETTER_SIGNUPS_PER_IP = 3
    codes = [
        client.post("/newsletter/", form_data(f"r{i}@example.org")).status_code for i in range(5)
    ]
    assert codes == [303, 303, 303, 429, 429]
    assert Subscriber.objects.count() == 3
    other = client.post("/newsletter/", form_data("x@example.org"), REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 303


def test_the_signup_page_has_the_form(client, world):
    html = client.get("/newsletter/").content.decode()
    assert '<label for="email">Email</label>' in html
    assert "Once a week" in html and "Twice a week" in html
    assert "World News" in html
    assert ConsentText.current().text in html
    assert "consent text v" not in html  # our label for the wording, not the reader's
    assert ">Subscribe</button>" in html


def test_every_article_has_the_box(client, world):
    from tests.factories import make_article

    html = client.get(make_article(world).url).content.decode()
    assert 'action="/newsletter/"' in html
    assert '<label for="nl-email">Email</label>' in html
    assert 'name="stamp"' in html


def test_a_chosen_section_is_applied_on_confirmation(client, mail_server, world):
    from dateline.newsletter.signup import confirm
    from tests.newsletter.helpers import link_in

    client.post("/newsletter/", form_data("s@example.org", sections=[world.pk]))
    (mail,) = mail_server.to("s@example.org")
    token = link_in(mail_server.text(mail)).rstrip("/").rsplit("/", 1)[1]
    subscriber = confirm(token, ip="127.0.0.1")
    assert list(subscriber.sections.all()) == [world.specific_class.objects.get(pk=world.pk)]


def test_a_request_racing_another_for_the_same_address_takes_the_careful_path(
    client, mail_server, monkeypatch
):
    # Two requests for a new address at once both find it unknown; the second one's
    # insert meets the first one's subscriber and must fall back to every check.
    from dateline.newsletter import signup

    monkeypatch.setattr(signup, "_first_request_today", lambda email: True)
    for _ in range(6):
        assert client.post("/newsletter/", form_data("racer@example.org")).status_code == 303
    assert Subscriber.objects.filter(email="racer@example.org").count() == 1
    statuses = sorted(ConsentRecord.objects.values_list("status", flat=True))
    assert statuses == ["pending", "pending", "pending"]
    assert len(mail_server.to("racer@example.org")) == 3


def test_the_first_request_check_sees_each_kind_of_history(mail_server):
    from dateline.newsletter import signup

    assert signup._first_request_today("fresh@example.org")
    signup.sign_up(signup.SignupRequest(email="fresh@example.org"))
    assert not signup._first_request_today("fresh@example.org")
    # Erased subscriber, pending request kept: still not a first request.
    Subscriber.objects.filter(email="fresh@example.org").delete()
    assert not signup._first_request_today("fresh@example.org")


def test_a_domain_unblocked_takes_signups_again(client, mail_server):
    blocked = BlockedDomain.objects.create(domain="Throwaway.example")
    client.post("/newsletter/", form_data("a@throwaway.example"))
    assert not Subscriber.objects.exists()
    blocked.delete()
    client.post("/newsletter/", form_data("a@throwaway.example"))
    assert Subscriber.objects.filter(email="a@throwaway.example").exists()


def test_new_and_known_addresses_are_answered_no_sooner_than_the_floor(
    client, mail_server, settings
):
    settings.NEWSLETTER_ANSWER_MIN_MS = 150
    subscriber(email="known@example.org")
    for address in ("new@example.org", "known@example.org", "bot@example.org"):
        extra = {"website": "http://spam"} if address.startswith("bot") else {}
        started = time.monotonic()
        response = client.post("/newsletter/", form_data(address, **extra))
        assert response.status_code == 303
        assert time.monotonic() - started >= 0.15, address


# The time trap: the time the reader loaded the form, not the time a cached page was made.


def test_the_stamp_for_a_cached_form_is_fresh_and_never_cached(client):
    from dateline.lib.formstamp import is_live, stamp_age

    response = client.get("/newsletter/stamp/")
    assert "no-store" in response["Cache-Control"]
    stamp = response.json()["stamp"]
    assert is_live(stamp)
    age = stamp_age(stamp)
    assert age is not None and 0 <= age < 2


def test_a_post_a_moment_after_loading_a_cached_page_stores_nothing(client, mail_server):
    # The page was rendered (and cached) ten minutes ago; the reader's browser fetched
    # its live stamp as the page loaded, and the bot posts a tenth of a second later.
    live = client.get("/newsletter/stamp/").json()["stamp"]
    client.post("/newsletter/", form_data("quick@example.org", stamp=live))
    assert not Subscriber.objects.exists()
    assert mail_server.messages == []


def test_a_cached_form_posted_without_javascript_asks_to_press_subscribe_once_more(
    client, mail_server, world
):
    import datetime

    import time_machine
    from django.utils import timezone

    cached = make_stamp(time.time() - 600)
    data = form_data("reader@example.org", stamp=cached, cadence="twice_weekly")
    response = client.post("/newsletter/", {**data, "sections": [world.pk]})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "One more step" in html
    assert 'value="reader@example.org"' in html
    assert 'value="twice_weekly" checked' in html
    assert f'value="{world.pk}" checked' in html
    assert cached not in html
    assert not Subscriber.objects.exists()

    stamp = re.search(r'name="stamp" value="([^"]+)"', html).group(1)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        again = client.post("/newsletter/", {**data, "stamp": stamp, "sections": [world.pk]})
    assert again.status_code == 303
    assert Subscriber.objects.get().email == "reader@example.org"
    assert len(mail_server.to("reader@example.org")) == 1


def test_a_cached_form_posted_by_script_without_a_fresh_stamp_gets_one(client):
    from dateline.lib.formstamp import is_live

    response = client.post(
        "/newsletter/",
        form_data("reader@example.org", stamp=make_stamp(time.time() - 600)),
        HTTP_ACCEPT="application/json",
    )
    answer = response.json()
    assert answer["ok"] is False and answer["again"] is True
    assert "press Subscribe again" in answer["message"]
    assert is_live(answer["stamp"])
    assert not Subscriber.objects.exists()


# One person, one subscriber.


def test_an_address_in_other_capitals_is_the_same_reader(client, mail_server):
    client.post("/newsletter/", form_data("Reader.Two@Example.com"))
    client.post("/newsletter/", form_data("reader.two@example.com"))
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader.two@example.com"
    assert subscriber.consents.count() == 2
    assert len(mail_server.to("reader.two@example.com")) == 2


def test_a_subscriber_signing_up_in_capitals_is_told_they_are_subscribed(client, mail_server):
    subscriber(email="reader.two@example.com")
    client.post("/newsletter/", form_data("READER.TWO@EXAMPLE.COM"))
    assert Subscriber.objects.get().is_active
    assert not ConsentRecord.objects.exists()
    (mail,) = mail_server.to("reader.two@example.com")
    assert "already" in mail["Subject"].lower()


def test_the_database_refuses_a_second_spelling_of_an_address():
    from django.db import IntegrityError, transaction

    Subscriber.objects.create(email="reader.two@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(email="Reader.Two@example.com")


# Addresses our mail cannot carry.


def test_an_address_that_needs_smtputf8_is_refused_with_a_reason(client, mail_server):
    response = client.post("/newsletter/", form_data("zoë@example.org"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "We cannot send mail to an address with letters such as ë" in html
    assert not Subscriber.objects.exists()
    assert mail_server.messages == []
    answer = client.post(
        "/newsletter/", form_data("zoë@example.org"), HTTP_ACCEPT="application/json"
    ).json()
    assert "letters such as ë" in answer["errors"]["email"][0]


def test_an_international_domain_is_stored_and_mailed_in_its_ascii_form(client, mail_server):
    client.post("/newsletter/", form_data("zoe@bücher.example"))
    assert Subscriber.objects.get().email == "zoe@xn--bcher-kva.example"
    (mail,) = mail_server.to("zoe@xn--bcher-kva.example")
    assert mail["To"] == "zoe@xn--bcher-kva.example"


def test_mail_comes_from_the_publication_by_name(client, mail_server, settings):
    from email.utils import parseaddr

    client.post("/newsletter/", form_data("reader@example.org"))
    (mail,) = mail_server.to("reader@example.org")
    assert parseaddr(mail["From"])[0] == settings.PUBLICATION_NAME == "The Dateline Ledger"


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("news@example.org", "The Dateline Ledger <news@example.org>"),
        ("Night Desk <news@example.org>", "Night Desk <news@example.org>"),
    ],
)
def test_a_from_address_set_without_a_name_gets_the_publication_s(configured, expected):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PUBLICATION_NAME"}
    env["DEFAULT_FROM_EMAIL"] = configured
    done = subprocess.run(
        [sys.executable, "-c", "import dateline.settings as s; print(s.DEFAULT_FROM_EMAIL)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == expected
