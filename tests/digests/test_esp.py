"""An ESP's webhooks (through django-anymail) feed bounces, complaints and unsubscribes.

Postmark's payloads stand in for any ESP: anymail normalises them all to the
same tracking events. The ESP itself is the edge of the world: its calls to us
are posted here as it would post them.
"""

from __future__ import annotations

import base64
import json

import pytest

from dateline.digests.models import Bounce
from dateline.newsletter.models import Subscriber, Suppression

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.digests.esp_urls")]

URL = "/esp/postmark/tracking/"
SECRET = "esp-hook:s3cret-words"


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}


@pytest.fixture
def ana() -> Subscriber:
    return Subscriber.objects.create(email="ana@example.com", status="active", cadence="weekly")


def post(client, payload: dict, secret: str = SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        URL,
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def bounce(kind: str, email: str = "ana@example.com") -> dict:
    return {
        "RecordType": "Bounce",
        "Type": kind,
        "TypeCode": 1,
        "ID": 4242,
        "MessageID": "00000000-0000-0000-0000-000000000001",
        "Email": email,
        "BouncedAt": "2026-11-27T07:03:00Z",
        "Description": "The server was unable to deliver your message.",
        "Details": "smtp;550 5.1.1 no such mailbox",
    }


def test_a_hard_bounce_suppresses(client, ana):
    assert post(client, bounce("HardBounce")).status_code == 200
    [row] = Bounce.objects.all()
    assert (row.kind, row.source, row.email) == ("hard", "postmark", "ana@example.com")
    assert Suppression.objects.get(email="ana@example.com").reason == "hard_bounce"


def test_a_transient_failure_is_a_soft_bounce(client, ana):
    post(client, bounce("Transient"))
    assert Bounce.objects.get().kind == "soft"
    assert not Suppression.objects.exists()


def test_a_spam_complaint_suppresses(client, ana):
    payload = {**bounce("SpamComplaint"), "RecordType": "SpamComplaint"}
    post(client, payload)
    assert Suppression.objects.get().reason == "complaint"


def test_the_esp_unsubscribe_is_honoured(client, ana):
    payload = {
        "RecordType": "SubscriptionChange",
        "MessageID": "00000000-0000-0000-0000-000000000002",
        "Recipient": "ana@example.com",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "ChangedAt": "2026-11-27T07:05:00Z",
    }
    assert post(client, payload).status_code == 200
    ana.refresh_from_db()
    assert ana.status == Subscriber.Status.UNSUBSCRIBED


def test_without_the_secret_nothing_changes(client, ana):
    assert post(client, bounce("HardBounce"), secret="intruder:guess").status_code == 400
    assert not Bounce.objects.exists() and not Suppression.objects.exists()


def test_a_stranger_address_is_ignored(client, ana):
    post(client, bounce("HardBounce", email="someone@else.example"))
    assert not Bounce.objects.exists()


def test_the_webhook_routes_exist_only_with_a_secret(settings):
    import importlib

    import dateline.urls

    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    routes = importlib.reload(dateline.urls).urlpatterns
    assert not any(str(getattr(r, "pattern", "")) == "esp/" for r in routes)
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    routes = importlib.reload(dateline.urls).urlpatterns
    assert any(str(getattr(r, "pattern", "")) == "esp/" for r in routes)
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    importlib.reload(dateline.urls)
