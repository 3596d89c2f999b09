# Clicks are counted per issue and link (dateline.digests.clicks); the per-story counts of
# the opt-in links before them are not carried over (off by default, never deployed on).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("digests", "0010_issue_queueing"),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.RemoveField(
            model_name="digeststory",
            name="clicks",
        ),
        migrations.CreateModel(
            name="LinkClicks",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.URLField(max_length=2000)),
                ("clicks", models.PositiveIntegerField(default=0)),
                (
                    "issue",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="link_clicks",
                        to="digests.digestissue",
                    ),
                ),
                (
                    "story",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.WAGTAIL_PAGE_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["issue", "-clicks"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("issue", "url"), name="one_count_per_issue_link"
                    )
                ],
            },
        ),
    ]
