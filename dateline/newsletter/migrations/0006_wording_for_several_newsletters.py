"""Words that still spoke of one newsletter, or said the digest's cadence twice.

The consent text is versioned (what a reader agreed to never changes): a site still on
the first text gets a new version that speaks of the newsletters chosen; a site whose
staff wrote their own keeps it. The digest's description loses the cadence its cadence
line already gives, unless staff changed it.
"""

from typing import Any

from django.core.cache import cache
from django.db import migrations

FIRST_TEXT = (
    "Send me the newsletter at the cadence I chose. You will use my address only for "
    "this newsletter and the mail needed to run it, and I can unsubscribe from any "
    "issue with one click."
)
NEW_TEXT = (
    "Send me the newsletters I chose, the digest at the cadence I chose. You will use my "
    "address only for these newsletters and the mail needed to run them, and I can leave "
    "any of them, or all, with one click from any issue."
)
OLD_DESCRIPTION = "The week's most important stories, once or twice a week."
NEW_DESCRIPTION = "The week's most important stories, chosen by our editors."


def reword(apps: Any, schema_editor: Any) -> None:
    ConsentText = apps.get_model("newsletter", "ConsentText")
    Newsletter = apps.get_model("newsletter", "Newsletter")
    newest = ConsentText.objects.order_by("-version").first()
    if newest is not None and newest.text == FIRST_TEXT:
        ConsentText.objects.create(version=newest.version + 1, text=NEW_TEXT)
        cache.delete("newsletter:consent-text")  # ConsentText.CACHE_KEY: the box shows it
    Newsletter.objects.filter(kind="digest", description=OLD_DESCRIPTION).update(
        description=NEW_DESCRIPTION
    )


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0005_newsletters")]

    operations = [migrations.RunPython(reword, migrations.RunPython.noop, elidable=False)]
