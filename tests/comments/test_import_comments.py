"""``dateline import-comments disqus|wordpress FILE``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dateline.comments.models import Comment, Commenter

pytestmark = pytest.mark.django_db
EXPORTS = Path(__file__).parent / "exports"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_comments", *args, stdout=out)
    return out.getvalue()


def test_a_disqus_export_comes_across_threaded_sanitised_and_reported(client, article):
    output = run("disqus", str(EXPORTS / "disqus.xml"))
    ilse = Comment.objects.get(import_id="301")
    tomas = Comment.objects.get(import_id="302")
    assert (ilse.article_id, ilse.status, ilse.depth) == (article.pk, "approved", 0)
    assert (tomas.parent_id, tomas.thread_id, tomas.depth) == (ilse.pk, ilse.pk, 1)
    assert ilse.body == "The port needed this.\nSee [the timetable](https://example.org/timetable)."
    assert "script" not in ilse.body_html and "onerror" not in ilse.body_html
    assert 'rel="ugc nofollow noopener"' in ilse.body_html
    assert tomas.body == "Agreed & **well put**."
    spam = Comment.objects.get(import_id="303")
    assert spam.status == "spam" and spam.ip is None and spam.commenter is None
    assert Commenter.objects.filter(email="ilse@example.org").exists()

    assert "Imported" in output and "Skipped" in output
    assert "Disqus post 304: deleted at Disqus" in output
    assert "Disqus post 305: no article matches" in output
    page = client.get(article.url).content.decode()
    assert "The port needed this." in page and "Cheap watches" not in page

    again = run("disqus", str(EXPORTS / "disqus.xml"))
    assert Comment.objects.count() == 3
    assert "Already imported before" in again


def test_imported_comments_count_as_a_history_for_first_time_moderation(client, article):
    from tests.comments.helpers import form

    run("disqus", str(EXPORTS / "disqus.xml"))
    client.post("/comments/post/", form(article, email="ilse@example.org", body="Back again."))
    assert Comment.objects.get(body="Back again.").status == "approved"


def test_a_wordpress_export_matches_by_slug_and_keeps_held_ones_held(article):
    output = run("wordpress", str(EXPORTS / "wordpress.xml"))
    mara = Comment.objects.get(import_id="7")
    ilse = Comment.objects.get(import_id="8")
    assert mara.article_id == article.pk and mara.status == "approved"
    assert mara.body == "Good to see the boats moving.\n\n> We are back at the table.\nQuite."
    assert "<blockquote>" in mara.body_html
    assert (ilse.parent_id, ilse.status) == (mara.pk, "held")
    assert "WordPress comment 9: a pingback" in output
    assert "WordPress comment 10: in the trash" in output


@pytest.mark.parametrize(
    ("kind", "content", "message"),
    [
        ("disqus", b"not xml at all", "not a readable Disqus export"),
        ("disqus", b"<rss><channel/></rss>", "not a Disqus export"),
        ("wordpress", b"<disqus xmlns='http://disqus.com'/>", "not a WordPress export"),
        (
            "disqus",
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
            b"<disqus xmlns='http://disqus.com'>&b;</disqus>",
            "XML features we refuse",
        ),
    ],
)
def test_a_bad_file_is_refused_and_changes_nothing(article, tmp_path, kind, content, message):
    path = tmp_path / "export.xml"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(kind, str(path))
    assert Comment.objects.count() == 0


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("disqus", str(tmp_path / "nope.xml"))
