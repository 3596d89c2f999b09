"""ninjs 1.x, 2.x and 3.x, each item checked against IPTC's published schema of its version.

Agencies send three generations of IPTC's ninjs:

* 1.x: ``headline`` and ``body_html`` strings, ``associations`` and ``renditions`` as
  objects keyed by name.
* 2.x: the same lower-case property names, but ``headlines``, ``bodies`` and
  ``descriptions`` are arrays of ``{role, contenttype, value}``, and ``renditions`` and
  ``associations`` are arrays whose members carry their own ``name``.
* 3.x: the 2.x structure with camelCase names (``versionCreated``, ``pubStatus``,
  ``copyrightHolder``, ``infoSources``, ``contentType``, ``embargoedUntil``...).

Each item is validated against the newest IPTC schema of its major version, shipped in
``dateline/wire/schemas/`` (see the README there); minor versions only add properties.
Once checked, a 2.x or 3.x item is rewritten in the 1.x shape, so one reader
(``_read_ninjs``) serves all three.
"""

from __future__ import annotations

import datetime
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone

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
    plain,
)

SUPPORTED = (1, 2, 3)

# Property names only 3.x uses: one of them settles the version when ``standard`` is absent.
_CAMEL = re.compile(r"[a-z][A-Z]")
# Properties only 2.x and later have (1.x has ``headline``, ``body_html``, ``infosource``).
_V2_ONLY = frozenset({"headlines", "bodies", "descriptions", "infosources", "altids", "rightsinfo"})


def version_of(obj: Any) -> int:
    """The ninjs major version an object claims (``standard.version``), else its shape."""
    if not isinstance(obj, dict):
        return 1  # not an object at all: the 1.x check says so
    standard = obj.get("standard")
    if isinstance(standard, dict) and isinstance(standard.get("version"), str):
        match = re.match(r"\s*(\d+)", standard["version"])
        if match:
            return int(match.group(1))
    if any(_CAMEL.search(key) for key in obj):
        return 3
    if _V2_ONLY & obj.keys() or any(
        isinstance(obj.get(key), list) for key in ("associations", "renditions")
    ):
        return 2
    return 1


SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
# The newest published schema of each major version IPTC has released.
SCHEMA_FILES = {
    1: "ninjs-schema_1.6.json",
    2: "ninjs-schema_2.2.json",
    3: "ninjs-schema_3.1.json",
}


def schema(major: int) -> dict[str, Any]:
    """IPTC's JSON schema of ninjs ``major``.x, as published."""
    result: dict[str, Any] = json.loads((SCHEMAS / SCHEMA_FILES[major]).read_text())
    return result


@cache
def validator(major: int) -> Any:
    import jsonschema

    published = schema(major)
    # Each schema names its own draft (1.x draft-07, 2.x and 3.x 2020-12).
    cls = jsonschema.validators.validator_for(published)
    return cls(published, format_checker=cls.FORMAT_CHECKER)


def ninjs_errors(obj: Any) -> list[str]:
    """Every way ``obj`` falls short of the ninjs schema of its version, as short messages."""
    major = version_of(obj)
    if major not in SUPPORTED:
        return [f"(item): ninjs {major}.x is not supported (1.x, 2.x and 3.x are)"]
    found = sorted(validator(major).iter_errors(obj), key=lambda e: list(e.path))
    return [f"{'/'.join(str(p) for p in e.path) or '(item)'}: {e.message}" for e in found]


