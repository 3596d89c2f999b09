"""ninjs 2.x and 3.x: which version an object is, its schema check, and its 1.x shape.

Agencies send three generations of IPTC's ninjs:

* 1.x: ``headline`` and ``body_html`` strings, ``associations`` and ``renditions`` as
  objects keyed by name. Checked against IPTC's 1.5 schema, vendored in ``schemas/``.
* 2.x: the same lower-case property names, but ``headlines``, ``bodies`` and
  ``descriptions`` are arrays of ``{role, contenttype, value}``, and ``renditions`` and
  ``associations`` are arrays whose members carry their own ``name``.
* 3.x: the 2.x structure with camelCase names (``versionCreated``, ``pubStatus``,
  ``copyrightHolder``, ``infoSources``, ``contentType``...).

IPTC's 2.x and 3.x JSON schemas are not vendored: the schemas below are written from the
standard's structure and check what it requires of every item (a ``uri``; the type,
publication status and representation enumerations; dates and texts as strings; every
headline, body and description with a ``value``; every rendition with a ``name``; every
association with a ``name`` and a ``uri``, itself a ninjs object) and that an item has no
property the standard does not define. They are stricter than nothing and looser than
IPTC's own schemas in the details of subjects, renditions and planning, which we do not
read. Once checked, a 2.x or 3.x item is rewritten in the 1.x shape, so one reader
(``parsers._read_ninjs``) serves all three.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

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


def _names(major: int) -> dict[str, str]:
    """The standard's property names in ``major``'s spelling, keyed by their 2.x form."""
    camel = {
        "representationtype": "representationType",
        "firstcreated": "firstCreated",
        "versioncreated": "versionCreated",
        "contentcreated": "contentCreated",
        "pubstatus": "pubStatus",
        "copyrightholder": "copyrightHolder",
        "copyrightnotice": "copyrightNotice",
        "usageterms": "usageTerms",
        "ednote": "edNote",
        "infosources": "infoSources",
        "altids": "altIds",
        "trustindicators": "trustIndicators",
        "rightsinfo": "rightsInfo",
        "contenttype": "contentType",
        "charcount": "charCount",
        "wordcount": "wordCount",
        "contactinfo": "contactInfo",
        "sizeinbytes": "sizeInBytes",
        "eventdetails": "eventDetails",
        "plannedcoverage": "plannedCoverage",
        "langid": "langId",
        "linkedrights": "linkedRights",
        "encodedrights": "encodedRights",
    }
    return camel if major >= 3 else {key: key for key in camel}


def schema(major: int) -> dict[str, Any]:
    """Our JSON schema (draft 2020-12) of a ninjs 2.x or 3.x item."""
    n = _names(major)
    text = {"type": "string"}
    when = {"type": "string", "format": "date-time"}
    # Headlines, bodies and descriptions: each text with its role and media type.
    texts = {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["value"],
            "additionalProperties": False,
            "properties": {
                "role": text,
                n["contenttype"]: text,
                "value": text,
                n["charcount"]: {"type": "number"},
                n["wordcount"]: {"type": "number"},
            },
        },
    }
    # People, places, organisations, subjects, events, objects, genres and info sources
    # share one shape here; IPTC's schemas vary it a little per kind.
    concepts = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "name": text,
                "rel": text,
                "role": text,
                "uri": text,
                "literal": text,
                "creator": text,
                "relevance": {"type": "integer", "minimum": 0, "maximum": 100},
                "confidence": {"type": "integer", "minimum": 0, "maximum": 100},
                n["contactinfo"]: {"type": "array", "items": {"type": "object"}},
            },
        },
    }
    rendition = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": text,
            "href": text,
            "uri": text,
            "title": text,
            n["contenttype"]: text,
            "width": {"type": "number"},
            "height": {"type": "number"},
            n["sizeinbytes"]: {"type": "number"},
            "duration": {"type": "number"},
        },
    }
    types = ["text", "audio", "video", "picture", "graphic", "composite", "component"]
    types += ["event", "planning"]  # added in 2.2
    item: dict[str, Any] = {
        "type": "object",
        "properties": {
            "uri": text,
            "type": {"enum": types},
            n["representationtype"]: {"enum": ["full", "partial"]},
            "profile": text,
            "version": text,
            n["firstcreated"]: when,
            n["versioncreated"]: when,
            n["contentcreated"]: when,
            "embargoed": when,
            "expires": when,
            n["pubstatus"]: {"enum": ["usable", "withheld", "canceled"]},
            "urgency": {"type": "number", "minimum": 1, "maximum": 9},
            n["copyrightholder"]: text,
            n["copyrightnotice"]: text,
            n["usageterms"]: text,
            n["ednote"]: text,
            "language": text,
            "title": text,
            "by": text,
            "slugline": text,
            "located": text,
            "headlines": texts,
            "bodies": texts,
            "descriptions": texts,
            **{
                kind: concepts
                for kind in (
                    "people",
                    "organisations",
                    "places",
                    "subjects",
                    "events",
                    "objects",
                    "genres",
                    n["infosources"],
                )
            },
            "renditions": {"type": "array", "items": rendition},
            "associations": {
                "type": "array",
                "items": {
                    # An association is a ninjs object of its own, with a name.
                    "$ref": "#/$defs/item",
                    "properties": {"name": text},
                    "required": ["name", "uri"],
                    "unevaluatedProperties": False,
                },
            },
            n["altids"]: {
                "type": "array",
                "items": {"type": "object", "properties": {"role": text, "value": text}},
            },
            n["trustindicators"]: {"type": "array", "items": {"type": "object"}},
            "standard": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"name": text, "version": text, "schema": text},
            },
            n["rightsinfo"]: {
                "type": "object",
                "properties": {
                    n["langid"]: text,
                    n["linkedrights"]: text,
                    n["encodedrights"]: text,
                },
            },
            n["eventdetails"]: {"type": "object"},
            n["plannedcoverage"]: {"type": "array", "items": {"type": "object"}},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"ninjs {major}.x item, as Dateline checks it",
        "$defs": {"item": item},
        "$ref": "#/$defs/item",
        "required": ["uri"],
        # Here and on associations rather than in the item: unevaluatedProperties sees
        # what the $ref'd item evaluated, so an association's own "name" is allowed.
        "unevaluatedProperties": False,
    }


@cache
def validator(major: int) -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(schema(major), format_checker=jsonschema.FormatChecker())


def errors(obj: Any, major: int) -> list[str]:
    """Every way ``obj`` falls short of ninjs ``major``.x, as short messages."""
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
    """A checked 2.x or 3.x item in the 1.x shape ``parsers._read_ninjs`` reads."""
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
