"""HTML and Gutenberg markup to body blocks, without a database."""

from __future__ import annotations

from dateline.importers.content import BodyBuilder, parse_gutenberg


def convert(text: str, keep: bool = True, photos: dict[str, int] | None = None):
    known = photos or {}
    return BodyBuilder(lambda src, alt: known.get(src), keep_unknown=keep).convert(text)


def test_gutenberg_top_level_blocks_with_nested_ones_inside():
    blocks = parse_gutenberg(
        "<!-- wp:quote --><blockquote><!-- wp:paragraph --><p>a</p><!-- /wp:paragraph -->"
        "</blockquote><!-- /wp:quote --><!-- wp:separator /--><p>loose</p>"
    )
    assert [b.name for b in blocks] == ["quote", "separator", ""]
    assert "<!-- wp:paragraph -->" in blocks[0].inner


def test_unknown_blocks_are_kept_cleaned_or_dropped_but_always_listed():
    markup = (
        '<!-- wp:acme/poll {"id":3} --><div onclick="x()">Vote <b>now</b>'
        '<iframe src="https://poll.example"></iframe></div><!-- /wp:acme/poll -->'
    )
    kept = convert(markup)
    assert kept.unknown == ["block wp:acme/poll"]
    assert kept.blocks == [{"type": "paragraph", "value": "<div>Vote <b>now</b></div>"}]
    dropped = convert(markup, keep=False)
    assert dropped.unknown == ["block wp:acme/poll"] and dropped.blocks == []


def test_a_missing_image_is_listed_and_the_rest_kept():
    out = convert('<p>Before</p><figure><img src="/wp-content/uploads/x.jpg"></figure><p>After</p>')
    assert [b["type"] for b in out.blocks] == ["paragraph", "paragraph"]
    assert out.missing_images == ["/wp-content/uploads/x.jpg"]


def test_an_image_inside_a_paragraph_becomes_a_photo_after_its_text():
    out = convert(
        '<p>Text <a href="/big.jpg"><img src="/small.jpg"></a> more</p>', photos={"/small.jpg": 9}
    )
    assert out.blocks[0] == {"type": "photo", "value": {"image": 9, "caption": ""}}
    assert out.blocks[1]["value"] == "<p>Text  more</p>"


def test_links_keep_only_safe_schemes():
    out = convert('<p><a href="javascript:alert(1)">x</a> <a href="https://ok.example">y</a></p>')
    assert out.blocks[0]["value"] == '<p><a>x</a> <a href="https://ok.example">y</a></p>'


def test_caption_shortcode_with_the_caption_as_attribute():
    out = convert(
        '[caption id="a" caption="From the pier"]<img src="/p.jpg" />[/caption]',
        photos={"/p.jpg": 3},
    )
    assert out.blocks == [{"type": "photo", "value": {"image": 3, "caption": "From the pier"}}]
