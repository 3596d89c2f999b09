"""A story's HTML from another system as the blocks of an ArticlePage body.

Understands classic editor HTML (with WordPress's ``[caption]`` and ``[embed]``
shortcodes and its blank-line paragraphs) and Gutenberg block markup
(``<!-- wp:paragraph -->`` and friends). What has no Dateline block is kept as
sanitised HTML in a paragraph, or left out if the mapping says so, and is listed in
the report either way: nothing is dropped without a word.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import nh3
from lxml import html as lxml_html
from lxml.etree import ParserError

# What a body paragraph may hold (ArticleBody's paragraph: bold, italic, links).
_INLINE_TAGS = {"b", "i", "a", "br"}
_URL_SCHEMES = {"http", "https", "mailto"}
_BLOCK_START = re.compile(
    r"^\s*<(p|h[1-6]|ul|ol|blockquote|figure|div|table|hr|pre|img|iframe|script|style)\b", re.I
)
_GUTENBERG = re.compile(
    r"<!--\s+(/?)wp:([a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)\s+(\{.*?\}\s+)?(/?)-->", re.S
)
_CAPTION = re.compile(r"\[caption\b([^\]]*)\](.*?)\[/caption\]", re.S | re.I)
_EMBED = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.S | re.I)
_SHORTCODE = re.compile(r"\[([a-z_][a-z0-9_-]*)\b[^\]]*\]", re.I)
_BARE_URL = re.compile(r"^\s*(https?://\S+)\s*$", re.M)

# (src, alt) -> the photo's id, None when the image cannot be found.
PhotoFinder = Callable[[str, str], int | None]


@dataclass
class Converted:
    blocks: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # what was kept as HTML, or dropped
    missing_images: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class GutenbergBlock:
    name: str  # "" for classic HTML between blocks
    attrs: dict[str, Any]
    inner: str


def parse_gutenberg(text: str) -> list[GutenbergBlock]:
    """The top-level blocks of Gutenberg markup, each with its inner HTML.

    Our own reader rather than a library: the only parser WordPress maintains is PHP
    (and JavaScript), and top-level blocks with their comments are all we need.
    """
    found: list[GutenbergBlock] = []
    attrs: dict[str, Any] = {}
    depth, start, name, last = 0, 0, "", 0
    for match in _GUTENBERG.finditer(text):
        closing, block, raw_attrs, self_closing = match.groups()
        if depth == 0 and not closing:
            between = text[last : match.start()]
            if between.strip():
                found.append(GutenbergBlock("", {}, between))
            try:
                parsed = json.loads(raw_attrs) if raw_attrs else {}
            except json.JSONDecodeError:
                parsed = {}
            if self_closing:
                found.append(GutenbergBlock(block, parsed, ""))
                last = match.end()
                continue
            depth, start, name, attrs = 1, match.end(), block, parsed
        elif depth and not closing and not self_closing:
            depth += 1 if block == name else 0
        elif depth and closing and block == name:
            depth -= 1
            if depth == 0:
                found.append(GutenbergBlock(name, attrs, text[start : match.start()]))
                last = match.end()
    rest = text[last:] if depth == 0 else text[start:]
    if rest.strip():
        found.append(GutenbergBlock(name if depth else "", attrs if depth else {}, rest))
    return found


def strip_comments(text: str) -> str:
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


def expand_shortcodes(text: str) -> str:
    """WordPress's [caption] and [embed] as the HTML the block editor would write."""

    def caption(match: re.Match[str]) -> str:
        inner = match.group(2)
        image = re.search(r"(<a\b[^>]*>\s*)?<img\b[^>]*>(\s*</a>)?", inner, re.I)
        if not image:
            return inner
        text = (inner[: image.start()] + inner[image.end() :]).strip()
        attribute = re.search(r'caption="([^"]*)"', match.group(1))
        if not text and attribute:
            text = attribute.group(1)
        return f"<figure>{image.group(0)}<figcaption>{text}</figcaption></figure>"

    text = _CAPTION.sub(caption, text)
    return _EMBED.sub(
        lambda m: f'<figure class="wp-block-embed">{m.group(1).strip()}</figure>', text
    )