def _lower(value: Any) -> Any:
    """3.x's camelCase names in 2.x spelling (the two differ only in case)."""
    if isinstance(value, dict):
        return {key.lower(): _lower(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_lower(item) for item in value]
    return value


def _pick(texts: list[dict[str, Any]] | None, *roles: str) -> dict[str, Any]:
    """The text in the first role asked for that is present, else the first text."""
    texts = [t for t in texts or [] if isinstance(t, dict) and t.get("value")]
    for role in roles:
        for candidate in texts:
            if str(candidate.get("role", "")).lower() == role:
                return candidate
    return texts[0] if texts else {}


def _is_html(text: dict[str, Any]) -> bool:
    return "html" in str(text.get("contenttype", "")).lower()


def as_v1(obj: dict[str, Any], major: int) -> dict[str, Any]:
    """A checked 2.x or 3.x item in the 1.x shape ``_read_ninjs`` reads."""
    item = _lower(obj) if major >= 3 else obj
    out: dict[str, Any] = {
        key: item[key]
        for key in (
            "uri",
            "type",
            "version",
            "firstcreated",
            "versioncreated",
            "pubstatus",
            "located",
            "copyrightholder",
            "copyrightnotice",
            "usageterms",
            "title",
            "embargoed",
            # 3.x's embargoedUntil, lowered.
            "embargoeduntil",
        )
        if key in item
    }
    if item.get("by"):
        out["byline"] = item["by"]
    headline = _pick(item.get("headlines"), "main", "headline")
    if headline:
        out["headline"] = headline["value"]
    bodies = [b for b in item.get("bodies") or [] if isinstance(b, dict)]
    # Marked-up text when there is one: it keeps paragraphs and emphasis.
    body = _pick([b for b in bodies if _is_html(b)], "main", "body") or _pick(bodies, "main")
    if body:
        out["body_html" if _is_html(body) else "body_text"] = body["value"]
    out["infosource"] = [s for s in item.get("infosources") or [] if isinstance(s, dict)]
    associations = {}
    for n, association in enumerate(item.get("associations") or []):
        renditions = {
            r.get("name") or str(i): r
            for i, r in enumerate(association.get("renditions") or [])
            if isinstance(r, dict)
        }
        caption = _pick(association.get("descriptions"), "caption", "summary")
        associations[association.get("name") or str(n)] = {
            "type": association.get("type"),
            "renditions": renditions,
            ("description_html" if _is_html(caption) else "description_text"): caption.get(
                "value", ""
            ),
            "byline": association.get("by", ""),
            "copyrightholder": association.get("copyrightholder", ""),
        }
    out["associations"] = associations
    return out


def parse_ninjs(data: bytes, now: datetime.datetime | None = None) -> ParseResult:
    """One ninjs object, a list of them, or ``{"items": [...]}`` as many agencies send.

    Items of ninjs 1.x, 2.x and 3.x may come in one file; each is checked against the
    schema of its own version.
    """
    now = now or timezone.now()
    result = ParseResult()
    try:
        document = json.loads(_decode(data))
    except ValueError as exc:
        raise FeedError(f"not JSON: {exc}") from None
    if isinstance(document, dict) and isinstance(document.get("items"), list):
        objects = document["items"]
    elif isinstance(document, list):
        objects = document
    else:
        objects = [document]
    for n, obj in enumerate(objects):
        if n >= MAX_ITEMS:
            result.skip(f"more than {MAX_ITEMS} items; the rest are skipped")
            break
        guid = obj.get("uri", "") if isinstance(obj, dict) else ""
        errors = ninjs_errors(obj)
        if errors:
            result.skip("not valid ninjs: " + "; ".join(errors[:3]), str(guid)[:500])
            continue
        try:
            major = version_of(obj)
            _read_ninjs(result, as_v1(obj, major) if major > 1 else obj, now)
        except Exception as exc:
            logger.warning("Could not read a ninjs item: %s", type(exc).__name__)
            result.problems.append(Problem("error", f"{type(exc).__name__}: {exc}", str(guid)))
    return result


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _read_ninjs(result: ParseResult, obj: dict[str, Any], now: datetime.datetime) -> None:
    guid = obj["uri"]
    if obj.get("type", "text") not in ("text", "composite"):
        result.skip(f"a {obj.get('type')} item, not a story", guid)
        return
    body = obj.get("body_html") or obj.get("body_xhtml") or ""
    if not body and obj.get("body_text"):
        body = obj["body_text"]
    headline = plain(obj.get("headline", "")) or plain(obj.get("title", ""))
    if not headline and not body:
        result.skip("no headline and no text", guid)
        return
    if not headline:
        headline = " ".join(html_to_text(body).split()[:12])
        result.repair("no headline: the first words of the text are used", guid)
    images = []
    for association in (obj.get("associations") or {}).values():
        if association.get("type") not in ("picture", "graphic"):
            continue
        renditions: dict[str, Any] = association.get("renditions") or {}
        best: dict[str, Any] = (
            renditions.get("original")
            or renditions.get("baseImage")
            or next(iter(renditions.values()), {})
        )
        if best.get("href"):
            images.append(
                ParsedImage(
                    href=best["href"],
                    caption=plain(
                        association.get("description_text")
                        or association.get("description_html", "")
                    ),
                    credit=plain(
                        association.get("byline") or association.get("copyrightholder", "")
                    ),
                )
            )
    sources = [s.get("name", "") for s in obj.get("infosource", []) if s.get("name")]
    embargo_given = obj.get("embargoed") or obj.get("embargoeduntil")
    embargoed_until = parse_date(embargo_given)
    if embargo_given and not embargoed_until:
        # Read as "no embargo", it could be published early: better not to take it.
        result.skip(f"embargo time {embargo_given!r} is not a date", guid)
        return
    item = ParsedItem(
        guid=guid,
        version=str(obj.get("version", "")),
        headline=headline,
        byline=plain(obj.get("byline", "")),
        body_html=clean_html(body),
        dateline=plain(obj.get("located", "")),
        first_created=parse_date(obj.get("firstcreated")),
        version_created=parse_date(obj.get("versioncreated")),
        original_source=sources[0] if sources else "",
        credit=plain(obj.get("copyrightholder", "")),
        copyright=plain(obj.get("copyrightnotice", "")),
        usage_terms=plain(obj.get("usageterms", "")),
        status=obj.get("pubstatus", "usable"),
        embargoed_until=embargoed_until,
        images=images,
    )
    finish(result, item, now)
