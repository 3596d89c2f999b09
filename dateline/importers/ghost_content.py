"""Ghost's stored content, Lexical (Ghost 5 on) or Mobiledoc (Ghost 1 to 4), as body blocks.

Both are JSON documents: Lexical a tree of nodes, Mobiledoc sections over shared
lists of markups, atoms and cards. Each top-level node or section becomes the
blocks the WordPress import's BodyBuilder would make of the same HTML; a card
Dateline has no block for is kept as cleaned HTML (or dropped) and reported, with
the BodyBuilder's own ``unknown``. Our own walker: Ghost's renderers are JavaScript.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markdown_it import MarkdownIt

from dateline.importers.content import BodyBuilder, Converted, clean_inline

# Lexical's text format bits (lexical/src/LexicalConstants.ts).
BOLD, ITALIC = 1, 2
# Mobiledoc's section type ids (mobiledoc-kit's renderers, format 0.3).
MARKUP_SECTION, IMAGE_SECTION, LIST_SECTION, CARD_SECTION = 1, 2, 3, 10
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
QUOTES = {"blockquote", "aside", "quote", "extended-quote"}
INLINE = {"strong": "b", "b": "b", "em": "i", "i": "i"}


def _plain(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup or "")).split())


def _esc(text: str) -> str:
    return html.escape(text or "", quote=False)


class CardReader:
    """What Lexical's decorator nodes and Mobiledoc's cards share: the same payloads."""

    def __init__(self, builder: BodyBuilder, out: Converted, where: str) -> None:
        self.builder = builder
        self.out = out
        self.where = where  # "Lexical" or "Mobiledoc", for the report

    def paragraph(self, inline: str) -> None:
        body = clean_inline(inline)
        if body.replace("<br>", "").strip():
            self.builder.add(self.out, "paragraph", f"<p>{body}</p>")

    def heading(self, inline: str) -> None:
        text = _plain(inline)
        if text:
            self.builder.add(self.out, "subhead", text)

    def quote(self, inline: str) -> None:
        text = "\n\n".join(p for p in (_plain(x) for x in inline.split("<br>")) if p)
        if text:
            self.builder.add(self.out, "quote", {"text": text, "speaker": "", "role": ""})

    def listing(self, ordered: bool, items: list[str]) -> None:
        tag = "ol" if ordered else "ul"
        listed = "".join(f"<li>{clean_inline(i)}</li>" for i in items if clean_inline(i))
        if listed:
            self.builder.add(self.out, "paragraph", f"<{tag}>{listed}</{tag}>")

    def image(self, src: str, alt: str = "", caption: str = "") -> None:
        found = self.builder.find_photo(src or "", alt or "")
        if found is None:
            self.out.missing_images.append(src or "(an image without a src)")
        else:
            self.builder.add(self.out, "photo", {"image": found, "caption": _plain(caption)[:255]})

    def card(self, name: str, payload: dict[str, Any]) -> None:
        if name == "image":
            self.image(payload.get("src", ""), payload.get("alt", ""), payload.get("caption", ""))
        elif name == "gallery":
            for image in payload.get("images") or []:
                self.image(image.get("src", ""), image.get("alt", ""), image.get("caption", ""))
            if payload.get("caption"):
                self.paragraph(f"<i>{payload['caption']}</i>")
        elif name == "embed":
            url = payload.get("url", "")
            if url:
                self.builder.add(self.out, "embed", url)
            else:
                self.unknown(name, payload)
        elif name in ("hr", "horizontalrule"):
            self.out.notes.append("separator left out (Dateline bodies have no divider)")
        elif name == "html":
            self.builder.html(payload.get("html", ""), self.out)
        elif name in ("markdown", "card-markdown"):
            rendered = MarkdownIt("commonmark").render(payload.get("markdown", ""))
            self.builder.html(rendered, self.out)
        else:
            self.unknown(name, payload)

    def unknown(self, name: str, payload: dict[str, Any]) -> None:
        """A card with no Dateline block, as what it shows: its HTML, text and link."""
        parts = []
        for key in ("html", "heading", "calloutText", "content", "code", "caption", "title"):
            value = payload.get(key)
            if isinstance(value, str) and value.strip():
                parts.append(f"<pre>{_esc(value)}</pre>" if key == "code" else value)
        url = payload.get("url") or payload.get("src") or payload.get("buttonUrl")
        if isinstance(url, str) and url:
            title = (payload.get("metadata") or {}).get("title") or payload.get("buttonText")
            parts.append(f'<a href="{html.escape(url)}">{_esc(title or url)}</a>')
        self.builder.unknown(
            f"{self.where} card {name}", "<div>" + "".join(parts) + "</div>", self.out
        )


# Lexical ------------------------------------------------------------------------


def lexical_inline(nodes: list[dict[str, Any]]) -> str:
    out = []
    for node in nodes or []:
        kind = node.get("type", "")
        if kind in ("text", "extended-text", "tk"):
            text = _esc(node.get("text", ""))
            fmt = node.get("format", 0) if isinstance(node.get("format"), int) else 0
            if fmt & ITALIC:
                text = f"<i>{text}</i>"
            if fmt & BOLD:
                text = f"<b>{text}</b>"
            out.append(text)
        elif kind == "linebreak":
            out.append("<br>")
        elif kind in ("link", "autolink"):
            href = html.escape(node.get("url", ""))
            out.append(f'<a href="{href}">{lexical_inline(node.get("children", []))}</a>')
        elif "children" in node:
            out.append(lexical_inline(node["children"]))
        elif "text" in node:
            out.append(_esc(str(node["text"])))
    return "".join(out)


def _list_items(node: dict[str, Any]) -> list[str]:
    items = []
    for item in node.get("children", []):
        inline = [c for c in item.get("children", []) if c.get("type") != "list"]
        if inline:
            items.append(lexical_inline(inline))
        for nested in (c for c in item.get("children", []) if c.get("type") == "list"):
            items += _list_items(nested)  # a nested list, flattened into its parent
    return items


def convert_lexical(document: dict[str, Any], builder: BodyBuilder) -> Converted:
    out = Converted()
    reader = CardReader(builder, out, "Lexical")
    for node in (document.get("root") or {}).get("children", []):
        kind = node.get("type", "")
        children = node.get("children", [])
        if kind == "paragraph":
            reader.paragraph(lexical_inline(children))
        elif kind in ("heading", "extended-heading"):
            reader.heading(lexical_inline(children))
        elif kind in QUOTES:
            reader.quote(lexical_inline(children))
        elif kind == "list":
            ordered = node.get("listType") == "number" or node.get("tag") == "ol"
            reader.listing(ordered, _list_items(node))
        else:
            reader.card(kind, node)
    return out


# Mobiledoc ----------------------------------------------------------------------


def mobiledoc_inline(markers: list[Any], markups: list[Any], atoms: list[Any]) -> str:
    out: list[str] = []
    open_tags: list[str] = []
    for marker in markers:
        kind, opens, closes, value = [*marker, 0, [], 0, ""][:4]
        for index in opens:
            tag, *rest = markups[index] if index < len(markups) else ["span"]
            attrs = rest[0] if rest else []
            name = INLINE.get(tag, "a" if tag == "a" else "")
            if name == "a":
                pairs = dict(zip(attrs[::2], attrs[1::2], strict=False))
                out.append(f'<a href="{html.escape(str(pairs.get("href", "")))}">')
            elif name:
                out.append(f"<{name}>")
            open_tags.append(name)
        if kind == 1:  # an atom: Ghost's soft-return is a line break
            atom = atoms[value] if isinstance(value, int) and value < len(atoms) else ["", "", {}]
            out.append("<br>" if atom[0] == "soft-return" else _esc(str(atom[1])))
        else:
            out.append(_esc(str(value)))
        for _ in range(min(closes, len(open_tags))):
            name = open_tags.pop()
            if name:
                out.append(f"</{name}>")
    out += [f"</{name}>" for name in reversed(open_tags) if name]
    return "".join(out)


def convert_mobiledoc(document: dict[str, Any], builder: BodyBuilder) -> Converted:
    out = Converted()
    reader = CardReader(builder, out, "Mobiledoc")
    markups = document.get("markups", [])
    atoms = document.get("atoms", [])
    cards = document.get("cards", [])
    for section in document.get("sections", []):
        kind = section[0] if section else None
        if kind == MARKUP_SECTION:
            tag, inline = section[1].lower(), mobiledoc_inline(section[2], markups, atoms)
            if tag in HEADINGS:
                reader.heading(inline)
            elif tag in QUOTES:
                reader.quote(inline)
            else:
                reader.paragraph(inline)
        elif kind == IMAGE_SECTION:
            reader.image(section[1])
        elif kind == LIST_SECTION:
            items = [mobiledoc_inline(item, markups, atoms) for item in section[2]]
            reader.listing(section[1].lower() == "ol", items)
        elif kind == CARD_SECTION:
            name, payload = (cards[section[1]] + [{}])[:2] if section[1] < len(cards) else ("", {})
            reader.card(name, payload or {})
        else:
            out.unknown.append(f"Mobiledoc section of type {kind}")
    return out
