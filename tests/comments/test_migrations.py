"""Data migrations of comments, run on rows made in the schema before them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(target: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_comments_with_lists_are_rendered_again(world):
    from tests.factories import make_article

    article = make_article(world)
    apps = migrate([("comments", "0001_initial")])
    try:
        Comment = apps.get_model("comments", "Comment")
        common = {"article_id": article.pk, "name": "Ilse", "status": "approved"}
        listed = Comment.objects.create(
            body="Missing:\n\n- the night ferry\n- the school run",
            body_html="<p>Missing:</p>\n<p>- the night ferry\n- the school run</p>",
            **common,
        )
        plain = Comment.objects.create(body="Fine - thanks", body_html="<p>kept</p>", **common)
    finally:
        apps = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    Comment = apps.get_model("comments", "Comment")
    assert "<li>the night ferry</li>" in Comment.objects.get(pk=listed.pk).body_html
    assert Comment.objects.get(pk=plain.pk).body_html == "<p>kept</p>"
