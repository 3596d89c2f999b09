import datetime

from django.db import migrations

# Twice-weekly readers get Tuesday and Friday, weekly readers Friday, at 07:00.
DEFAULT_SLOTS = [("twice_weekly", 1), ("twice_weekly", 4), ("weekly", 4)]


def create_default_slots(apps, schema_editor):
    SendSlot = apps.get_model("digests", "SendSlot")
    if SendSlot.objects.exists():
        return
    for cadence, weekday in DEFAULT_SLOTS:
        SendSlot.objects.create(cadence=cadence, weekday=weekday, time=datetime.time(7, 0))


class Migration(migrations.Migration):
    dependencies = [("digests", "0001_initial")]

    operations = [migrations.RunPython(create_default_slots, migrations.RunPython.noop)]
