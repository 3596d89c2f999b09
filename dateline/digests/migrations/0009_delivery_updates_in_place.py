"""Deliveries are updated in place: no state in the claim index, room left in each page.

See docs/decisions/0007. The fillfactor applies to pages written from now on; rows
already in the table keep their pages.
"""

from django.db import migrations, models

# Room for each row's claimed and sent versions beside it (a row is ~150 bytes on disk).
FILLFACTOR = 50


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        table = apps.get_model("digests", "Delivery")._meta.db_table
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def pack(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        table = apps.get_model("digests", "Delivery")._meta.db_table
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("digests", "0008_delivery_token_derived"),
        ("newsletter", "0003_soft_bounce_reason"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["issue", "id"], name="delivery_issue_order"),
        ),
        migrations.RemoveIndex(
            model_name="delivery",
            name="delivery_claim_order",
        ),
        migrations.RunPython(leave_room, pack),
    ]
