"""Migration 0005: every subscriber of the one newsletter moves onto the digest.

Rows are made in the schema of 0004 (MigrationExecutor takes the database back,
and with it the digest migration that needs 0005), then the migrations run forward.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from dateline.newsletter.models import (
    ConsentRecord,
    Newsletter,
    Subscriber,
    Subscription,
)

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("newsletter", "0004_one_subscriber_per_address")]
NOW = timezone.now()


def ago(days: float) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def migrate(target: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_readers_end_on_the_digest_with_the_words_they_agreed_to(world):
    apps = migrate(BEFORE)
    try:
        Text = apps.get_model("newsletter", "ConsentText")
        Reader = apps.get_model("newsletter", "Subscriber")
        Request = apps.get_model("newsletter", "ConsentRecord")
        old_words = Text.objects.create(version=11, text="Send me the newsletter.")
        new_words = Text.objects.create(version=12, text="Send me the newsletter, please.")

        def request(reader: Any, words: Any, **fields: Any) -> Any:
            return Request.objects.create(
                subscriber=reader, email=reader.email, source="test", consent_text=words, **fields
            )

        active = Reader.objects.create(
            email="active@example.org",
            status="active",
            cadence="twice_weekly",
            created_at=ago(30),
            confirmed_at=ago(29),
        )
        active.sections.add(world.pk)
        # Confirmed under the old words; a later request under the new ones never was.
        kept = request(active, old_words, status="confirmed", confirmed_at=ago(29))
        request(active, new_words, status="expired")
        gone = Reader.objects.create(
            email="gone@example.org",
            status="unsubscribed",
            created_at=ago(20),
            confirmed_at=ago(19),
            unsubscribed_at=ago(5),
        )
        request(gone, new_words, status="withdrawn", confirmed_at=ago(19), withdrawn_at=ago(5))
        waiting = Reader.objects.create(email="waiting@example.org", status="pending")
        asked = request(waiting, new_words, status="pending", token_hash="a" * 64)
        ids = {"active": active.pk, "gone": gone.pk, "waiting": waiting.pk}
        kept_pk, asked_pk = kept.pk, asked.pk
    finally:
        migrate(latest())

    digest = Newsletter.objects.get(kind="digest")
    assert Newsletter.objects.filter(kind="alerts").exists()

    (on,) = Subscription.objects.filter(subscriber_id=ids["active"])
    assert (on.newsletter, on.source, on.left_at) == (digest, "migration", None)
    assert on.consent_id == kept_pk
    assert on.consent_text.text == "Send me the newsletter."
    assert on.joined_at == ago(29)
    reader = Subscriber.objects.get(pk=ids["active"])
    assert reader.cadence == "twice_weekly"
    assert list(reader.sections.values_list("pk", flat=True)) == [world.pk]

    (closed,) = Subscription.objects.filter(subscriber_id=ids["gone"])
    assert closed.newsletter == digest
    assert closed.left_at == ago(5)
    assert closed.left_how == "unsubscribed before newsletters"

    assert not Subscription.objects.filter(subscriber_id=ids["waiting"]).exists()
    # An old request has no newsletters: confirming it now means the digest.
    from dateline.newsletter.signup import confirm
    from dateline.newsletter.tokens import new_confirmation_token

    token, hashed = new_confirmation_token()
    ConsentRecord.objects.filter(pk=asked_pk).update(
        token_hash=hashed, token_expires_at=NOW + datetime.timedelta(days=1)
    )
    confirm(token, ip=None)
    (joined,) = Subscription.objects.filter(subscriber_id=ids["waiting"])
    assert (joined.newsletter, joined.source, joined.consent_id) == (digest, "signup", asked_pk)
    assert joined.consent_text.text == "Send me the newsletter, please."
