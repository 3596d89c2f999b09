"""Quote provenance: every direct quote in a story, looked up in the wire reports it cites.

A quote is text in straight or curly double quotation marks (or a quote block). Two
quoted pieces around a short speech tag ("…," he said, "…") are one quote, because
that is how the source usually has it. Each quote is matched against the text of the
story's wire sources with rapidfuzz's partial ratio after folding case, punctuation
and quote marks:

* found: score >= FOUND (the words are there, give or take punctuation);
* paraphrased: score >= PARAPHRASED (close, but words changed: check it);
* missing: below that; the editor sees the closest passage.

Only wire reports are checked: a story that cites none (our own reporting) has nothing
to check its quotes against, so it gets no verdicts and no warning. Its other sources
are named on the Wire copy panel as not checked.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

FOUND = 95.0
PARAPHRASED = 75.0
# Shorter quotes ("yes", "a disaster") match anything somewhere; they are not checked.
MIN_WORDS = 4

_QUOTE = re.compile(r"[\"“”]([^\"“”]+)[\"“”]")
# A short run of words with a speech verb between two quoted pieces: "he said", "Reyk told
# reporters", "said Mara Velt, the harbour master" is too long and ends the quote.
SPEECH_VERBS = frozenset(
    [
        "said",
        "says",
        "added",
        "told",
        "asked",
        "wrote",
        "explained",
        "continued",
        "insisted",
        "warned",
        "replied",
    ]
)
# Curly apostrophe, en and em dash, written as escapes so they cannot be mistaken.
APOSTROPHE = "\u2019"
DASHES = ",.;:\u2014\u2013-"
SPEECH_TAG_WORDS = 5
_TAGS = re.compile(r"<[^>]+>")
_FOLD = re.compile(r"[^\w\s]")


@dataclass
class Quote:
    text: str


@dataclass
class Verdict:
    quote: str
    verdict: str  # "found", "paraphrased" or "missing"
    score: float
    source_key: Any = None
    passage: str = ""


def fold(text: str) -> str:
    """Lower case, no punctuation or quote marks, single spaces: what matching compares."""
    text = text.replace(APOSTROPHE, "'").replace("'", "")
    return " ".join(_FOLD.sub(" ", text.lower()).split())


def _is_speech_tag(between: str) -> bool:
    words = between.split()
    return 0 < len(words) <= SPEECH_TAG_WORDS and any(
        w.strip(DASHES).lower() in SPEECH_VERBS for w in words
    )


def quotes_in_text(text: str) -> list[str]:
    """The direct quotes in one paragraph, with pieces split by a speech tag joined."""
    found: list[str] = []
    last_end = None
    for match in _QUOTE.finditer(text):
        piece = match.group(1).strip()
        between = text[last_end : match.start()] if last_end is not None else None
        # Only a sentence interrupted mid-way is one quote: “We will not sail,” he said,
        # “until …”. After a full stop (“… sail.” He added: “…”) a new quote begins.
        interrupted = found and not found[-1].rstrip().endswith((".", "!", "?"))
        if interrupted and between is not None and "." not in between and _is_speech_tag(between):
            found[-1] = f"{found[-1].rstrip(DASHES + ' ')} {piece}"
        else:
            found.append(piece)
        last_end = match.end()
    return [q for q in found if len(q.split()) >= MIN_WORDS]


def html_text(value: str) -> str:
    return html.unescape(_TAGS.sub(" ", value))


def article_quotes(body: Any) -> list[str]:
    """Quotes in an article body (a StreamField value): paragraphs and quote blocks."""
    quotes: list[str] = []
    for block in body or []:
        kind = block.block_type
        if kind == "paragraph":
            quotes += quotes_in_text(html_text(str(block.value.source)))
        elif kind == "quote":
            text = str(block.value.get("text", "")).strip().strip('"“”')
            if len(text.split()) >= MIN_WORDS:
                quotes.append(text)
    return quotes


def check_quote(quote: str, sources: list[tuple[Any, str]]) -> Verdict:
    """The best match for one quote among (key, text) sources."""
    folded = fold(quote)
    best = Verdict(quote=quote, verdict="missing", score=0.0)
    for key, text in sources:
        target = fold(text)
        if not target:
            continue
        match = fuzz.partial_ratio_alignment(folded, target)
        if match is not None and match.score > best.score:
            best = Verdict(
                quote=quote,
                verdict="missing",
                score=float(match.score),
                source_key=key,
                passage=_widen(target, match.dest_start, match.dest_end),
            )
    if best.score >= FOUND:
        best.verdict = "found"
    elif best.score >= PARAPHRASED:
        best.verdict = "paraphrased"
    return best


def _widen(text: str, start: int, end: int) -> str:
    """The matched span out to whole words, so the editor reads a passage, not a fragment."""
    while start > 0 and text[start - 1] != " ":
        start -= 1
    while end < len(text) and text[end] != " ":
        end += 1
    return text[start:end].strip()


def check_quotes(quotes: list[str], sources: list[tuple[Any, str]]) -> list[Verdict]:
    return [check_quote(q, sources) for q in quotes]


# The article side ---------------------------------------------------------------------


def cited_items(article: Any) -> list[Any]:
    """The wire reports an article cites: those it was written from, and any whose
    address is in its sources list."""
    from dateline.wire.models import WireItem

    used = WireItem.objects.filter(uses__article_id=article.pk)
    urls = [s.url for s in article.sources.all() if s.url] if article.pk else []
    by_url = WireItem.objects.filter(url__in=urls) if urls else WireItem.objects.none()
    return list((used | by_url).distinct().select_related("provider"))


def check_article(article: Any, body: Any = None) -> list[Verdict]:
    """Check every quote of ``article`` (or of ``body``, for a form not yet saved).

    No verdicts when the article cites no wire report: nothing says a quote is missing
    from sources that were never there.
    """
    items = cited_items(article) if article.pk else []
    if not items:
        return []
    sources = [(item, f"{item.headline}\n{item.body_text}") for item in items]
    return check_quotes(article_quotes(article.body if body is None else body), sources)


def unchecked_sources(article: Any, items: list[Any]) -> list[Any]:
    """The article's sources that are none of the cited wire reports: not checked.

    A source matches a report by its address, or, when it has none, by the agency's
    name (as the wire desk writes it).
    """
    urls = {item.url for item in items if item.url}
    agencies = {item.provider.name for item in items}
    return [
        source
        for source in article.sources.all()
        if not (source.url in urls if source.url else source.outlet in agencies)
    ]


def record(article: Any, verdicts: list[Verdict]) -> None:
    """Keep the last check's verdicts for the Wire copy panel."""
    from dateline.wire.models import QuoteCheck

    QuoteCheck.objects.filter(article_id=article.pk).delete()
    QuoteCheck.objects.bulk_create(
        QuoteCheck(
            article_id=article.pk,
            quote=v.quote,
            verdict=v.verdict,
            score=v.score,
            item=v.source_key,
            passage=v.passage[:2000],
        )
        for v in verdicts
    )
