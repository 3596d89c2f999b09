from django.db import migrations

FIRST_TEXT = (
    "Send me the newsletter at the cadence I chose. You will use my address only for "
    "this newsletter and the mail needed to run it, and I can unsubscribe from any "
    "issue with one click."
)


def create_first_text(apps, schema_editor):
    ConsentText = apps.get_model("newsletter", "ConsentText")
    if not ConsentText.objects.exists():
        ConsentText.objects.create(version=1, text=FIRST_TEXT)


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0001_initial")]

    operations = [migrations.RunPython(create_first_text, migrations.RunPython.noop)]
