"""Turn an invented event into an article plan: body blocks, sources, byline and tags.

The plan is plain data, so the prose can be read and tested without a database.
Every source the plan lists is named in the body (report and quote sources) or
in the photo credit (photo sources), the way the newsroom's style asks for it.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

from dateline.newsroom.demo.stories import (
    AGENCIES,
    NEWSPAPERS,
    PARTNER_AGENCY,
    SECTIONS,
    WIRE_DESK,
    Agency,
    Event,
)


@dataclass
class SourcePlan:
    outlet: str
    outlet_short: str
    outlet_takes_the: bool
    read_at: str
    url: str
    kind: str  # one of ArticleSource.Kind's values
    published_on: datetime.date

    @property
    def name(self) -> str:
        return f"the {self.outlet}" if self.outlet_takes_the else self.outlet

    @property
    def credit(self) -> str:
        return f"Photo from {self.outlet_short or self.outlet}"


@dataclass
class ArticlePlan:
    event: Event
    title: str
    slug: str
    standfirst: str
    dateline_place: str
    published_at: datetime.datetime
    authors: list[str]
    sources: list[SourcePlan]
    tags: list[str]
    weight: str
    photo_credit: str
    # Blocks as StreamField JSON; a photo block's image is filled in once the photo exists.
    body: list[dict[str, Any]] = field(default_factory=list)
    inline_photo_caption: str = ""


REPORTERS = {section.key: section.reporter for section in SECTIONS}

SUBHEADS_BEFORE_BACKGROUND = (
    "How it came to this",
    "The background",
    "A long time coming",
    "Why it matters",
    "The wider picture",
)
SUBHEADS_BEFORE_NEXT = ("What happens next", "What comes next", "The next step", "Looking ahead")


def unstop(sentence: str) -> str:
    """A sentence without its full stop, so an attribution can follow it."""
    return sentence[:-1] if sentence.endswith(".") else sentence


def surname(name: str) -> str:
    return name.split()[-1]


def day_phrase(when: datetime.datetime) -> str:
    return f"on {when:%A}"


def _source(
    agency: Agency,
    kind: str,
    read_at: str,
    slug: str,
    published_on: datetime.date,
    number: int,
) -> SourcePlan:
    if read_at:
        # Where we read it: the newspaper that carried the agency's report.
        url = f"https://example.org/{slugify(read_at)}/{published_on:%Y/%m/%d}/{slug}"
    else:
        url = f"https://example.com/{slugify(agency.short)}/{slug}-{number}"
    return SourcePlan(
        outlet=agency.name,
        outlet_short=agency.short,
        outlet_takes_the=agency.takes_the,
        read_at=read_at,
        url=url,
        kind=kind,
        published_on=published_on,
    )


def lede_paragraph(lede: str, source: SourcePlan, rng: random.Random) -> str:
    if source.read_at:
        patterns = (
            "{lede}, reports {name} at {read_at}.",
            "{lede}, according to a report by {name} carried by {read_at}.",
            "{lede}, {name} reported in a dispatch carried by {read_at}.",
        )
    else:
        patterns = (
            "{lede}, {name} reported.",
            "{lede}, according to a report by {name}.",
            "{lede}, in a report by {name}.",
        )
    return rng.choice(patterns).format(lede=lede, name=source.name, read_at=source.read_at)


def second_report(sentence: str, source: SourcePlan, rng: random.Random) -> str:
    where = source.read_at
    patterns = (
        (
            "{s}, {name} said in a separate report carried by {where}.",
            "{s}, {name} said in a separate report.",
        ),
        (
            "{s}, according to a report by {name} in {where}.",
            "{s}, according to a report by {name}.",
        ),
        ("{s}, {name} reported in a dispatch carried by {where}.", "{s}, {name} reported."),
    )
    with_paper, without = rng.choice(patterns)
    pattern = with_paper if where else without
    return pattern.format(s=unstop(sentence), name=source.name, where=where)


def quote_attribution(speaker: str, source: SourcePlan, rng: random.Random) -> str:
    where = f", in a report carried by {source.read_at}" if source.read_at else ""
    patterns = (
        "{who} was speaking to {name}{where}.",
        "{who} made the remarks in an interview with {name}{where}.",
        "{who}'s words were quoted by {name}{where}.",
    )
    return rng.choice(patterns).format(who=surname(speaker), name=source.name, where=where)


def quote_in_prose(text: str, speaker: str, role: str, rng: random.Random) -> str:
    """The quote inside a paragraph, for stories that keep their quote out of a block."""
    first, _, rest = text.partition(". ")
    if rest:
        return f'"{first}," said {speaker}, {role}. "{rest}"'
    said = rng.choice(("said", "says"))
    return f'"{unstop(text)}," {said} {speaker}, {role}.'


def attribute_quote(
    body: list[dict[str, Any]], speaker: str, source: SourcePlan, rng: random.Random
) -> None:
    """Name the quote's source at the start of the paragraph right after the quote."""
    at = next(i for i, block in enumerate(body) if block["type"] == "quote") + 1
    if at < len(body) and body[at]["type"] == "subhead":
        # A subhead would cut the attribution off from the words it attributes.
        del body[at]
    sentence = quote_attribution(speaker, source, rng)
    if at < len(body) and body[at]["type"] == "paragraph":
        body[at]["value"] = body[at]["value"].replace("<p>", f"<p>{sentence} ", 1)
    else:
        body.insert(at, {"type": "paragraph", "value": f"<p>{sentence}</p>"})


