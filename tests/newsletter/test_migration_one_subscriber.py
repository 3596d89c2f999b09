"""Migration 0004: subscribers who differ only in the case of their address become one.

The migration's function runs on the duplicates the old code allowed. The unique
index on the lower-cased address is dropped for the test first (inside the test's
transaction, so it comes back after), as it was not there before 0004.
"""

from __future__ import annotations

import datetime
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from dateline.newsletter.models import ConfirmationMail, ConsentRecord, Subscriber, Suppression

pytestmark = pytest.mark.django_db
migration = importlib.import_module(
    "dateline.newsletter.migrations.0004_one_subscriber_per_address"
)
NOW = timezone.now()


def ago(days: float) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


@pytest.fixture
def old_apps() -> Any:
    """A database as it was before 0004: no unique index on the lower-cased address."""
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX newsletter_subscriber_email_ci")
    return apps


def migrate() -> None:
    migration.merge_subscribers(apps, connection.schema_editor)


class Old:
    def __init__(self, apps: Any) -> None:
        self.apps = apps
        self.text = apps.get_model("newsletter", "ConsentText").objects.create(
            version=99, text="Send me the newsletter."
        )

    def subscriber(self, email: str, status: str, **fields: Any) -> Any:
        model = self.apps.get_model("newsletter", "Subscriber")
        return model.objects.create(email=email, status=status, **fields)

    def consent(self, subscriber: Any, status: str, **fields: Any) -> Any:
        model = self.apps.get_model("newsletter", "ConsentRecord")
        return model.objects.create(
            subscriber=subscriber,
            email=subscriber.email,
            status=status,
            source="test",
            consent_text=self.text,
            **fields,
        )


def test_case_duplicates_merge_into_the_active_one_keeping_every_consent(old_apps):
    old = Old(old_apps)
    pending = old.subscriber("Reader.Two@Example.com", "pending", created_at=ago(3))
    active = old.subscriber(
        "reader.two@example.com", "active", created_at=ago(2), confirmed_at=ago(2)
    )
    unsubscribed = old.subscriber(
        "READER.TWO@example.com", "unsubscribed", created_at=ago(10), unsubscribed_at=ago(5)
    )
    old.consent(pending, "pending", token_hash="a" * 64)
    old.consent(active, "confirmed", confirmed_at=ago(2))
    old.consent(unsubscribed, "withdrawn", confirmed_at=ago(9), withdrawn_at=ago(5))
    old.subscriber("Solo@Example.com", "active")
    old_apps.get_model("newsletter", "ConfirmationMail").objects.create(
        email="Reader.Two@Example.com", kind="confirm"
    )
    old_apps.get_model("newsletter", "Suppression").objects.create(
        email="READER.TWO@example.com", reason="unsubscribed", created_at=ago(5)
    )
    issue = old_apps.get_model("digests", "DigestIssue").objects.create(
        cadence="weekly", slot_at=ago(1), period_start=ago(8), period_end=ago(1)
    )
    delivery = old_apps.get_model("digests", "Delivery")
    delivery.objects.create(issue=issue, subscriber=active, email=active.email)
    delivery.objects.create(issue=issue, subscriber=pending, email=pending.email)

    migrate()

    (reader, solo) = Subscriber.objects.order_by("email")
    assert (reader.pk, reader.email, reader.status) == (
        active.pk,
        "reader.two@example.com",
        "active",
    )
    assert reader.created_at == ago(10)  # the first time we heard of the reader
    assert solo.email == "solo@example.com"
    records = ConsentRecord.objects.order_by("status")
    assert [(c.status, c.subscriber_id) for c in records] == [
        ("confirmed", active.pk),
        ("pending", active.pk),
        ("withdrawn", active.pk),
    ]
    assert {c.email for c in records} == {"reader.two@example.com"}
    # The pending link still works: its token hash is kept.
    assert records[1].token_hash == "a" * 64
    assert ConfirmationMail.objects.get().email == "reader.two@example.com"
    # The reader confirmed after unsubscribing: the old unsubscribe no longer holds.
    assert not Suppression.objects.exists()
    from dateline.digests.models import Delivery

    assert sorted(Delivery.objects.values_list("subscriber", flat=True), key=str) == [
        active.pk,
        None,
    ]


def test_an_unsubscribe_after_every_confirmation_stands(old_apps):
    old = Old(old_apps)
    active = old.subscriber("Ana@example.org", "active", confirmed_at=ago(20))
    old.consent(active, "confirmed", confirmed_at=ago(20))
    gone = old.subscriber("ana@example.org", "unsubscribed", unsubscribed_at=ago(1))
    old_apps.get_model("newsletter", "Suppression").objects.create(
        email="ana@example.org", reason="unsubscribed", created_at=ago(1)
    )

    migrate()

    reader = Subscriber.objects.get()
    assert (reader.pk, reader.status) == (gone.pk, "unsubscribed")
    assert ConsentRecord.objects.get().subscriber_id == gone.pk
    assert Suppression.objects.get().email == "ana@example.org"


def test_suppressions_in_two_spellings_keep_the_stronger_reason(old_apps):
    suppression = old_apps.get_model("newsletter", "Suppression")
    suppression.objects.create(email="Bob@example.org", reason="unsubscribed", created_at=ago(3))
    suppression.objects.create(email="bob@example.org", reason="hard_bounce", created_at=ago(2))
    suppression.objects.create(email="Carol@Example.org", reason="complaint")

    migrate()

    assert sorted(Suppression.objects.values_list("email", "reason")) == [
        ("bob@example.org", "hard_bounce"),
        ("carol@example.org", "complaint"),
    ]


def test_pending_duplicates_keep_the_oldest_and_every_link(old_apps):
    old = Old(old_apps)
    first = old.subscriber("New@example.org", "pending", created_at=ago(2))
    second = old.subscriber("new@example.org", "pending", created_at=ago(1))
    old.consent(first, "pending", token_hash="b" * 64)
    old.consent(second, "pending", token_hash="c" * 64)

    migrate()

    reader = Subscriber.objects.get()
    assert (reader.pk, reader.email, reader.status) == (first.pk, "new@example.org", "pending")
    assert sorted(reader.consents.values_list("token_hash", flat=True)) == ["b" * 64, "c" * 64]
