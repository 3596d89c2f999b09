"""Sanitised comments never run script in Chromium.

A corpus of script-injection attempts (our own list of the usual tricks: script
tags, event handlers, javascript: and data: URLs hidden by entities, case and
whitespace, SVG and MathML, and every Markdown link, image, reference and autolink
form) is posted as comments through the site's own endpoint, one through the form
itself, and the article is rendered in Chromium. No dialog may open, and no on*
attribute and no javascript:/data:/vbscript: URL may reach the DOM.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dateline.comments.models import Comment
from tests.browser.conftest import Newsroom
from tests.comments.helpers import old_stamp

VECTORS = [
    "<script>alert('script tag')</script>",
    "<SCRIPT SRC=//example.invalid/x.js></SCRIPT>",
    "<img src=x onerror=alert('img onerror')>",
    "<svg onload=alert('svg onload')>",
    "<svg><script>alert('svg script')</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">svg link</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('mathml')>",
    '<math href="javascript:alert(1)">math link</math>',
    '<a href="javascript:alert(1)">html link</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab entity</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)">hex</a>',
    "<iframe src=\"javascript:alert('iframe')\"></iframe>",
    "<details open ontoggle=alert('details')>",
    "<body onload=alert('body')>",
    "<input autofocus onfocus=alert('autofocus')>",
    "<object data=\"javascript:alert('object')\"></object>",
    '<form action="javascript:alert(1)"><button>form</button></form>',
    "<style>@import 'javascript:alert(1)';</style>",
    '"><script>alert("attribute break")</script>',
    "'><img src=x onerror=alert(2)>",
    "[markdown link](javascript:alert(1))",
    "[mixed case](JaVaScRiPt:alert(1))",
    "[entity colon](javascript&#58;alert(1))",
    "[entity letter](&#106;avascript:alert(1))",
    "[leading space]( javascript:alert(1))",
    "[angle brackets](<javascript:alert(1)>)",
    "[escaped](javascript\\:alert(1))",
    "[data url](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[vbscript](vbscript:msgbox(1))",
    '[title break](https://example.org "t" onclick="alert(1)")',
    "![markdown image](javascript:alert(1))",
    '![image attr](https://example.org/x.png" onerror="alert(1))',
    "![image](https://example.org/x.png)",
    "[reference][r]\n\n[r]: javascript:alert(1)",
    "[data reference][d]\n\n[d]: data:text/html,<script>alert(1)</script>",
    "<javascript:alert(1)>",
    '<https://example.org/" onmouseover="alert(1)>',
    "`<script>alert('in code')</script>`",
    "    <script>alert('indented code')</script>",
    "**<img src=x onerror=alert('bold')>**",
    "> <svg/onload=alert('quote')>",
    "<a href='https://example.org' onmouseover='alert(1)'>handler on a good link</a>",
]

# Every attribute of every element, and every URL attribute, in the whole document.
DOM_PROBLEMS = """() => {
  const problems = [];
  const bad = /^\\s*(javascript|data|vbscript):/i;
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith("on")) problems.push(el.tagName + " " + attr.name);
      if (bad.test(attr.value.replace(/[\\u0000-\\u0020]/g, ""))) {
        problems.push(el.tagName + " " + attr.name + "=" + attr.value);
      }
    }
  }
  // What a comment may contain at all: render.py's list.
  const allowed = new Set(["P", "BR", "EM", "STRONG", "A", "BLOCKQUOTE", "CODE", "PRE"]);
  for (const el of document.querySelectorAll("#comments .comment-body *")) {
    if (!allowed.has(el.tagName)) problems.push("element " + el.tagName);
  }
  for (const el of document.querySelectorAll("#comments .comment-meta *")) {
    if (!["STRONG", "A", "TIME"].includes(el.tagName)) problems.push("element " + el.tagName);
  }
  return problems;
}"""


@pytest.fixture
def open_thread(settings: Any) -> None:
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_MAX_LINKS = 100
    settings.COMMENTS_PER_IP_PER_HOUR = 0
    settings.COMMENTS_PER_ADDRESS_PER_HOUR = 0
    settings.COMMENTS_MIN_FORM_SECONDS = 0
    settings.COMMENTS_BANNED_WORDS = []


def test_no_xss_vector_runs_script_or_reaches_the_dom(
    page: Page, new_page: Callable[..., Page], newsroom: Newsroom, open_thread: None
) -> None:
    article = newsroom.top_stories[0]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    for number, vector in enumerate(VECTORS):
        response = page.request.post(
            "/comments/post/",
            form={
                "article": str(article.pk),
                # The name is shown too, so it carries a vector of its own.
                "name": f"<img src=x onerror=alert('name {number}')>",
                "email": f"reader{number}@example.org",
                "body": vector,
                "stamp": old_stamp(),
                "website": "",
            },
            headers={"Accept": "application/json"},
        )
        assert response.status == 201, (vector, response.text())
    # And one through the form on the page, as a reader (or a bot driving a browser) would.
    page.goto(newsroom.url(article))
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("Form poster")
    form.get_by_label("Email", exact=True).fill("form@example.org")
    form.get_by_label("Comment").fill('<img src=x onerror=alert("form")> [x](javascript:alert(2))')
    form.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is published.")).to_be_visible()

    assert Comment.objects.filter(article=article).count() == len(VECTORS) + 1

    # Another reader (this browser may keep its own copy of the page for a minute).
    page = new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for url in (newsroom.url(article), newsroom.url(article) + "?sort=newest"):
        page.goto(url)
        expect(page.locator(".comment")).to_have_count(len(VECTORS) + 1)
        # Anything that would fire on hover or focus gets its chance.
        for link in page.locator("#comments .comment-body a").all():
            link.hover()
            link.focus()
        page.wait_for_timeout(300)
        assert page.evaluate(DOM_PROBLEMS) == []
    # The comments feed is XML, but a browser may still be pointed at it.
    page.goto(f"/comments/{article.pk}/atom.xml")
    page.wait_for_timeout(200)
    assert dialogs == []