def byline(event: Event, rng: random.Random) -> list[str]:
    """One or two authors: the beat reporter, the wire desk, or the partner agency."""
    reporter = REPORTERS[event.section]
    roll = rng.random()
    if roll < 0.45:
        return [reporter]
    if roll < 0.7:
        return [reporter, WIRE_DESK]
    if roll < 0.85:
        return [WIRE_DESK]
    return [PARTNER_AGENCY, reporter]


def plan_article(
    event: Event,
    *,
    number: int,
    published_at: datetime.datetime,
    rng: random.Random,
    with_inline_photo: bool = False,
    title_prefix: str = "",
) -> ArticlePlan:
    """Everything one article needs, written from ``event`` with ``rng``'s choices."""
    title = f"{title_prefix}{event.headline}"
    slug = slugify(title)[:70].rstrip("-")
    day = published_at.date()
    agencies = list(AGENCIES)
    rng.shuffle(agencies)
    papers = NEWSPAPERS[event.country]

    # The main report, usually read in a local paper that carried it.
    main = _source(agencies[0], "report", rng.choice(papers), slug, day, number)
    sources = [main]
    extra = rng.random()
    second = quoted = None
    if extra < 0.35:
        earlier = day - datetime.timedelta(days=rng.choice((0, 0, 1)))
        read_at = rng.choice(("", *papers))
        second = _source(agencies[1], "report", read_at, slug, earlier, number)
        sources.append(second)
    elif extra < 0.6:
        quoted = _source(agencies[1], "quote", rng.choice(("", *papers)), slug, day, number)
        sources.append(quoted)
    photo_source = None
    if rng.random() < 0.55:
        photo_source = _source(
            agencies[2 if len(sources) > 1 else 1], "photo", "", slug, day, number
        )
        sources.append(photo_source)

    lede = event.lede.format(day=day_phrase(published_at))
    detail_a, detail_b = event.details
    if second:
        details = f"{detail_a} {second_report(detail_b, second, rng)}"
    else:
        details = f"{detail_a} {detail_b}"
    background = event.background

    quote = event.quote
    paragraph = lede_paragraph(lede, main, rng)
    body: list[dict[str, Any]] = [{"type": "paragraph", "value": f"<p>{paragraph}</p>"}]
    quote_block = {
        "type": "quote",
        "value": {"text": quote.text, "speaker": quote.speaker, "role": quote.role},
    }
    layout = rng.choice(("quote-early", "quote-late", "quote-in-prose", "compact"))
    if layout == "quote-early":
        body += [quote_block, {"type": "paragraph", "value": f"<p>{details}</p>"}]
    elif layout == "quote-in-prose" and not quoted:
        # Without a quote source to name, the quote can sit in the prose as a reporter's would.
        said = quote_in_prose(quote.text, quote.speaker, quote.role, rng)
        body.append({"type": "paragraph", "value": f"<p>{details}</p><p>{said}</p>"})
    else:
        body += [{"type": "paragraph", "value": f"<p>{details}</p>"}, quote_block]

    if layout == "compact":
        body.append({"type": "paragraph", "value": f"<p>{background} {event.next}</p>"})
    else:
        if rng.random() < 0.6:
            body.append({"type": "subhead", "value": rng.choice(SUBHEADS_BEFORE_BACKGROUND)})
        body.append({"type": "paragraph", "value": f"<p>{background}</p>"})
        # A separate closing paragraph, with its own subhead when there is room for one.
        if len(body) < 5 and rng.random() < 0.5:
            body.append({"type": "subhead", "value": rng.choice(SUBHEADS_BEFORE_NEXT)})
        body.append({"type": "paragraph", "value": f"<p>{event.next}</p>"})

    if quoted:
        attribute_quote(body, quote.speaker, quoted, rng)

    inline_caption = ""
    if with_inline_photo:
        inline_caption = f"{event.city}, {event.country}, {day_phrase(published_at)}."
        # After the first paragraph below the lede: it breaks up the text without
        # parting a quote from its attribution or a subhead from its paragraph.
        at = next(i for i in range(2, len(body) + 1) if body[i - 1]["type"] == "paragraph")
        body.insert(at, {"type": "photo", "value": {"image": None, "caption": ""}})
    while len(body) > 6:
        # Long layouts give up their subheads first; the facts always stay.
        subheads = [i for i, block in enumerate(body) if block["type"] == "subhead"]
        if not subheads:
            break
        del body[subheads[-1]]

    return ArticlePlan(
        event=event,
        title=title,
        slug=slug,
        standfirst=event.standfirst,
        dateline_place=event.city.upper(),
        published_at=published_at,
        authors=byline(event, rng),
        sources=sources,
        tags=list(event.tags),
        weight=event.weight,
        photo_credit=photo_source.credit if photo_source else "",
        body=body,
        inline_photo_caption=inline_caption,
    )
