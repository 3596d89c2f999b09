"""Comments written with Markdown lists, rendered again now that lists are lists.

Before, "- item" lines were stored as one paragraph. The page shows the stored HTML,
so only a new rendering changes what readers see; the rest are left as they are.
"""

from django.db import migrations

# A line that starts a bulleted ("- ", "* ", "+ ") or numbered ("1. ", "1) ") item.
LIST_LINE = r"(^|\n) {0,3}([-*+]|[0-9]{1,9}[.)])[ \t]"


def render_lists(apps, schema_editor):
    from dateline.comments.render import render_markdown

    Comment = apps.get_model("comments", "Comment")
    for comment in Comment.objects.filter(body__regex=LIST_LINE).only("body").iterator():
        Comment.objects.filter(pk=comment.pk).update(body_html=render_markdown(comment.body))


class Migration(migrations.Migration):
    dependencies = [("comments", "0001_initial")]

    operations = [migrations.RunPython(render_lists, migrations.RunPython.noop)]
