import datetime

import pytest

from dateline.wire.formats import (
    MAX_FEED_BYTES,
    FeedError,
    clean_html,
    ninjs_errors,
    parse,
    sniff_format,
)
from tests.wire.conftest import fixture


def by_guid(result):
    return {item.guid: item for item in result.items}


def test_rss_items_keep_guid_byline_dates_and_photo():
    result = parse(fixture("northwind.rss"), "rss")
    item = by_guid(result)["urn:northwind:2026:ferry-strike-1"]
    assert item.headline == "Ferry crews walk out in Port Calder over unpaid night shifts"
    assert item.byline == "Ana Kell"
    assert item.version_created == datetime.datetime(2026, 11, 16, 7, 10, tzinfo=datetime.UTC)
    assert item.url == "https://wire.northwind.example/stories/ferry-strike"
    assert item.images[0].href == "https://wire.northwind.example/photos/quay.jpg"
    assert item.original_source == "Northwind Press"


def test_agency_html_is_reduced_to_a_safe_subset():
    item = by_guid(parse(fixture("northwind.rss"), "rss"))["urn:northwind:2026:ferry-strike-1"]
    assert "<script" not in item.body_html
    assert "onclick" not in item.body_html
    assert "<p>" in item.body_html
    assert "Tomas Reyk" in item.body_text


def test_rss_item_without_guid_uses_its_link():
    items = by_guid(parse(fixture("northwind.rss"), "rss"))
    assert "https://wire.northwind.example/stories/besk-flood" in items


def test_missing_date_is_repaired_and_a_repeated_guid_skipped_with_reasons():
    now = datetime.datetime(2026, 11, 16, 14, 0, tzinfo=datetime.UTC)
    result = parse(fixture("northwind.rss"), "rss", now=now)
    quota = by_guid(result)["urn:northwind:2026:quota-vote"]
    assert quota.version_created == now
    reasons = [(p.kind, p.reason) for p in result.problems]
    assert ("repaired", "no date: the time it arrived is used") in reasons
    assert ("skipped", "the same guid appears twice in the feed") in reasons
    assert ("skipped", "no headline and no text") in reasons
    assert len(result.items) == 3


def test_atom_entries_are_read():
    result = parse(fixture("harborline.atom"), "atom")
    item = by_guid(result)["urn:harborline:2026-11-16:calder-ferries"]
    assert item.byline == "Rui Osk"
    assert item.first_created == datetime.datetime(2026, 11, 16, 8, 5, tzinfo=datetime.UTC)
    assert item.version_created == datetime.datetime(2026, 11, 16, 8, 40, tzinfo=datetime.UTC)
    assert item.copyright == "© 2026 Harbor Line Wire"
    assert "ministry answers our letter" in item.body_text


def test_ninjs_items_carry_rights_picture_and_dateline():
    result = parse(fixture("meridian.json"), "ninjs")
    item = by_guid(result)["urn:meridian:text:2026-4471"]
    assert item.version == "1"
    assert item.dateline == "PORT CALDER"
    assert item.credit == "Meridian News Agency"
    assert item.usage_terms == "Editorial use only"
    (photo,) = item.images
    assert photo.caption == "Ferries stay moored in Port Calder during the strike."
    assert photo.credit == "Meridian / Lin Tamsa"


def test_an_invalid_ninjs_item_is_skipped_and_the_rest_kept():
    result = parse(fixture("meridian.json"), "ninjs")
    assert len(result.items) == 2
    (skip,) = [p for p in result.problems if p.kind == "skipped"]
    assert "'uri' is a required property" in skip.reason


def test_ninjs_is_checked_against_iptc_schema():
    assert ninjs_errors({"uri": "urn:x:1", "headline": "Fine"}) == []
    errors = ninjs_errors({"uri": "urn:x:1", "pubstatus": "gone", "headline": 4})
    assert any("pubstatus" in e for e in errors)
    assert any("headline" in e for e in errors)
    assert ninjs_errors({"uri": "urn:x:1", "unknown_field": 1})


def test_ninjs_kill_is_read_as_canceled():
    (item,) = parse(fixture("meridian-kill.json"), "ninjs").items
    assert item.status == "canceled"
    assert item.version == "2"


def test_newsml_text_items_are_read_and_pictures_skipped():
    result = parse(fixture("calder.xml"), "newsml")
    (item,) = result.items
    assert item.guid == "urn:calderpress:2026:881"
    assert item.version == "3"
    assert item.byline == "Oren Vask"
    assert item.dateline == "PORT CALDER"
    assert item.credit == "Calder Press Service"
    assert item.usage_terms == "No archiving"
    assert item.first_created == datetime.datetime(2026, 11, 16, 9, tzinfo=datetime.UTC)
    assert "Mara Velt" in item.body_text
    assert "<p>" in item.body_html and "html:" not in item.body_html
    assert "not a story" in result.problems[0].reason


def test_newsml_kill_status():
    data = fixture("calder.xml").replace(b"stat:usable", b"stat:canceled")
    assert parse(data, "newsml").items[0].status == "canceled"


def test_newsml_refuses_external_entities(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me")
    data = fixture("calder.xml").replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret}">]>'.encode(),
    )
    data = data.replace(b"<by>Oren Vask</by>", b"<by>&s;</by>")
    result = parse(data, "newsml")
    assert all("do not read me" not in i.byline for i in result.items)


def test_a_malformed_feed_is_refused_whole():
    with pytest.raises(FeedError, match="not a readable feed"):
        parse(fixture("broken.rss"), "rss")
    with pytest.raises(FeedError, match="not JSON"):
        parse(b"{oops", "ninjs")
    with pytest.raises(FeedError, match="not well-formed"):
        parse(b"<newsItem", "newsml")


def test_a_huge_feed_is_refused_before_parsing():
    with pytest.raises(FeedError, match="more than"):
        parse(b" " * (MAX_FEED_BYTES + 1), "rss")


def test_a_feed_in_a_wrong_encoding_is_still_read():
    # Declared UTF-8, actually Latin-1: feedparser falls back and we keep the items.
    data = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        "<item><guid>urn:x:caf\xe9</guid><title>Caf\xe9 owners in Besk count the cost</title>"
        "<description>Water reached the caf\xe9 floors.</description></item></channel></rss>"
    ).encode("latin-1")
    result = parse(data, "rss")
    assert len(result.items) == 1
    assert "Besk" in result.items[0].headline


def test_formats_are_sniffed_for_the_command_line():
    assert sniff_format(fixture("meridian.json")) == "ninjs"
    assert sniff_format(fixture("calder.xml")) == "newsml"
    assert sniff_format(fixture("harborline.atom")) == "atom"
    assert sniff_format(fixture("northwind.rss")) == "rss"


def test_plain_text_becomes_paragraphs():
    assert clean_html("One.\n\nTwo & three.") == "<p>One.</p><p>Two &amp; three.</p>"
