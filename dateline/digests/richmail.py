"""Editors' rich text (the digest's introduction) as mail HTML and as readable plain text.

The text is Wagtail's, expanded with ``expand_db_html`` (page links become their
URLs). Both forms are then built anew from what a mail needs: paragraphs, line
breaks, bold, italic and links, every text escaped and every link made absolute
(and counted, through ``link``). Anything else in the stored HTML (a script typed
into the database, an unknown tag) is left out, so the result is safe to put in
the mail as it is.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable
from html.parser import HTMLParser

from django.utils.safestring import SafeString
from wagtail.rich_text import expand_db_html
from wagtail.whitelist import check_url

# What the mail keeps, as the tag it is written with.
INLINE = {"b": "strong", "strong": "strong", "i": "em", "em": "em"}
BLOCKS = {"p", "h2", "h3", "h4", "li"}
# Content dropped with its tag.
DROPPED = {"script", "style", "template", "iframe", "object"}
WIDTH = 72


class _Reader(HTMLParser):
    """Walks the expanded HTML once, writing the kept HTML and the plain text side by side."""

    def __init__(self, link: Callable[[str], str]) -> None:
        super().__init__(convert_charrefs=True)
        self.link = link
        self.html: list[str] = []
        self.paragraphs: list[str] = []
        self.text: list[str] = []
        self.open: list[str] = []  # the kept tags open now, innermost last
        self.href: str | None = None
        self.anchor: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag in BLOCKS:
            self._end_paragraph()
            self.html.append("<p>")
            self.open.append("p")
        elif tag == "br":
            self.html.append("<br>")
            self.text.append("\n")
        elif tag in INLINE:
            self.html.append(f"<{INLINE[tag]}>")
            self.open.append(INLINE[tag])
        elif tag == "a":
            url = check_url(dict(attrs).get("href") or "")
            self.href = self.link(url) if url else None
            self.anchor = []
            self.html.append(f'<a href="{html.escape(self.href)}">' if self.href else "<a>")
            self.open.append("a")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        kept = "p" if tag in BLOCKS else INLINE.get(tag, tag)
        if kept not in self.open:
            return
        while self.open:  # close what the stored HTML left open inside it
            inner = self.open.pop()
            self.html.append(f"</{inner}>")
            if inner == "a":
                self._end_link()
            if inner == kept:
                break
        if kept == "p":
            self._end_paragraph()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        self.html.append(html.escape(data, quote=False))
        self.text.append(data)
        if "a" in self.open:
            self.anchor.append(data)

    def _end_link(self) -> None:
        words = " ".join("".join(self.anchor).split())
        if self.href and words != self.href:
            self.text.append(f" ({self.href})")
        self.href = None

    def _end_paragraph(self) -> None:
        lines = "".join(self.text).split("\n")
        words = "\n".join(" ".join(line.split()) for line in lines).strip()
        if words:
            self.paragraphs.append(
                "\n".join(
                    textwrap.fill(line, WIDTH, break_long_words=False, break_on_hyphens=False)
                    for line in words.split("\n")
                )
            )
        self.text = []

    def finish(self) -> tuple[str, str]:
        self.close()
        while self.open:
            self.handle_endtag(self.open[-1])
        self._end_paragraph()
        return "".join(self.html), "\n\n".join(self.paragraphs)


def _read(source: str, link: Callable[[str], str]) -> tuple[str, str]:
    if not source.strip():
        return "", ""
    reader = _Reader(link)
    reader.feed(expand_db_html(source))
    return reader.finish()


def mail_html(source: str, link: Callable[[str], str]) -> SafeString:
    """The rich text as mail HTML: only the tags above, text escaped, links through ``link``."""
    kept, _text = _read(source, link)
    # Built from escaped text and tags of our own (_Reader), never the stored HTML as it is.
    return SafeString(kept)  # nosec B703


def mail_text(source: str, link: Callable[[str], str]) -> str:
    """The rich text as plain text: paragraphs wrapped, each link's URL after its words."""
    return _read(source, link)[1]
