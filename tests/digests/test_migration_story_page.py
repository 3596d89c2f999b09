"""Migration 0014: a digest's story points to any page; the rows made before stay as they were.

Rows are made in the schema of 0013 (the story pointing to an ArticlePage), then the
migrations run forward (as tests/newsletter/test_migration_newsletters.py does).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from dateline.digests import render
from dateline.digests.models import DigestIssue, DigestStory
from dateline.newsletter.models import Newsletter
from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("digests", "0013_reader_engagement")]


def migrate(target: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_stories_made_before_point_to_the_same_pages_after(world):
    article = make_article(world, "Dam agreement signed", standfirst="Signed at dawn.")
    digest = Newsletter.digest()
    apps = migrate(BEFORE)
    try:
        Issue = apps.get_model("digests", "DigestIssue")
        Story = apps.get_model("digests", "DigestStory")
        now = timezone.now()
        old = Issue.objects.create(
            newsletter_id=digest.pk,
            cadence="weekly",
            slot_at=now,
            period_start=now,
            period_end=now,
        )
        Story.objects.create(issue=old, article_id=article.pk, position=1, pinned=True)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    story = DigestStory.objects.get(issue_id=old.pk)
    assert (story.article_id, story.position, story.pinned) == (article.pk, 1, True)
    [rendered] = render.issue_stories(DigestIssue.objects.get(pk=old.pk))
    assert rendered.article.standfirst == "Signed at dawn."
