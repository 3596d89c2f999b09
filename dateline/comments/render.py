"""Comment Markdown to safe HTML: a small Markdown subset, then nh3 (ammonia).

markdown-it-py turns paragraphs, emphasis, links, quotes, lists and code into HTML with
raw HTML and images switched off; nh3 then keeps only the tags that subset makes,
only http, https and mailto links, and stamps every link rel="ugc nofollow noopener".
Either alone would do today; both means a bug in one is not yet a hole.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(
    ["image", "heading", "lheading", "html_block", "html_inline", "hr", "table"],
    ignoreInvalid=True,
)

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "blockquote", "code", "pre", "ul", "ol", "li"}
LINK_REL = "ugc nofollow noopener"
# Counted in what was typed, so a bare address counts as much as a Markdown link.
_LINK = re.compile(r"(?i)(?:https?:|mailto:|ftp:|www\.)")


def render_markdown(text: str) -> str:
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        # A numbered list that starts at 3 says so ("3. ...").
        attributes={"a": {"href"}, "ol": {"start"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def count_links(text: str) -> int:
    return len(_LINK.findall(text))
