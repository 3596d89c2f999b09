"""Subscriptions as evidence: the reader's data export, the admin's pages, and erasure."""

from __future__ import annotations

import json
import re

import pytest

from dateline.newsletter import tokens
from dateline.newsletter.models import (
    ConsentRecord,
    ConsentText,
    Newsletter,
    Subscriber,
    Subscription,
)
from tests.newsletter.helpers import consent, subscribe, subscriber

pytestmark = pytest.mark.django_db

SUBSCRIBERS = "/admin/newsletter/subscribers/"


@pytest.fixture
def reader() -> Subscriber:
    """On the digest by signup; joined and then left Breaking news."""
    who = subscriber("reader@example.org", newsletters=[])
    request = consent(who.email, who, status=ConsentRecord.Status.CONFIRMED)
    subscribe(who, Newsletter.digest(), consent=request)
    newer = ConsentText.objects.create(version=4, text="Send me what I ticked, nothing else.")
    left = subscribe(who, Newsletter.alerts(), source="preference centre", consent_text=newer)
    left_at = left.joined_at.replace(year=left.joined_at.year + 1)
    Subscription.objects.filter(pk=left.pk).update(
        left_at=left_at, left_how="one-click (List-Unsubscribe-Post)", left_issue_id=42
    )
    return who


def test_the_readers_export_lists_every_subscription_with_its_words(client, reader):
    response = client.get(f"/newsletter/manage/{tokens.manage_token(reader)}/data.json")
    data = json.loads(response.content)
    digest, alerts = data["subscriptions"]
    assert digest["newsletter"] == "The digest" and digest["newsletter_slug"] == "digest"
    assert (digest["source"], digest["left_at"]) == ("signup", None)
    assert digest["consent_text_version"] == ConsentText.objects.get(version=1).version
    assert digest["consent_text"] == ConsentText.objects.get(version=1).text
    assert digest["consent_request_at"] is not None
    assert alerts["newsletter"] == "Breaking news"
    assert (alerts["consent_text_version"], alerts["consent_text"]) == (
        4,
        "Send me what I ticked, nothing else.",
    )
    assert alerts["source"] == "preference centre"
    assert alerts["left_at"] and alerts["joined_at"]
    assert (alerts["left_how"], alerts["left_issue_id"]) == (
        "one-click (List-Unsubscribe-Post)",
        42,
    )


def test_the_admin_shows_a_subscribers_newsletters(staff, reader):
    html = staff.get(f"{SUBSCRIBERS}{reader.pk}/").content.decode()
    table = re.search(r"<table[^>]*data-subscriptions>.*?</table>", html, re.S)
    assert table is not None
    rows = dict(re.findall(r'data-subscription="([\w-]+)" data-open="(\w+)"', table.group(0)))
    assert rows == {"digest": "yes", "breaking-news": "no"}
    assert "v4" in table.group(0) and "issue 42" in table.group(0)


def test_the_listing_shows_and_filters_by_newsletter(staff, reader):
    subscriber("alerts.only@example.org", newsletters=[Newsletter.alerts()])
    subscriber("waiting@example.org", status="pending")
    html = staff.get(SUBSCRIBERS).content.decode()
    assert "Newsletters" in html and "The digest" in html and "Breaking news" in html

    def listed(query: str) -> set[str]:
        page = staff.get(f"{SUBSCRIBERS}?{query}").content.decode()
        return set(re.findall(r"([\w.+-]+@example\.org)\s*</a>", page))

    assert listed(f"newsletter={Newsletter.digest().pk}") == {"reader@example.org"}
    # Who is on it now: the reader left Breaking news.
    assert listed(f"newsletter={Newsletter.alerts().pk}") == {"alerts.only@example.org"}


def test_erasure_takes_the_subscriptions_with_it(staff, reader):
    staff.post(f"{SUBSCRIBERS}{reader.pk}/erase/")
    assert not Subscriber.objects.exists()
    assert not Subscription.objects.exists()
    assert Newsletter.objects.filter(slug="digest").exists()