def autop(text: str) -> str:
    """Blank-line paragraphs as <p>, like WordPress's wpautop, for classic posts."""
    chunks = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    out = []
    for chunk in chunks:
        if not chunk.strip():
            continue
        if _BARE_URL.fullmatch(chunk.strip()):
            # WordPress embeds a URL alone on its line.
            out.append(f'<figure class="wp-block-embed">{chunk.strip()}</figure>')
        elif _BLOCK_START.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.strip().replace("\n", "<br>") + "</p>")
    return "\n".join(out)


def clean_inline(markup: str) -> str:
    markup = re.sub(r"<(/?)strong\b", r"<\1b", markup, flags=re.I)
    markup = re.sub(r"<(/?)em\b", r"<\1i", markup, flags=re.I)
    cleaned = nh3.clean(
        markup,
        tags=_INLINE_TAGS,
        attributes={"a": {"href"}},
        url_schemes=_URL_SCHEMES,
        link_rel=None,
    )
    return cleaned.strip()


def _outer(element: Any) -> str:
    return lxml_html.tostring(element, encoding="unicode", with_tail=False)


def _inner(element: Any) -> str:
    parts = [element.text or ""]
    parts += [lxml_html.tostring(child, encoding="unicode") for child in element]
    return "".join(parts)


def _text(element: Any) -> str:
    return " ".join(element.text_content().split())


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split())


