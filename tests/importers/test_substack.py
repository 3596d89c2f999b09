"""The Substack import end to end: an export archive built here from our own files."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.contrib.redirects.models import Redirect

from dateline.importers import substack
from dateline.importers.core import ImportFailed
from dateline.importers.models import ImportedItem
from dateline.newsletter.models import (
    ConfirmationMail,
    ConsentRecord,
    Newsletter,
    Subscriber,
)
from dateline.newsroom.models import ArticlePage, Author, Photo
from tests.importers.conftest import FIXTURES, MAPPING, jpeg

pytestmark = pytest.mark.django_db

FILES = FIXTURES / "substack"
FERRY, LEVY, DRAFT, PODCAST = "140201573", "140388101", "140410007", "140500020"
# The archive's own date for its members: what Substack's export was made on.
EXPORTED = (2026, 11, 30, 9, 15, 0)


def build(target: Path, files: Path = FILES) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(str(path.relative_to(files)), date_time=EXPORTED)
                archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return target


@pytest.fixture
def export(tmp_path) -> Path:
    return build(tmp_path / "calder-export.zip")


@pytest.fixture
def images(tmp_path) -> Path:
    root = tmp_path / "substack-images"
    root.mkdir()
    (root / "quay-night.jpeg").write_bytes(jpeg((10, 20, 60)))
    return root


def article(post_id: str) -> ArticlePage:
    item = ImportedItem.objects.get(source="substack", kind="post", source_id=post_id)
    return ArticlePage.objects.get(pk=item.object_id)


def counts() -> tuple[int, ...]:
    return (
        ArticlePage.objects.count(), Photo.objects.count(), Author.objects.count(),
        Redirect.objects.count(), ImportedItem.objects.count(), Subscriber.objects.count(),
        ConsentRecord.objects.count(),
    )  # fmt: skip


def test_posts_become_articles(home, export, images):
    report = substack.run(export, media=images, mapping=MAPPING, author="Ivy Marlowe")
    assert report.created == 4
    ferry = article(FERRY)
    assert ferry.live and ferry.title == "The night ferry, one month on"
    assert ferry.standfirst == "Forty cars a night, and a quieter quay"
    assert ferry.published_at.isoformat().startswith("2024-03-04T08:30")
    assert ferry.get_parent().title == "News"
    assert [a.name for a in ferry.authors] == ["Ivy Marlowe"]
    assert not article(DRAFT).live
    assert report.by_status == {"published": 3, "draft": 1}
    assert any("a thread, not a post" in s for s in report.skipped)
    notes = "\n".join(report.notes)
    assert "for paying subscribers only at Substack; public here" in notes
    assert "podcast episode" in notes
    assert "Listen to the episode" in article(PODCAST).body[-1].value.source


def test_substack_html_becomes_body_blocks(home, export, images):
    report = substack.run(export, media=images, mapping=MAPPING)
    body = [(b.block_type, b.value) for b in article(FERRY).body]
    assert [k for k, _ in body] == [
        "paragraph", "photo", "subhead", "quote", "paragraph", "embed", "paragraph",
    ]  # fmt: skip
    assert "<b>quieter</b>" in body[0][1].source and "<i>shorter</i>" in body[0][1].source
    assert body[1][1]["caption"] == "The north quay at ten in the evening."
    assert body[1][1]["image"].description == "The quay at night, half empty"
    assert body[5][1].url == "https://www.youtube.com/watch?v=nightferry1"
    # The subscribe button is gone; the poll is kept as text and listed.
    assert not any("Subscribe now" in str(v) for _, v in body)
    assert "Which crossing" in body[6][1].source
    assert any("<div>" in u for u in report.unknown_blocks)


def test_old_urls_answer_301(home, export, images, client):
    substack.run(export, media=images, mapping=MAPPING)
    ferry = article(FERRY)
    response = client.get("/p/the-night-ferry")
    assert response.status_code == 301
    assert response["Location"].endswith(ferry.url)
    assert client.get(ferry.url).status_code == 200
    assert client.get("/feed")["Location"].endswith("/feeds/rss.xml")


def test_the_same_archive_twice_changes_nothing(home, export, images):
    substack.run(export, media=images, mapping=MAPPING, author="Ivy Marlowe")
    before = counts()
    again = substack.run(export, media=images, mapping=MAPPING, author="Ivy Marlowe")
    assert again.created == again.updated == 0 and again.unchanged == 4
    assert counts() == before
    assert again.subscribers.added == 0 and again.subscribers.already_active == 3


def test_dry_run_writes_nothing(home, export, images, mail_server):
    before = counts()
    report = substack.run(export, media=images, mapping=MAPPING, dry_run=True)
    assert counts() == before
    assert report.created == 4
    assert ("/p/the-night-ferry", "/news/the-night-ferry/") in report.url_changes
    assert report.subscribers.added == 3
    assert mail_server.messages == []


def test_the_email_list_with_consent_evidence_and_no_mail(home, export, mail_server):
    report = substack.run(export, mapping=MAPPING, operator="desk")
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "pell.norris@example.net", "founder@example.net", "new.reader@example.net",
    }  # fmt: skip
    assert set(Subscriber.objects.values_list("status", flat=True)) == {"active"}
    record = ConsentRecord.objects.get(email="founder@example.net")
    assert record.status == "confirmed"
    assert "subscribed at Substack" in record.source
    assert "email_list.calder.csv of 2026-11-30" in record.source  # the archive's date
    assert "imported by desk on " in record.source
    assert [n.email for n in report.subscribers.skipped] == ["muted.reader@example.net"]
    assert mail_server.messages == [] and ConfirmationMail.objects.count() == 0
    # Every imported reader is on the digest, by import, with the record's words.
    digest = Newsletter.digest()
    for subscriber in Subscriber.objects.all():
        (on,) = subscriber.subscriptions.all()
        assert (on.newsletter, on.source, on.left_at) == (digest, "import", None)
        assert on.consent is not None and on.consent.subscriber == subscriber


def test_the_command(home, export):
    out = io.StringIO()
    call_command(
        "import", "substack", str(export), "--map", str(MAPPING), "--author", "Ivy Marlowe",
        "--no-subscribers", stdout=out, no_color=True,
    )  # fmt: skip
    assert "Substack import" in out.getvalue()
    assert ArticlePage.objects.count() == 4 and Subscriber.objects.count() == 0


# Bad input ------------------------------------------------------------------------


def test_a_truncated_zip_is_named_and_nothing_is_imported(home, export, tmp_path):
    data = export.read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFailed, match=r"cut\.zip: .*truncated"):
        substack.run(cut, mapping=MAPPING)
    with pytest.raises(CommandError, match=r"cut\.zip"):
        call_command("import", "substack", str(cut))
    assert ArticlePage.objects.count() == 0 and Subscriber.objects.count() == 0


def test_a_damaged_member_is_named(home, export, tmp_path):
    data = bytearray(export.read_bytes())
    # Spoil a byte of the first member's compressed data; the directory stays whole.
    with zipfile.ZipFile(export) as archive:
        first = archive.infolist()[0]
    start = first.header_offset + 30 + len(first.filename.encode()) + len(first.extra)
    data[start + 2] ^= 0xFF
    spoilt = tmp_path / "spoilt.zip"
    spoilt.write_bytes(bytes(data))
    with pytest.raises(ImportFailed, match=rf"spoilt\.zip: {first.filename} inside it"):
        substack.read(spoilt)
    assert ArticlePage.objects.count() == 0


def test_an_archive_without_posts_csv(tmp_path):
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ImportFailed, match=r"other\.zip: no posts\.csv"):
        substack.read(other)


def test_the_export_date_can_be_given(home, export):
    substack.run(export, exported_on=datetime.date(2026, 12, 2))
    assert "of 2026-12-02" in ConsentRecord.objects.first().source
