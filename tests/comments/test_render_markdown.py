"""dateline/comments/render.py: the Markdown subset commenters write."""

from __future__ import annotations

from dateline.comments.render import render_markdown


def test_a_bulleted_list_becomes_a_list():
    html = render_markdown("What the council missed:\n\n- the night ferry\n- the *school* run")
    assert html == (
        "<p>What the council missed:</p>\n"
        "<ul>\n<li>the night ferry</li>\n<li>the <em>school</em> run</li>\n</ul>"
    )


def test_a_numbered_list_keeps_its_first_number():
    html = render_markdown("3. dredge the harbour\n4. reopen the quay")
    assert html == '<ol start="3">\n<li>dredge the harbour</li>\n<li>reopen the quay</li>\n</ol>'


def test_a_list_item_cannot_carry_markup_of_its_own():
    html = render_markdown('- <b onclick="x()">bold</b>\n- [link](javascript:alert(1))')
    assert html.startswith("<ul>\n<li>&lt;b onclick")  # shown as typed, not obeyed
    assert "<a" not in html


def test_headings_and_rules_stay_plain_text():
    assert render_markdown("# Shouting") == "<p># Shouting</p>"
    assert "<hr" not in render_markdown("one\n\n---\n\ntwo")
