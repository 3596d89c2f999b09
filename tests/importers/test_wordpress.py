"""The WordPress import end to end: what an export becomes, and what it leaves out."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from wagtail.contrib.redirects.models import Redirect

from dateline.comments.models import Comment
from dateline.importers import wordpress
from dateline.importers.models import ImportedItem
from dateline.newsroom.models import ArticlePage, Author, Photo, SectionPage
from tests.importers.conftest import EXPORT, FIXTURES, MAPPING

pytestmark = pytest.mark.django_db


def run(media, **kwargs):
    return wordpress.run(EXPORT, media=media, mapping=MAPPING, **kwargs)


def article(post_id: str) -> ArticlePage:
    item = ImportedItem.objects.get(source="wordpress", kind="post", source_id=post_id)
    return ArticlePage.objects.get(pk=item.object_id)


def test_posts_become_articles_in_their_sections(home, media):
    report = run(media)
    assert report.created == 4
    crossing = article("101")
    assert crossing.live
    assert crossing.title == "Harbour master orders a second night crossing"
    assert crossing.get_parent().title == "Harbour"
    assert crossing.standfirst.startswith("A second crossing from April")
    assert crossing.published_at.isoformat().startswith("2024-03-04T08:30")
    assert [a.name for a in crossing.authors] == ["Ivy Marlowe"]
    assert [t.name for t in crossing.tags.all()] == ["Ferries"]
    roof = article("102")
    assert roof.get_parent().title == "Council"
    assert roof.authors[0].kind == Author.Kind.ORGANISATION
    # No excerpt: the first paragraph is the standfirst.
    assert roof.standfirst.startswith("Councillors put off a vote")
    assert set(SectionPage.objects.values_list("title", flat=True)) >= {"Harbour", "Council"}


def test_scheduled_drafts_and_skips(home, media):
    report = run(media)
    regatta = article("103")
    assert not regatta.live
    assert regatta.go_live_at.isoformat().startswith("2031-06-01T08:00")
    notes = article("104")
    assert not notes.live and notes.has_unpublished_changes
    assert notes.get_parent().title == "News"  # Uncategorized: the default section
    skipped = "\n".join(report.skipped)
    assert "post 105" in skipped and "private" in skipped
    assert "post 106" in skipped and "trash" in skipped
    assert "page 200" in skipped
    assert report.by_status == {"published": 2, "scheduled": 1, "draft": 1}


def test_gutenberg_blocks_become_body_blocks(home, media):
    report = run(media)
    body = [(b.block_type, b.value) for b in article("101").body]
    kinds = [k for k, _ in body]
    assert kinds == [
        "paragraph", "subhead", "quote", "photo", "quote", "paragraph",
        "photo", "photo", "embed", "paragraph", "paragraph",
    ]  # fmt: skip
    assert "<b>second night crossing</b>" in body[0][1].source
    assert body[1][1] == "Why now"
    assert body[2][1]["text"] == "We cannot leave forty cars on the quay every night."
    assert body[2][1]["speaker"] == "Mara Velt, harbour master"
    assert body[3][1]["caption"] == "The queue on Sunday evening."
    assert body[4][1]["speaker"] == "Port office figures"
    assert "<li>Fares <i>unchanged</i></li>" in body[5][1].source
    assert body[6][1]["caption"] == "The old ferry."
    assert body[8][1].url == "https://www.youtube.com/watch?v=calder0001"
    # The unknown widget: kept, cleaned (no script), and listed.
    assert "High water" in body[9][1].source and "script" not in body[9][1].source
    assert any("tide-tables/widget" in u for u in report.unknown_blocks)


def test_classic_html_and_shortcodes(home, media):
    report = run(media)
    body = [(b.block_type, b.value) for b in article("102").body]
    kinds = [k for k, _ in body]
    assert kinds[:5] == ["paragraph", "photo", "paragraph", "embed", "paragraph"]
    assert body[1][1]["caption"] == "The roof after the January storm."
    assert "<br>A second line" in body[2][1].source
    assert body[3][1].url == "https://vimeo.com/555000111"
    assert "[gallery" in body[4][1].source
    assert any("shortcode [gallery]" in u for u in report.unknown_blocks)
    assert kinds[-1] == "embed" and body[-1][1].url.endswith("calder0002")


def test_photos_deduplicated_with_caption_alt_and_credit(home, media):
    report = run(media)
    lead = article("101").lead_image
    assert lead.credit == "Tomas Reyland"
    assert lead.caption == "The last ferry of the evening, tied up at the north quay."
    assert lead.description == "A white ferry under lamps at a stone quay"
    # ferry.jpg (lead) and ferry-copy.jpg (gallery) are the same picture: one Photo.
    gallery_first = [b for b in article("101").body if b.block_type == "photo"][1]
    assert gallery_first.value["image"].pk == lead.pk
    assert Photo.objects.count() == 4  # ferry, quay, ropes, roof
    missing = "\n".join(report.missing_images)
    assert "missing-plan.jpg" in missing
    assert "pier-map.png" in missing
    # The story with missing images is still there, without them.
    assert article("102").live and article("102").lead_image is None


def test_comments_linked_to_the_new_articles(home, media):
    report = run(media)
    crossing = article("101")
    comments = Comment.objects.filter(article=crossing).order_by("created_at")
    assert [c.name for c in comments] == ["Pell Norris", "Ivy Marlowe"]
    assert comments[1].parent_id == comments[0].pk
    assert report.comments.imported == 2


def test_old_urls_answer_301_to_the_new_pages(home, media, client):
    run(media)
    crossing = article("101")
    for old in (
        "/2024/03/04/second-night-crossing/",
        "/?p=101",
        "/2024/03/04/second-night-crossing/feed/",
    ):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"].endswith(crossing.url), old
    assert client.get("/?p=103")["Location"].endswith(article("103").url)
    harbour = crossing.get_parent()
    assert client.get("/category/harbour/")["Location"].endswith(harbour.url)
    assert client.get("/category/harbour/feed/")["Location"].endswith("/feeds/harbour/rss.xml")
    assert client.get("/tag/ferries/")["Location"].endswith("/tags/ferries/")
    assert client.get("/feed/")["Location"].endswith("/feeds/rss.xml")
    assert client.get("/author/ivy/")["Location"].endswith("/authors/ivy-marlowe/")
    assert client.get(crossing.url).status_code == 200
    assert Redirect.objects.filter(is_permanent=False).count() == 0


def test_the_same_export_twice_changes_nothing(home, media):
    run(media)
    counts = (
        ArticlePage.objects.count(), Photo.objects.count(), Author.objects.count(),
        Redirect.objects.count(), Comment.objects.count(), SectionPage.objects.count(),
    )  # fmt: skip
    revisions = article("101").revisions.count()
    again = run(media)
    assert again.created == again.updated == 0
    assert again.unchanged == 4
    assert (
        ArticlePage.objects.count(), Photo.objects.count(), Author.objects.count(),
        Redirect.objects.count(), Comment.objects.count(), SectionPage.objects.count(),
    ) == counts  # fmt: skip
    assert article("101").revisions.count() == revisions


def test_a_newer_export_adds_and_updates(home, media, tmp_path):
    run(media)
    newer = EXPORT.read_text()
    newer = newer.replace(
        "Harbour master orders a second night crossing",
        "Harbour master confirms a second night crossing",
    )
    newer = newer.replace(
        "<wp:post_id>104</wp:post_id>", "<wp:post_id>107</wp:post_id>"
    )  # the draft is now a new post id: a new story
    path = tmp_path / "newer.xml"
    path.write_text(newer)
    report = wordpress.run(path, media=media, mapping=MAPPING)
    assert report.updated == 1 and report.created == 1 and report.unchanged == 2
    assert article("101").title == "Harbour master confirms a second night crossing"
    assert ArticlePage.objects.filter(title__startswith="Harbour master").count() == 1


def test_dry_run_writes_nothing_and_says_what_would_happen(home, media):
    pages, photos = ArticlePage.objects.count(), Photo.objects.count()
    report = run(media, dry_run=True)
    assert ArticlePage.objects.count() == pages and Photo.objects.count() == photos
    assert Redirect.objects.count() == 0 and ImportedItem.objects.count() == 0
    assert report.created == 4
    assert report.per_section == {"Harbour": 2, "Council": 1, "News": 1}
    assert any("missing-plan.jpg" in m for m in report.missing_images)
    assert any("tide-tables" in u for u in report.unknown_blocks)
    assert ("/2024/03/04/second-night-crossing/", "/harbour/second-night-crossing/") in (
        report.url_changes
    )


def test_the_command_prints_a_summary(home, media, capsys):
    call_command(
        "import", "wordpress", str(EXPORT), "--media", str(media), "--map", str(MAPPING),
        "--dry-run",
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "dry run" in out
    assert "in Harbour" in out
    assert "missing-plan.jpg" in out
    assert "/2024/03/04/second-night-crossing/ -> /harbour/second-night-crossing/" in out
    assert ArticlePage.objects.count() == 0


def test_wxr_1_1(home):
    report = wordpress.run(FIXTURES / "calder-1.1.xml")
    assert report.created == 1
    item = ImportedItem.objects.get(source="wordpress", kind="post", source_id="7")
    page = ArticlePage.objects.get(pk=item.object_id)
    assert page.authors[0].name == "Olek Brand"
    assert Comment.objects.filter(article=page).count() == 1


def test_a_story_stored_live_is_as_wagtail_would_publish_it(home, media, staff):
    """Published stories skip Wagtail's publish action (batch.add_article): the
    editor still opens them, sees one revision and a "Published" history entry, and
    search finds them."""
    from wagtail.models import Page, PageLogEntry

    run(media)
    crossing = article("101")
    assert crossing.live and not crossing.has_unpublished_changes
    assert crossing.live_revision_id == crossing.latest_revision_id is not None
    assert crossing.live_revision.created_at == crossing.published_at
    assert crossing.revisions.count() == 1
    assert PageLogEntry.objects.filter(page=crossing, action="wagtail.publish").exists()
    assert Page.find_problems() == ([], [], [], [], [])
    assert crossing.get_parent().numchild == crossing.get_parent().get_children().count()
    assert staff.get(f"/admin/pages/{crossing.pk}/edit/").status_code == 200
    assert staff.get(f"/admin/pages/{crossing.pk}/history/").status_code == 200
    found = ArticlePage.objects.live().search("second night crossing")
    assert crossing.pk in [p.pk for p in found]
