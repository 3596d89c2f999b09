"""ninjs 1.x, 2.x and 3.x: each item checked against its own version's schema and read."""

import datetime

import jsonschema
import pytest

from dateline.wire.formats import ninjs, ninjs_errors, parse
from tests.wire.conftest import fixture

UTC = datetime.UTC


def by_guid(result):
    return {item.guid: item for item in result.items}


def skipped(result):
    return {p.guid: p.reason for p in result.problems if p.kind == "skipped"}


@pytest.mark.parametrize("major", [1, 2, 3])
def test_each_major_version_uses_iptcs_published_schema(major):
    published = ninjs.schema(major)
    assert published["$id"].startswith("http://www.iptc.org/std/ninjs/ninjs-schema_")
    assert published["$id"].endswith(f"{ninjs.SCHEMA_FILES[major].removeprefix('ninjs-schema_')}#")
    jsonschema.validators.validator_for(published).check_schema(published)


STORY = {"uri": "urn:glass:1", "type": "text", "pubstatus": "usable"}
V2_TEXTS = {
    "headlines": [{"role": "main", "value": "Glass prize goes to Orvik maker"}],
    "bodies": [{"role": "main", "contenttype": "text/html", "value": "<p>Orvik wins.</p>"}],
}


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        # 1.x: valid; then a 2.x-only property, an unknown status, no uri.
        ({**STORY, "headline": "Glass prize", "body_html": "<p>Orvik wins.</p>"}, None),
        ({**STORY, "headline": "Glass prize", "slugline": "glass"}, None),
        ({**STORY, "headline": "x", "standard": {"version": "1.6"}, "bodies": []}, "bodies"),
        ({**STORY, "headline": "x", "pubstatus": "gone"}, "'gone' is not one of"),
        ({"headline": "no uri", "standard": {"version": "1.5"}}, "'uri' is a required property"),
        # 2.x: valid; then a 1.x-only property, a headline without a value, a bad rendition.
        ({**STORY, **V2_TEXTS, "standard": {"name": "ninjs", "version": "2.2"}}, None),
        ({**STORY, **V2_TEXTS, "renditions": [{"name": "original", "href": "https://x/1"}]}, None),
        ({**STORY, **V2_TEXTS, "standard": {"version": "2.0"}, "byline": "A"}, "'byline'"),
        ({**STORY, "headlines": [{"role": "main"}]}, "'value' is a required property"),
        ({**STORY, **V2_TEXTS, "renditions": [{"name": "o", "width": "wide"}]}, "'wide'"),
        # 3.x: valid; then 2.x spelling, a wrong type, an association without a uri.
        (
            {
                "uri": "urn:glass:3",
                "type": "text",
                "pubStatus": "usable",
                "versionCreated": "2026-12-09T18:00:00Z",
                **V2_TEXTS,
                "bodies": [{"role": "main", "contentType": "text/html", "value": "<p>x</p>"}],
            },
            None,
        ),
        ({"uri": "u", "pubStatus": "usable", "versioncreated": "x"}, "'versioncreated'"),
        ({"uri": "u", "pubStatus": "usable", "type": "poem"}, "'poem' is not one of"),
        ({"uri": "u", "pubStatus": "usable", "associations": [{"name": "a"}]}, "'uri'"),
    ],
    ids=[
        "1-valid",
        "1-valid-slugline",
        "1-v2-property",
        "1-bad-status",
        "1-no-uri",
        "2-valid",
        "2-valid-rendition",
        "2-v1-property",
        "2-headline-without-value",
        "2-bad-rendition-width",
        "3-valid",
        "3-v2-spelling",
        "3-bad-type",
        "3-association-without-uri",
    ],
)
def test_valid_and_invalid_items_of_each_version(obj, expected):
    errors = ninjs_errors(obj)
    if expected is None:
        assert errors == []
    else:
        assert errors and any(expected in e for e in errors), errors


@pytest.mark.parametrize(
    ("obj", "major"),
    [
        ({"uri": "u", "headline": "A 1.x item"}, 1),
        ({"uri": "u", "standard": {"name": "ninjs", "version": "1.5"}}, 1),
        ({"uri": "u", "headlines": [{"value": "x"}]}, 2),
        ({"uri": "u", "renditions": [{"name": "original"}]}, 2),
        ({"uri": "u", "versionCreated": "2026-11-19T12:00:00Z"}, 3),
        # What the item says of itself wins over its shape.
        ({"uri": "u", "headline": "x", "standard": {"version": "2.0"}}, 2),
        ({"uri": "u", "standard": {"name": "ninjs", "version": "3.1"}}, 3),
        ("not an object", 1),
    ],
)
def test_the_version_comes_from_standard_else_from_the_shape(obj, major):
    assert ninjs.version_of(obj) == major


