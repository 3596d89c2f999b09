"""/newsletter/api/form and /newsletter/api/subscribe: the form embedded on other sites."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from dateline.lib.formstamp import make_stamp, stamp_age
from dateline.newsletter.models import ConsentRecord, ConsentText, Subscriber
from dateline.newsletter.views import CHECK_INBOX
from tests.newsletter.helpers import form_data, subscriber

pytestmark = pytest.mark.django_db

PARTNER = "https://partner.example"
FORM = "/newsletter/api/form"
SUBSCRIBE = "/newsletter/api/subscribe"


@pytest.fixture(autouse=True)
def _partner(settings):
    # NEWSLETTER_CORS_ORIGINS in the environment becomes django-cors-headers' setting.
    settings.CORS_ALLOWED_ORIGINS = [PARTNER, "https://other-partner.example"]


@pytest.fixture
def client():
    # Like a browser on another site: CSRF is enforced, and it has no cookie of ours.
    return Client(enforce_csrf_checks=True)


def body(email: str, **extra) -> dict:
    data = form_data(email, **extra)
    data.pop("source")
    return data


def post_json(client: Client, data, **headers):
    payload = data if isinstance(data, (str, bytes)) else json.dumps(data)
    # CONTENT_TYPE as well: the test client leaves it out of a request with an empty body.
    return client.post(
        SUBSCRIBE,
        payload,
        content_type="application/json",
        headers=headers,
        CONTENT_TYPE="application/json",
    )


def cors_headers(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


def test_the_form_describes_itself(client, world):
    response = client.get(FORM)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert set(data) == {
        "stamp",
        "consent_text",
        "consent_version",
        "cadences",
        "sections",
        "newsletters",
    }
    age = stamp_age(data["stamp"])
    assert age is not None and 0 <= age < 5
    current = ConsentText.current()
    assert data["consent_text"] == current.text
    assert data["consent_version"] == current.version == 1
    assert data["cadences"] == [
        {"value": "weekly", "label": "Once a week"},
        {"value": "twice_weekly", "label": "Twice a week"},
    ]
    assert data["sections"] == [{"id": world.pk, "title": "World News"}]
    assert not response.cookies


def test_the_form_follows_a_new_consent_text(client):
    ConsentText.objects.create(version=2, text="New words.")
    data = client.get(FORM).json()
    assert (data["consent_version"], data["consent_text"]) == (2, "New words.")


def test_a_json_signup_from_the_embedded_form(client, mail_server, world):
    response = post_json(
        client,
        body("Reader@Example.ORG", cadence="twice_weekly", sections=[world.pk]),
        Origin=PARTNER,
        Referer="https://partner.example/essays/",
        User_Agent="Partner browser",
    )
    assert response.status_code == 200
    assert response.json() == {"ok": True, "message": CHECK_INBOX}
    assert response["Cache-Control"] == "no-store"
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.org"
    assert subscriber.status == Subscriber.Status.PENDING
    consent = ConsentRecord.objects.get()
    assert consent.cadence == "twice_weekly"
    assert consent.section_ids == [world.pk]
    assert consent.source == "https://partner.example/essays/"
    assert consent.user_agent == "Partner browser"
    assert consent.signup_ip == "127.0.0.1"
    (mail,) = mail_server.to("reader@example.org")
    assert "/newsletter/confirm/" in mail_server.text(mail)


def test_a_form_data_signup(client, mail_server):
    response = client.post(SUBSCRIBE, form_data("reader@example.org"), headers={"Origin": PARTNER})
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert ConsentRecord.objects.get().source == "/world-news/ferry-talks-resume-after-storm/"
    assert len(mail_server.to("reader@example.org")) == 1


def test_the_stamp_from_the_form_is_accepted(client, mail_server, settings):
    settings.NEWSLETTER_MIN_FORM_SECONDS = 0
    stamp = client.get(FORM).json()["stamp"]
    post_json(client, body("reader@example.org", stamp=stamp))
    assert Subscriber.objects.get().email == "reader@example.org"


def test_every_address_gets_the_page_s_answer(client, mail_server):
    subscriber(email="active@example.org")
    Subscriber.objects.create(email="pending@example.org")
    answers = []
    for email in ("new@example.org", "active@example.org", "pending@example.org"):
        response = post_json(client, body(email))
        answers.append((response.status_code, response.json()))
    page = Client().post(
        "/newsletter/", form_data("page@example.org"), HTTP_ACCEPT="application/json"
    )
    answers.append((page.status_code, page.json()))
    assert len({json.dumps(a) for a in answers}) == 1


@pytest.mark.parametrize(
    "bot",
    [
        {"website": "http://spam.example"},
        {"stamp": "now"},  # posted at once
        {"stamp": "1700000000:forged"},
        {"stamp": None},
    ],
)
def test_a_bot_is_answered_like_a_person_and_stores_nothing(client, mail_server, bot):
    if bot.get("stamp") == "now":
        bot = {"stamp": make_stamp(time.time())}
    response = post_json(client, {**body("bot@example.org"), **bot})
    assert response.status_code == 200
    assert response.json() == {"ok": True, "message": CHECK_INBOX}
    assert not Subscriber.objects.exists()
    assert mail_server.messages == []


@pytest.mark.parametrize("email", ["not an address", "", None, 42, ["a@example.org"], {"x": 1}])
def test_a_bad_address_gets_its_field_error(client, email):
    response = post_json(client, {**body("x"), "email": email})
    assert response.status_code == 400
    data = response.json()
    assert data["ok"] is False
    assert list(data["errors"]) == ["email"]
    assert data["errors"]["email"][0]
    page = Client().post(
        "/newsletter/", form_data("not an address"), HTTP_ACCEPT="application/json"
    )
    if email == "not an address":
        assert response.json() == page.json()
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "fields", [{"cadence": "hourly"}, {"sections": "all"}, {"sections": [999999]}]
)
def test_other_bad_fields_get_their_errors(client, fields):
    response = post_json(client, {**body("reader@example.org"), **fields})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(fields)
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        b"{",
        b'{"email": "reader@example.org",}',
        b"",
        b"\xff\xfe\x00garbage",
        b"[" * 100_000,
    ],
)
def test_a_malformed_json_body_is_a_clear_400(client, mail_server, payload):
    response = post_json(client, payload)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["ok"] is False
    assert "not valid JSON" in data["message"]
    assert not Subscriber.objects.exists() and not ConsentRecord.objects.exists()
    assert mail_server.messages == []


@pytest.mark.parametrize("payload", ['"reader@example.org"', '["reader@example.org"]', "null"])
def test_json_that_is_not_an_object_is_a_clear_400(client, payload):
    response = post_json(client, payload)
    assert response.status_code == 400
    assert "must be a JSON object" in response.json()["message"]
    assert not Subscriber.objects.exists()


def test_an_unknown_body_type_is_refused(client):
    response = client.post(SUBSCRIBE, "email=reader@example.org", content_type="text/plain")
    assert response.status_code == 415
    assert "application/json" in response.json()["message"]
    assert not Subscriber.objects.exists()


def test_one_network_is_limited_per_hour_with_the_page(client, mail_server, settings):
    settings.NEWSLETTER_SIGNUPS_PER_IP = 3
    codes = [post_json(client, body(f"r{i}@example.org")).status_code for i in range(2)]
    # The page and the API count against one limit.
    codes.append(Client().post("/newsletter/", form_data("page@example.org")).status_code)
    limited = post_json(client, body("r9@example.org"), Origin=PARTNER)
    assert codes == [200, 200, 303]
    assert limited.status_code == 429
    assert limited.json() == {
        "ok": False,
        "message": "Too many sign-ups from your network in the last hour. Please try again later.",
    }
    assert limited["Access-Control-Allow-Origin"] == PARTNER
    assert Subscriber.objects.count() == 3


def test_an_allowed_origin_may_read_the_answers(client, mail_server):
    for response in (
        client.get(FORM, headers={"Origin": PARTNER}),
        post_json(client, body("reader@example.org"), Origin=PARTNER),
        post_json(client, "{", Origin=PARTNER),
    ):
        assert response["Access-Control-Allow-Origin"] == PARTNER
        assert "origin" in response["Vary"].lower()
        assert "Access-Control-Allow-Credentials" not in response
    other = client.get(FORM, headers={"Origin": "https://other-partner.example"})
    assert other["Access-Control-Allow-Origin"] == "https://other-partner.example"


@pytest.mark.parametrize("path", [FORM, SUBSCRIBE])
def test_the_preflight_is_answered(client, path):
    response = client.options(
        path,
        headers={
            "Origin": PARTNER,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    # django-cors-headers answers a preflight with 200 (any 2xx will do, Fetch 4.8).
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == PARTNER
    assert {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")} == {
        "POST",
        "GET",
    }
    assert response["Access-Control-Allow-Headers"].lower() == "content-type"
    assert int(response["Access-Control-Max-Age"]) > 0
    assert "origin" in response["Vary"].lower()
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://partner.example",  # the scheme is part of the origin
        "https://partner.example.evil.example",
        "https://partner.example:8443",
        "null",
    ],
)
def test_another_origin_gets_no_cors_headers(client, mail_server, origin):
    for response in (
        client.get(FORM, headers={"Origin": origin}),
        post_json(client, body("reader@example.org"), Origin=origin),
    ):
        assert cors_headers(response) == {}
        assert response["Cache-Control"] == "no-store"
    # A preflight: no caches keep answers to OPTIONS (RFC 9110 9.3.7).
    preflight = client.options(
        SUBSCRIBE, headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
    )
    assert cors_headers(preflight) == {}


def test_no_origins_configured_means_no_cors(client, settings):
    settings.CORS_ALLOWED_ORIGINS = []
    response = client.get(FORM, headers={"Origin": PARTNER})
    assert cors_headers(response) == {}


def test_wrong_methods_are_refused(client):
    assert client.post(FORM).status_code == 405
    response = client.get(SUBSCRIBE, headers={"Origin": PARTNER})
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert response["Cache-Control"] == "no-store"