class BodyBuilder:
    """Turns one story's HTML into body blocks; ``find_photo`` stores (or finds) images."""

    def __init__(self, find_photo: PhotoFinder, *, keep_unknown: bool = True) -> None:
        self.find_photo = find_photo
        self.keep_unknown = keep_unknown

    def convert(self, text: str) -> Converted:
        out = Converted()
        text = expand_shortcodes(text or "")
        if "<!-- wp:" in text:
            for block in parse_gutenberg(text):
                self.gutenberg(block, out)
        else:
            self.classic(text, out)
        for match in _SHORTCODE.finditer(" ".join(str(b["value"]) for b in out.blocks)):
            if match.group(1).lower() not in ("caption", "embed"):
                out.unknown.append(f"shortcode [{match.group(1)}]")
        return out

    # Gutenberg -------------------------------------------------------------------

    def gutenberg(self, block: GutenbergBlock, out: Converted) -> None:
        name = block.name.removeprefix("core/")
        inner = strip_comments(block.inner)
        if name == "":
            self.classic(block.inner, out)
        elif name in ("paragraph", "heading", "list", "quote", "pullquote", "image", "gallery"):
            self.html(inner, out, hint=name)
        elif name == "embed" or name.startswith("core-embed/"):
            url = block.attrs.get("url") or _first_url(inner)
            if url:
                self.add(out, "embed", url)
            else:
                self.unknown(f"embed without a URL ({block.name})", inner, out)
        elif name == "separator":
            out.notes.append("separator left out (Dateline bodies have no divider)")
        elif name == "spacer":
            out.notes.append("spacer left out")
        else:
            self.unknown(f"block wp:{block.name}", inner, out)

    # HTML ------------------------------------------------------------------------

    def classic(self, text: str, out: Converted) -> None:
        self.html(autop(strip_comments(text)), out)

    def html(self, text: str, out: Converted, hint: str = "") -> None:
        if not text.strip():
            return
        try:
            parts = lxml_html.fragments_fromstring(text)
        except (ParserError, ValueError):
            self.unknown("HTML that could not be read", text, out)
            return
        for part in parts:
            if isinstance(part, str):
                if part.strip():
                    self.add(out, "paragraph", f"<p>{clean_inline(part)}</p>")
                continue
            self.element(part, out, hint)
            if part.tail and part.tail.strip():
                self.add(out, "paragraph", f"<p>{clean_inline(part.tail)}</p>")

    def element(self, el: Any, out: Converted, hint: str = "") -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        classes = _classes(el)
        if tag == "p":
            images = el.findall(".//img")
            for image in images:
                self.photo(image, "", out)
                parent = image.getparent()
                (parent if parent.tag == "a" and parent is not el else image).drop_tree()
            body = clean_inline(_inner(el))
            if body.replace("<br>", "").strip():
                self.add(out, "paragraph", f"<p>{body}</p>")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            if _text(el):
                self.add(out, "subhead", _text(el))
        elif tag == "blockquote":
            self.quote(el, out)
        elif tag == "figure" and ("wp-block-pullquote" in classes or hint == "pullquote"):
            quote = el.find(".//blockquote")
            self.quote(quote if quote is not None else el, out)
        elif tag == "figure" and "wp-block-embed" in classes:
            url = _first_url(_inner(el))
            if url:
                self.add(out, "embed", url)
            else:
                self.unknown("embed without a URL", _outer(el), out)
        elif (
            tag in ("figure", "div")
            and el.find(".//img") is not None
            and (tag == "figure" or "wp-caption" in classes or "gallery" in " ".join(classes))
        ):
            caption_el = el.find(".//figcaption")
            if caption_el is None:
                caption_el = el.find(".//*[@class='wp-caption-text']")
            images = el.findall(".//img")
            for image in images:
                own = image.getparent()
                own_caption = None
                while own is not None and own is not el:
                    if own.tag in ("figure", "li"):
                        own_caption = own.find(".//figcaption")
                        break
                    own = own.getparent()
                if own_caption is not None:
                    caption = _text(own_caption)
                elif len(images) == 1 and caption_el is not None:
                    caption = _text(caption_el)
                else:
                    caption = ""
                self.photo(image, caption, out)
            if len(images) > 1 and caption_el is not None and caption_el.getparent() is el:
                # A gallery's own caption, under all its photos.
                self.add(out, "paragraph", f"<p><i>{clean_inline(_inner(caption_el))}</i></p>")
        elif tag == "img":
            self.photo(el, "", out)
        elif tag == "a" and el.find(".//img") is not None:
            for image in el.findall(".//img"):
                self.photo(image, "", out)
        elif tag in ("ul", "ol"):
            items = [clean_inline(_inner(li)) for li in el.findall("li")]
            listed = "".join(f"<li>{item}</li>" for item in items if item)
            if listed:
                self.add(out, "paragraph", f"<{tag}>{listed}</{tag}>")
        elif tag == "hr":
            out.notes.append("separator left out (Dateline bodies have no divider)")
        elif tag in ("b", "strong", "i", "em", "a", "span", "br"):
            body = clean_inline(_outer(el))
            if body:
                self.add(out, "paragraph", f"<p>{body}</p>")
        else:
            self.unknown(f"HTML <{tag or 'comment'}>", _outer(el), out)

    def quote(self, el: Any, out: Converted) -> None:
        cite = el.find(".//cite")
        speaker = ""
        if cite is not None:
            speaker = _text(cite).lstrip("\u2014\u2013- ").strip()
            cite.drop_tree()
        paragraphs = [_text(p) for p in el.findall(".//p")] or [_text(el)]
        text = "\n\n".join(p for p in paragraphs if p)
        if text:
            self.add(out, "quote", {"text": text, "speaker": speaker, "role": ""})

    def photo(self, image: Any, caption: str, out: Converted) -> None:
        src = image.get("src") or ""
        found = self.find_photo(src, image.get("alt") or "")
        if found is None:
            out.missing_images.append(src or "(an image without a src)")
            return
        self.add(out, "photo", {"image": found, "caption": caption[:255]})

    def unknown(self, what: str, markup: str, out: Converted) -> None:
        out.unknown.append(what)
        if not self.keep_unknown:
            return
        cleaned = nh3.clean(markup, url_schemes=_URL_SCHEMES).strip()
        if cleaned:
            self.add(out, "paragraph", cleaned)

    @staticmethod
    def add(out: Converted, kind: str, value: Any) -> None:
        out.blocks.append({"type": kind, "value": value})


def _first_url(markup: str) -> str:
    found = re.search(r"""(?:src|href)=["'](https?://[^"']+)|(https?://[^\s<"']+)""", markup)
    if not found:
        return ""
    return found.group(1) or found.group(2)
