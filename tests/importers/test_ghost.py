"""The Ghost import end to end: a Ghost 5 export with Lexical and Mobiledoc posts."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.contrib.redirects.models import Redirect

from dateline.importers import ghost
from dateline.importers.core import ImportFailed
from dateline.importers.models import ImportedItem
from dateline.newsletter.models import (
    ConfirmationMail,
    ConsentRecord,
    Newsletter,
    Subscriber,
)
from dateline.newsroom.models import ArticlePage, Author, Photo, SectionPage
from tests.importers.conftest import FIXTURES, GHOST_EXPORT, MAPPING, jpeg

pytestmark = pytest.mark.django_db

EXPORT = GHOST_EXPORT
MEMBERS = FIXTURES / "ghost-members.csv"
BRIDGE = "65f1a0000000000000000001"  # Lexical, published, two authors, feature image
ROOF = "5fc2b0000000000000000002"  # Mobiledoc, published
DRAFT = "65f1a0000000000000000003"
MEMBERS_ONLY = "65f1a0000000000000000004"
SCHEDULED = "65f1a0000000000000000007"


@pytest.fixture
def images(tmp_path) -> Path:
    """A copy of Ghost's content/images, less the draft's missing feature image."""
    root = tmp_path / "images"
    (root / "2024/03").mkdir(parents=True)
    (root / "2022/11").mkdir(parents=True)
    (root / "2024/03/bridge.jpg").write_bytes(jpeg((30, 80, 110)))
    (root / "2022/11/roof.jpg").write_bytes(jpeg((70, 70, 70)))
    return root


def run(images, **kwargs):
    return ghost.run(EXPORT, media=images, mapping=MAPPING, **kwargs)


def article(post_id: str) -> ArticlePage:
    item = ImportedItem.objects.get(source="ghost", kind="post", source_id=post_id)
    return ArticlePage.objects.get(pk=item.object_id)


def counts() -> tuple[int, ...]:
    return (
        ArticlePage.objects.count(), Photo.objects.count(), Author.objects.count(),
        Redirect.objects.count(), SectionPage.objects.count(), ImportedItem.objects.count(),
        Subscriber.objects.count(), ConsentRecord.objects.count(),
    )  # fmt: skip


def test_posts_become_articles_with_sections_authors_and_tags(home, images):
    report = run(images)
    assert report.created == 5
    bridge = article(BRIDGE)
    assert bridge.live
    assert bridge.title == "Harbour board keeps the swing bridge open to walkers"
    assert bridge.get_parent().title == "Harbour"  # the primary tag, mapped
    assert bridge.published_at.isoformat().startswith("2024-03-04T08:30")
    assert bridge.standfirst == "The board kept the bridge open to foot traffic after a close vote."
    assert [a.name for a in bridge.authors] == ["Ivy Marlowe", "Olek Brand"]
    ivy = Author.objects.get(name="Ivy Marlowe")
    assert ivy.bio == "Ivy covers the harbour and the boats in it."
    assert ivy.url == "https://ivy.example.org"
    # Bridges is a tag; the internal #import-2024 tag is not shown to readers.
    assert sorted(t.name for t in bridge.tags.all()) == ["Bridges"]
    assert article(ROOF).get_parent().title == "Council"
    assert report.by_status == {"published": 3, "scheduled": 1, "draft": 1}
    skipped = "\n".join(report.skipped)
    assert "About us" in skipped and "a page" in skipped
    assert "sent by email only" in skipped
    assert any("for members only at Ghost; public here" in n for n in report.notes)


def test_drafts_stay_drafts_and_scheduled_posts_wait(home, images):
    report = run(images)
    regatta = article(SCHEDULED)
    assert not regatta.live
    assert regatta.go_live_at.isoformat().startswith("2031-06-01T08:00")
    draft = article(DRAFT)
    assert not draft.live and draft.has_unpublished_changes
    assert draft.get_parent().title == "News"  # no tag: the default section
    assert any("missing-sail.jpg" in m for m in report.missing_images)


def test_lexical_becomes_body_blocks(home, images):
    report = run(images)
    body = [(b.block_type, b.value) for b in article(BRIDGE).body]
    assert [k for k, _ in body] == [
        "paragraph", "subhead", "quote", "photo", "paragraph", "embed",
        "paragraph", "paragraph", "paragraph",
    ]  # fmt: skip
    first = body[0][1].source
    assert "<b>old swing bridge</b>" in first
    assert '<a href="https://example.org/minutes">the minutes say</a>' in first
    assert body[1][1] == "What changes"
    assert body[2][1]["text"] == "A bridge is a street that happens to float."
    assert body[3][1]["caption"] == "The bridge at dusk."
    assert "<li>Walkers <i>always</i></li>" in body[4][1].source
    assert body[5][1].url == "https://www.youtube.com/watch?v=ghostbridge1"
    # The callout card: kept as cleaned HTML and listed.
    assert "Tide tables are on the notice board." in body[6][1].source
    assert any("Lexical card callout" in u for u in report.unknown_blocks)
    # The HTML card: read as HTML, the script gone.
    assert "<b>7</b> for" in body[7][1].source and "alert" not in body[7][1].source
    # The Markdown card, rendered.
    assert "<b>next meeting</b>" in body[8][1].source


def test_mobiledoc_becomes_body_blocks(home, images):
    report = run(images)
    body = [(b.block_type, b.value) for b in article(ROOF).body]
    assert [k for k, _ in body] == [
        "paragraph", "paragraph", "photo", "subhead", "paragraph", "quote", "paragraph",
    ]  # fmt: skip
    assert "<b>town hall roof</b>" in body[0][1].source
    assert '<a href="https://example.org/agenda">the next agenda</a>' in body[0][1].source
    assert "First line<br><i>second line</i>" in body[1][1].source
    assert body[2][1]["caption"] == "The roof after the storm."
    assert body[2][1]["image"].description == "A patched slate roof"
    assert body[3][1] == "Costs"
    assert "<ol><li>Slates</li><li>Scaffolding</li></ol>" in body[4][1].source
    assert body[5][1]["text"] == "We will not patch it a fourth time."
    assert "The surveyor's report" in body[6][1].source
    assert any("Mobiledoc card bookmark" in u for u in report.unknown_blocks)


def test_the_feature_image_with_its_caption_and_alt_text(home, images):
    run(images)
    lead = article(BRIDGE).lead_image
    assert lead.caption == "Photo by Tomas Reyland"
    assert lead.description == "The swing bridge open, seen from the quay"
    # The same picture in the body (a resized copy, size/w1000/) is the same Photo.
    photo = next(b for b in article(BRIDGE).body if b.block_type == "photo")
    assert photo.value["image"].pk == lead.pk
    assert Photo.objects.count() == 2


def test_old_urls_answer_301_to_the_new_pages(home, images, client):
    run(images)
    bridge = article(BRIDGE)
    for old in ("/swing-bridge-stays-open/", "/swing-bridge-stays-open/amp/"):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"].endswith(bridge.url), old
    assert client.get(bridge.url).status_code == 200
    assert client.get("/town-hall-roof/")["Location"].endswith(article(ROOF).url)
    assert client.get("/tag/harbour/")["Location"].endswith(bridge.get_parent().url)
    assert client.get("/tag/harbour/rss/")["Location"].endswith("/feeds/harbour/rss.xml")
    assert client.get("/tag/bridges/")["Location"].endswith("/tags/bridges/")
    assert client.get("/author/ivy/")["Location"].endswith("/authors/ivy/")  # its Ghost slug
    assert client.get("/rss/")["Location"].endswith("/feeds/rss.xml")
    assert Redirect.objects.filter(is_permanent=False).count() == 0


def test_the_same_export_twice_changes_nothing(home, images):
    run(images, members=MEMBERS, exported_on=datetime.date(2026, 12, 1))
    before = counts()
    revisions = article(BRIDGE).revisions.count()
    again = run(images, members=MEMBERS, exported_on=datetime.date(2026, 12, 1))
    assert again.created == again.updated == 0 and again.unchanged == 5
    assert counts() == before
    assert article(BRIDGE).revisions.count() == revisions
    assert again.subscribers.added == 0 and again.subscribers.already_active == 3


def test_a_newer_export_updates_the_changed_post(home, images, tmp_path):
    run(images)
    data = json.loads(EXPORT.read_text())
    post = data["db"][0]["data"]["posts"][0]
    post["title"] = "Harbour board keeps the bridge open to walkers and bicycles"
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(data))
    report = ghost.run(newer, media=images, mapping=MAPPING)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    assert article(BRIDGE).title.endswith("walkers and bicycles")


def test_dry_run_writes_nothing(home, images, mail_server):
    before = counts()
    report = run(images, members=MEMBERS, dry_run=True)
    assert counts() == before and ImportedItem.objects.count() == 0
    assert report.created == 5
    assert report.per_section == {"Harbour": 1, "Council": 1, "News": 3}
    assert ("/swing-bridge-stays-open/", "/harbour/swing-bridge-stays-open/") in report.url_changes
    assert any("Lexical card callout" in u for u in report.unknown_blocks)
    assert report.subscribers.added == 3
    assert mail_server.messages == []


def test_members_become_subscribers_with_consent_evidence_and_no_mail(home, images, mail_server):
    report = run(images, members=MEMBERS, operator="Ivy Marlowe")
    emails = set(Subscriber.objects.values_list("email", flat=True))
    assert emails == {
        "pell.norris@example.net", "mara.velt@example.net", "paid.reader@example.net",
    }  # fmt: skip
    assert set(Subscriber.objects.values_list("status", flat=True)) == {"active"}
    record = ConsentRecord.objects.get(email="pell.norris@example.net")
    assert record.status == "confirmed"
    assert record.source.startswith("import: Ghost ghost-members.csv: prior consent: ")
    assert "subscribed at Ghost" in record.source
    assert "imported by Ivy Marlowe on " in record.source
    # The file's name has no date: the file's own date is the export's.
    day = datetime.datetime.fromtimestamp(MEMBERS.stat().st_mtime, tz=datetime.UTC).date()
    assert f"of {day:%Y-%m-%d}" in record.source
    skipped = {n.email: n.reason for n in report.subscribers.skipped}
    assert "turned newsletters off" in skipped["quiet.reader@example.net"]
    assert [n.email for n in report.subscribers.problems] == ["not-an-address"]
    assert mail_server.messages == [] and ConfirmationMail.objects.count() == 0
    # Every imported reader is on the digest, by import, with the record's words.
    digest = Newsletter.digest()
    for subscriber in Subscriber.objects.all():
        (on,) = subscriber.subscriptions.all()
        assert (on.newsletter, on.source, on.left_at) == (digest, "import", None)
        assert on.consent is not None and on.consent.subscriber == subscriber


def test_confirm_by_mail_sends_the_double_opt_in(home, images, mail_server):
    run(images, members=MEMBERS, confirm_by_mail=True)
    assert set(Subscriber.objects.values_list("status", flat=True)) == {"pending"}
    (mail,) = mail_server.to("pell.norris@example.net")
    assert "Confirm your subscription" in mail["Subject"]


def test_the_command_prints_a_summary(home, images):
    out = io.StringIO()
    call_command(
        "import", "ghost", str(EXPORT), "--media", str(images), "--map", str(MAPPING),
        "--members", str(MEMBERS), "--exported-on", "2026-12-01", "--operator", "desk",
        stdout=out, no_color=True,
    )  # fmt: skip
    text = out.getvalue()
    assert "Ghost import" in text and "in Harbour" in text
    assert "Subscribers read" in text and "quiet.reader@example.net" in text
    record = ConsentRecord.objects.get(email="paid.reader@example.net")
    assert "of 2026-12-01; imported by desk on" in record.source


# Bad input ------------------------------------------------------------------------


def test_malformed_json_names_the_file_and_position():
    with pytest.raises(ImportFailed) as caught:
        ghost.read(FIXTURES / "ghost-malformed.json")
    assert "ghost-malformed.json, line 8 column 34" in str(caught.value)
    assert "not valid JSON" in str(caught.value)


def test_an_unknown_ghost_version():
    with pytest.raises(ImportFailed, match=r"ghost-unknown-version.json: Ghost version '003'"):
        ghost.read(FIXTURES / "ghost-unknown-version.json")


def test_not_a_ghost_export(tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"posts": []}')
    with pytest.raises(ImportFailed, match=r"other\.json: this is not a Ghost export"):
        ghost.read(other)


def test_a_post_with_broken_lexical_is_named(tmp_path):
    data = json.loads(EXPORT.read_text())
    data["db"][0]["data"]["posts"][0]["lexical"] = '{"root": '
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(ImportFailed, match=rf"bad\.json: post {BRIDGE} .*lexical is not valid"):
        ghost.read(bad)


def test_a_members_file_that_is_no_list_stops_the_run_before_any_story(home, images, tmp_path):
    members = tmp_path / "members.2026-12-01.csv"
    members.write_text("id,name\n1,Pell\n")
    with pytest.raises(ImportFailed, match=r"members\.2026-12-01\.csv: no email column"):
        run(images, members=members)
    assert ArticlePage.objects.count() == 0


def test_the_command_reports_bad_input_and_imports_nothing(home):
    with pytest.raises(CommandError, match=r"ghost-malformed\.json, line 8"):
        call_command("import", "ghost", str(FIXTURES / "ghost-malformed.json"))
    assert ArticlePage.objects.count() == 0


def test_the_export_date_is_read_from_ghosts_file_name(home, images, tmp_path, mail_server):
    members = tmp_path / "the-calder-tide.members.2026-11-28.csv"
    members.write_bytes(MEMBERS.read_bytes())
    run(images, members=members)
    record = ConsentRecord.objects.get(email="pell.norris@example.net")
    assert "the-calder-tide.members.2026-11-28.csv of 2026-11-28" in record.source
