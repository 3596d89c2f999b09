"""bench/wxr_generator.py: a small export from it reads and imports with its own counts.

bench/import runs the same generator at 10,000 posts; this keeps it in step with the
reader (wxr.py) and the import, so that the benchmark does not break unnoticed.
"""

from __future__ import annotations

import pytest

from bench.wxr_generator import generate
from dateline.comments.models import Comment
from dateline.importers import wordpress
from dateline.importers.wxr import read
from dateline.newsroom.models import ArticlePage, Author, Photo, SectionPage

pytestmark = pytest.mark.django_db


def test_the_same_seed_writes_the_same_export(tmp_path):
    one = generate(tmp_path / "one", posts=20, seed=5)
    two = generate(tmp_path / "two", posts=20, seed=5)
    other = generate(tmp_path / "other", posts=20, seed=6)
    assert one.export.read_bytes() == two.export.read_bytes()
    assert one.export.read_bytes() != other.export.read_bytes()
    photo = "2015/01/photo-00000.jpg"
    assert (one.media / photo).read_bytes() == (two.media / photo).read_bytes()


def test_a_small_export_reads_and_imports_with_its_counts(home, tmp_path):
    made = generate(tmp_path, posts=20, images=6, comments=45, seed=3)
    counts = made.counts
    assert counts.posts == 20 and counts.images == 6 and counts.comments == 45
    assert counts.gutenberg == counts.classic == 10
    assert counts.replies > 0

    export = read(made.export)
    assert export.version == "1.2"
    assert len(export.posts) == 20
    assert len(export.attachments) == 6
    assert len(export.authors) == counts.authors == 12
    assert len(export.categories) == counts.categories
    assert len(export.tags) == counts.tags
    assert sum(p.comment_count for p in export.posts) == 45
    assert sum(1 for p in export.posts if p.thumbnail_id) == counts.featured
    assert any("[caption" in p.content for p in export.posts)
    assert any("<!-- wp:image" in p.content for p in export.posts)

    report = wordpress.run(made.export, media=made.media, mapping=made.mapping)
    kept = counts.published + counts.drafts
    assert report.created == kept == ArticlePage.objects.count()
    assert len(report.skipped) == counts.private
    assert report.missing_images == []
    assert report.photos_stored == len(counts.images_referenced) == Photo.objects.count()
    assert report.comments.imported == 45 == Comment.objects.count()
    assert Comment.objects.exclude(parent=None).count() == counts.replies
    assert report.authors == 12 == Author.objects.count()  # 20 posts name them all
    assert SectionPage.objects.exists()

    again = wordpress.run(made.export, media=made.media, mapping=made.mapping)
    assert again.created == again.updated == 0 and again.unchanged == kept
    assert again.comments.imported == 0
    assert ArticlePage.objects.count() == kept and Comment.objects.count() == 45
