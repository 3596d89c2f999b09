"""Words that still spoke of one newsletter, or said the digest's cadence twice.

The consent text is versioned, and what a reader agreed to never changes: the first
text is reworded only where nobody has agreed to it yet (a new site); elsewhere the
newsroom adds a version in its own words (docs/newsletter.md, "Several newsletters"). The digest's description loses the cadence its cadence
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
    ConsentRecord = apps.get_model("newsletter", "ConsentRecord")
    first = ConsentText.objects.filter(version=1, text=FIRST_TEXT).first()
    if first is not None and not ConsentRecord.objects.filter(consent_text=first).exists():
        ConsentText.objects.filter(pk=first.pk).update(text=NEW_TEXT)
        cache.delete("newsletter:consent-text")  # ConsentText.CACHE_KEY: the box shows it
    Newsletter.objects.filter(kind="digest", description=OLD_DESCRIPTION).update(
        description=NEW_DESCRIPTION
    )


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0005_newsletters")]

    operations = [migrations.RunPython(reword, migrations.RunPython.noop, elidable=False)]