def test_each_version_is_checked_against_its_own_schema():
    # Valid 1.x; the same item declaring 2.0 has a property 2.x does not define.
    assert ninjs_errors({"uri": "urn:x:1", "headline": "Fine"}) == []
    errors = ninjs_errors({"uri": "urn:x:1", "headline": "Fine", "standard": {"version": "2.0"}})
    assert errors and "'headline' was unexpected" in errors[0]
    # 2.x spelling is right in 2.x and wrong in 3.x, and the other way round.
    v2 = {"uri": "urn:x:2", "versioncreated": "2026-11-19T12:00:00Z", "pubstatus": "usable"}
    assert ninjs_errors({**v2, "standard": {"version": "2.1"}}) == []
    assert ninjs_errors({**v2, "standard": {"version": "3.0"}})
    v3 = {"uri": "urn:x:3", "versionCreated": "2026-11-19T12:00:00Z", "pubStatus": "usable"}
    assert ninjs_errors(v3) == []
    assert ninjs_errors({**v3, "standard": {"version": "2.1"}})
    assert any("uri" in e for e in ninjs_errors({"headlines": [{"value": "no uri"}]}))


def test_an_unsupported_version_is_refused_by_name():
    assert ninjs_errors({"uri": "urn:x:4", "standard": {"version": "4.0"}}) == [
        "(item): ninjs 4.x is not supported (1.x, 2.x and 3.x are)"
    ]


def test_ninjs_2_item_is_read_with_its_main_headline_html_body_and_picture():
    result = parse(fixture("solvane-ninjs2.json"), "ninjs")
    item = by_guid(result)["urn:solvane:text:2026-1187"]
    assert item.headline == "Fire guts Orvik tram depot; morning services cut to half"
    assert item.version == "3"
    assert item.byline == "Mira Holst"
    assert item.dateline == "ORVIK"
    assert item.first_created == datetime.datetime(2026, 11, 18, 5, 40, tzinfo=UTC)
    assert item.version_created == datetime.datetime(2026, 11, 18, 7, 15, tzinfo=UTC)
    assert item.original_source == "Solvane Wire Service"
    assert item.credit == "Solvane Wire Service"
    assert item.copyright == "© 2026 Solvane Wire Service"
    assert item.usage_terms == "No archiving"
    # Of a plain and an HTML body, the HTML one (it keeps the paragraphs).
    assert item.body_html.startswith("<p>A fire destroyed eleven trams")
    assert "Anselm Brede" in item.body_text
    (photo,) = item.images
    assert photo.href == "https://solvane.example/pictures/5520.jpg"  # original, not thumbnail
    assert photo.caption == "Burnt-out trams in the Orvik depot on Wednesday morning."
    assert photo.credit == "Solvane / Pell Arnsk"


def test_ninjs_2_kill_and_invalid_items():
    result = parse(fixture("solvane-ninjs2.json"), "ninjs")
    assert by_guid(result)["urn:solvane:text:2026-1190"].status == "canceled"
    reasons = skipped(result)
    assert set(reasons) == {"urn:solvane:text:2026-1191", "urn:solvane:text:2026-1192"}
    assert "headlines/0: 'value' is a required property" in reasons["urn:solvane:text:2026-1191"]
    assert "'body_html' was unexpected" in reasons["urn:solvane:text:2026-1192"]


def test_ninjs_3_item_is_read_from_its_camel_case_properties():
    result = parse(fixture("tollan-ninjs3.json"), "ninjs")
    item = by_guid(result)["urn:tollan:story:77-4410"]
    assert item.headline == "Besk river breaks its banks after three days of rain"
    assert item.byline == "Jonas Ferre"
    assert item.dateline == "BESK"
    assert item.version_created == datetime.datetime(2026, 11, 19, 10, 30, tzinfo=UTC)
    assert item.first_created == datetime.datetime(2026, 11, 19, 10, 5, tzinfo=UTC)
    assert item.status == "usable"
    assert item.credit == "Tollan Press Agency"
    assert item.usage_terms == "Editorial use only"
    assert item.original_source == "Tollan Press Agency"
    # A plain-text body becomes paragraphs.
    assert item.body_html.count("<p>") == 2
    assert "mayor Edda Lunn said" in item.body_text
    (photo,) = item.images
    assert photo.href == "https://tollan.example/img/9031.jpg"
    assert photo.caption == "Sandbags at the Besk market square."
    assert photo.credit == "Tollan Press Agency"


def test_ninjs_3_items_that_break_the_schema_are_skipped_with_its_reasons():
    result = parse(fixture("tollan-ninjs3.json"), "ninjs")
    assert list(by_guid(result)) == ["urn:tollan:story:77-4410"]
    reasons = skipped(result)
    assert "pubStatus: 'gone' is not one of" in reasons["urn:tollan:story:77-4411"]
    assert "'versioncreated' was unexpected" in reasons["urn:tollan:story:77-4412"]
    assert "associations/0: 'uri' is a required property" in reasons["urn:tollan:story:77-4413"]


def test_one_file_may_mix_versions():
    mixed = (
        b'[{"uri": "urn:m:1", "headline": "One"},'
        b' {"uri": "urn:m:2", "headlines": [{"value": "Two"}]},'
        b' {"uri": "urn:m:3", "headlines": [{"value": "Three"}], "pubStatus": "withheld"}]'
    )
    items = parse(mixed, "ninjs").items
    assert [(i.headline, i.status) for i in items] == [
        ("One", "usable"),
        ("Two", "usable"),
        ("Three", "withheld"),
    ]
