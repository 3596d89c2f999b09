"""Agencies' conventions in wire copy: status words before a headline, the dateline.

"URGENT", "UPDATE 2-", "FLASH:", "REFILE-", "Correction:" tell the desk how to treat a
report; they are not part of the story's headline, and two agencies' reports of one
event should not look different because one of them was an urgent. The dateline place
("SKARVIK, Nov 25 (NRD) -", "Eddington -", ninjs ``located``) says where the report was
filed: the one strong clue when two events are alike in everything but the town.
"""

from __future__ import annotations

import re

_STATUS_WORDS = (
    r"URGENT|FLASH|BULLETIN|BREAKING(?: NEWS)?|ALERT|NEWSALERT|UPDATED?|REFILED?|"
    r"RPT|REPEAT|RESEND|CORRECTED|CORRECTION|CORRECTS|WRAPUP|EXCLUSIVE|ADVISORY"
)
# In capitals, with or without a separator ("URGENT Storm..."); only in capitals, so a
# headline that begins with the word "Update" keeps it.
STATUS_PREFIX = re.compile(
    rf"^(?:(?:{_STATUS_WORDS})(?:\s*\d+)?(?:\s*[-:|/\u2013\u2014]+\s*|\s+))+"
)
# In any case when a separator follows: "Updated: ..." and "Correction: ..." as some
# agencies write them.
_STATUS_LABEL = re.compile(
    rf"^(?:(?:{_STATUS_WORDS})(?:\s*\d+)?\s*[-:|\u2013\u2014]+\s*)+", re.IGNORECASE
)


def without_status(headline: str) -> str:
    """The headline without leading status words; the headline itself if that is all."""
    stripped = _STATUS_LABEL.sub("", STATUS_PREFIX.sub("", headline.strip()))
    return stripped or headline.strip()


# The body's opener: "EDDINGTON, 23 November (GZT) —", "Eddington —", "(TAV) Kisumbe, 23
# Nov.": a place of up to four capitalised words, then a comma, an agency in brackets or
# a dash.
_BODY_DATELINE = re.compile(
    r"^\s*(?:\([A-Za-z]{2,12}\)\s*)?"
    r"([A-Z][^\W\d_]*(?:[ '\-][A-Z][^\W\d_]*){0,3})"
    r"(?=\s*(?:,|\(|[\u2014\u2013-]\s))"
)


# Without a dateline, the place the lead says it happened: "struck rocks near Fennick",
# "a fire in Old Harbour".
_LEAD_PLACE = re.compile(
    r"\b(?:in|near|off|outside|at)\s+([A-Z][^\W\d_]+(?:[ \-][A-Z][^\W\d_]+){0,2})"
)


def dateline_place(dateline: str, body_text: str) -> str:
    """Where the report was filed: the format's own field, else the body's opener."""
    if dateline.strip():
        return re.split(r"[,(\u2014\u2013]| - ", dateline, maxsplit=1)[0].strip()
    match = _BODY_DATELINE.match(body_text[:120])
    return match.group(1) if match else ""


def lead_place(headline: str, body_text: str) -> str:
    """Where the report says it happened, when it has no dateline: the first place the
    headline or the lead sentence puts the event in."""
    lead = body_text.split(". ", 1)[0][:300]
    for text in (headline, lead):
        match = _LEAD_PLACE.search(text)
        if match:
            return match.group(1)
    return ""
