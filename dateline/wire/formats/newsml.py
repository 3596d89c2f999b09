"""NewsML-G2 text items: a ``newsItem``, or a ``newsMessage`` carrying several."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils import timezone
from lxml import etree

from dateline.wire.formats.common import (
    MAX_ITEMS,
    FeedError,
    ParsedImage,
    ParsedItem,
    ParseResult,
    Problem,
    clean_html,
    finish,
    html_to_text,
    logger,
    parse_date,
    xml_parser,
)

G2 = "{http://iptc.org/std/nar/2006-10-01/}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def parse_newsml(data: bytes, now: datetime.datetime | None = None) -> ParseResult:
    """NewsML-G2 text items: a ``newsItem``, or a ``newsMessage`` carrying several."""
    now = now or timezone.now()
    result = ParseResult()
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not well-formed XML: {exc}") from None
    items = [root] if root.tag == f"{G2}newsItem" else list(root.iter(f"{G2}newsItem"))
    if not items:
        raise FeedError("no NewsML-G2 newsItem in the document")
    for n, element in enumerate(items):
        if n >= MAX_ITEMS:
            result.skip(f"more than {MAX_ITEMS} items; the rest are skipped")
            break
        try:
            _read_newsml(result, element, now)
        except Exception as exc:
            logger.warning("Could not read a NewsML-G2 item: %s", type(exc).__name__)
            result.problems.append(Problem("error", f"{type(exc).__name__}: {exc}"))
    return result


def _text(element: Any, path: str) -> str:
    found = element.find(path)
    if found is None:
        return ""
    return " ".join("".join(found.itertext()).split())


def _read_newsml(result: ParseResult, element: Any, now: datetime.datetime) -> None:
    guid = (element.get("guid") or "").strip()
    if not guid:
        result.skip("a newsItem without a guid")
        return
    item_class = element.find(f"{G2}itemMeta/{G2}itemClass")
    if item_class is not None and item_class.get("qcode", "ninat:text") not in (
        "ninat:text",
        "icls:text",
    ):
        result.skip(f"a {item_class.get('qcode')} item, not a story", guid)
        return
    status_el = element.find(f"{G2}itemMeta/{G2}pubStatus")
    status = "usable"
    if status_el is not None:
        status = status_el.get("qcode", "stat:usable").split(":")[-1]
        status = status if status in ("usable", "withheld", "canceled") else "usable"
    embargo_given = _text(element, f"{G2}itemMeta/{G2}embargoed")
    embargoed_until = parse_date(embargo_given)
    if embargo_given and not embargoed_until:
        # Read as "no embargo", it could be published early: better not to take it.
        result.skip(f"embargo time {embargo_given!r} is not a date", guid)
        return
    body_el = element.find(f"{G2}contentSet/{G2}inlineXML")
    body = ""
    if body_el is not None:
        html_body = body_el.find(f".//{XHTML}body")
        target = html_body if html_body is not None else body_el
        body = "".join(etree.tostring(child, encoding="unicode", method="html") for child in target)
        # Namespaced XHTML serialises with html: prefixes; the tags are what count.
        body = re.sub(r"<(/?)html:", r"<\1", body)
        body = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", body)
    else:
        plain = element.find(f"{G2}contentSet/{G2}inlineData")
        body = (plain.text or "") if plain is not None else ""
    content = f"{G2}contentMeta"
    headline = _text(element, f"{content}/{G2}headline")
    if not headline and not body:
        result.skip("no headline and no text", guid)
        return
    images = []
    for link in element.iterfind(f"{G2}itemMeta/{G2}link"):
        if link.get("rel", "").endswith("seeAlso") or link.get("contenttype", "").startswith(
            "image/"
        ):
            images.append(ParsedImage(href=link.get("href", ""), caption=link.get("title", "")))
    source = element.find(f"{content}/{G2}infoSource")
    item = ParsedItem(
        guid=guid[:500],
        version=element.get("version", ""),
        headline=headline or " ".join(html_to_text(body).split()[:12]),
        byline=_text(element, f"{content}/{G2}by"),
        body_html=clean_html(body),
        dateline=_text(element, f"{content}/{G2}located/{G2}name")
        or _text(element, f"{content}/{G2}dateline"),
        first_created=parse_date(_text(element, f"{G2}itemMeta/{G2}firstCreated")),
        version_created=parse_date(_text(element, f"{G2}itemMeta/{G2}versionCreated")),
        original_source=(source.findtext(f"{G2}name") or source.get("literal", ""))
        if source is not None
        else "",
        credit=_text(element, f"{content}/{G2}creditline"),
        copyright=_text(element, f"{G2}rightsInfo/{G2}copyrightNotice"),
        usage_terms=_text(element, f"{G2}rightsInfo/{G2}usageTerms"),
        status=status,
        embargoed_until=embargoed_until,
        images=[i for i in images if i.href],
    )
    finish(result, item, now)
