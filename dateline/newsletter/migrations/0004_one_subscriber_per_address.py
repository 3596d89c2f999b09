"""One person, one subscriber: addresses compared and stored lower-cased.

Before this, Reader.Two@Example.com and reader.two@example.com could be two
subscribers. Each such group becomes one: every consent record and delivery of
the others moves to it (GDPR evidence is never dropped), it takes the strongest
state the reader gave us, and every stored address is lower-cased.
"""

from __future__ import annotations

from typing import Any

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models.functions import Lower

ACTIVE, PENDING, UNSUBSCRIBED = "active", "pending", "unsubscribed"


def _latest(*values: Any) -> Any:
    present = [value for value in values if value is not None]
    return max(present) if present else None


def _earliest(*values: Any) -> Any:
    present = [value for value in values if value is not None]
    return min(present) if present else None


def merge_subscribers(apps: Any, schema_editor: Any) -> None:
    Subscriber = apps.get_model("newsletter", "Subscriber")
    ConsentRecord = apps.get_model("newsletter", "ConsentRecord")
    ConfirmationMail = apps.get_model("newsletter", "ConfirmationMail")
    Suppression = apps.get_model("newsletter", "Suppression")
    Delivery = apps.get_model("digests", "Delivery")

    # Only the addresses with more than one spelling are read into memory.
    groups: dict[str, list[Any]] = {}
    for subscriber in (
        Subscriber.objects.annotate(address=Lower("email"))
        .filter(address__in=_duplicated(Subscriber))
        .order_by("created_at", "pk")
    ):
        groups.setdefault(subscriber.email.lower(), []).append(subscriber)

    last_confirmed: dict[str, Any] = {}
    for address, rows in groups.items():
        confirmed = {
            row.pk: _latest(
                row.confirmed_at,
                ConsentRecord.objects.filter(subscriber=row, confirmed_at__isnull=False)
                .aggregate(latest=models.Max("confirmed_at"))["latest"],
            )
            for row in rows
        }
        active = [row for row in rows if row.status == ACTIVE]
        unsubscribed = [row for row in rows if row.status == UNSUBSCRIBED]
        newest_yes = _latest(*(confirmed[row.pk] for row in active))
        newest_no = _latest(*(row.unsubscribed_at for row in unsubscribed))
        # The strongest state, unless the reader's later word took it back: an
        # unsubscribe after every confirmation stands.
        if active and (newest_no is None or newest_yes is None or newest_yes >= newest_no):
            keep = max(active, key=lambda row: (confirmed[row.pk] or row.created_at, row.pk))
        elif unsubscribed:
            keep = max(unsubscribed, key=lambda row: (row.unsubscribed_at or row.created_at))
        else:
            keep = rows[0]
        others = [row for row in rows if row.pk != keep.pk]
        if others:
            ConsentRecord.objects.filter(subscriber__in=others).update(subscriber=keep)
            # One delivery per reader and issue: where both spellings got an issue, the
            # other's delivery keeps its address but no longer names a subscriber.
            taken = set(Delivery.objects.filter(subscriber=keep).values_list("issue", flat=True))
            for delivery in Delivery.objects.filter(subscriber__in=others).order_by("pk"):
                delivery.subscriber = None if delivery.issue_id in taken else keep
                taken.add(delivery.issue_id)
                delivery.save(update_fields=["subscriber"])
            keep.created_at = min(row.created_at for row in rows)
            keep.confirmed_at = _earliest(*(row.confirmed_at for row in rows))
            Subscriber.objects.filter(pk__in=[row.pk for row in others]).delete()
        if keep.status == ACTIVE:
            last_confirmed[address] = _latest(*confirmed.values())
        keep.email = address
        keep.save()

    for model in (Subscriber, ConsentRecord, ConfirmationMail):
        model.objects.exclude(email=Lower("email")).update(email=Lower("email"))

    suppressions: dict[str, list[Any]] = {}
    for entry in (
        Suppression.objects.annotate(address=Lower("email"))
        .filter(address__in=_duplicated(Suppression) | set(last_confirmed))
        .order_by("created_at", "pk")
    ):
        suppressions.setdefault(entry.email.lower(), []).append(entry)
    for address, entries in suppressions.items():
        # A bounce, complaint or staff's entry outlives an unsubscribe (signup.suppress).
        strong = [entry for entry in entries if entry.reason != UNSUBSCRIBED]
        keep = (strong or entries)[0]
        Suppression.objects.filter(pk__in=[e.pk for e in entries if e.pk != keep.pk]).delete()
        confirmed_since = last_confirmed.get(address)
        if (
            keep.reason == UNSUBSCRIBED
            and confirmed_since is not None
            and confirmed_since >= keep.created_at
        ):
            # The reader confirmed again after unsubscribing under the other spelling:
            # their confirmation released the address (signup.confirm).
            keep.delete()
            continue
        keep.email = address
        keep.save()
    Suppression.objects.exclude(email=Lower("email")).update(email=Lower("email"))


def _duplicated(model: Any) -> set[str]:
    """The lower-cased addresses ``model`` holds under more than one spelling."""
    return set(
        model.objects.annotate(address=Lower("email"))
        .values("address")
        .annotate(spellings=models.Count("pk"))
        .filter(spellings__gt=1)
        .values_list("address", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0003_soft_bounce_reason"),
        ("newsroom", "0001_initial"),
        ("digests", "0010_issue_queueing"),
    ]

    operations = [
        migrations.AlterField(
            model_name="consentrecord",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting for confirmation"),
                    ("confirmed", "Confirmed"),
                    ("superseded", "Not needed: another request was confirmed or withdrawn"),
                    ("expired", "Never confirmed"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="pending",
                max_length=20,
            ),
        ),
        migrations.RunPython(merge_subscribers, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="subscriber",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                name="newsletter_subscriber_email_ci",
            ),
        ),
    ]
