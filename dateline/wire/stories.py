"""From wire to story: a draft article with its sources filled in from the reports it uses."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from dateline.newsroom.models import ArticleAuthor, ArticlePage, ArticleSource, Author, SectionPage
from dateline.wire import wirecopy
from dateline.wire.followups import attach_wire_photo
from dateline.wire.models import Provider, StoryCluster, WireItem, WireUse
from dateline.wire.wirecopy import STATUS_PREFIX

# The wire's dateline opener: "PORT CALDER, Velmar — " or "BESK (NP) - ": the place in
# capitals, perhaps a region and the agency, then a dash.
DATELINE_OPENER = re.compile(
    r"^([A-Z][A-Z .'\-]*[A-Z.])(?:,[^\u2014\u2013]{0,40}?)?(?:\s*\([^)]{1,40}\))?"
    r"\s+[\u2014\u2013-]+\s+"
)


class CannotWrite(Exception):
    """Nothing usable to write from; the message says why."""


def usable_items(cluster: StoryCluster) -> list[WireItem]:
    """The cluster's reports an editor may use: no duplicates, nothing killed; newest first."""
    return list(
        cluster.items.filter(duplicate_of__isnull=True, status=WireItem.Status.USABLE)
        .select_related("provider")
        .order_by("-version_created", "-pk")
    )


def headline(item: WireItem) -> str:
    """The report's headline without the agency's status prefix."""
    return STATUS_PREFIX.sub("", item.headline.strip()).strip() or item.headline.strip()


def dateline_place(items: list[WireItem]) -> str:
    """Where the story was filed, from the first report that says: its dateline field,
    else the dateline that opens its text ("PORT CALDER, Velmar — …")."""
    for item in items:
        if item.dateline.strip():
            return wirecopy.dateline_place(item.dateline, "")[:120]
    for item in items:
        place = wirecopy.dateline_place("", " ".join(item.body_text.split()))
        if place:
            return place[:120]
    return ""


def _standfirst(item: WireItem) -> str:
    text = " ".join(item.body_text.split())
    # The wire's dateline opener ("PORT CALDER, Velmar — ") is not part of our sentence.
    text = DATELINE_OPENER.sub("", text)
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return first[:500]


def _unique_slug(section: SectionPage, title: str) -> str:
    # Not shortened: the editor keeps the slug in step with the headline only while it
    # is the whole headline's (Wagtail's slug sync compares the two).
    base = slugify(title)[:255] or "wire-story"
    slug, n = base, 2
    while section.get_children().filter(slug=slug).exists():
        slug, n = f"{base[:250]}-{n}", n + 1
    return slug


def agency_author(item: WireItem) -> Author:
    """The report's agency as an author (an organisation), made on first use."""
    provider: Provider = item.provider
    author = Author.objects.filter(name=provider.name).first()
    if author is None:
        author = Author.objects.create(name=provider.name, kind=Author.Kind.ORGANISATION)
    return author


def source_for(item: WireItem, kind: str = ArticleSource.Kind.REPORT) -> ArticleSource:
    provider: Provider = item.provider
    return ArticleSource(
        outlet=provider.name[:200],
        outlet_short=(provider.short_name or "")[:40],
        outlet_takes_the=provider.takes_the,
        read_at=provider.read_at[:200],
        url=item.url[:1000],
        kind=kind,
        published_on=timezone.localtime(item.when).date(),
    )


@transaction.atomic
def write_story(
    items: list[WireItem],
    section: SectionPage,
    user: Any = None,
    photo: tuple[WireItem, int] | None = None,
) -> ArticlePage:
    """A draft article in ``section`` from these reports (the first one leads).

    Its sources list names every report's agency, where it is read, its address and
    time; the chosen photo (an item and the index of one of its images) is fetched by
    a worker and becomes the lead photo with its caption and credit. The wire text is
    not copied into the body: the editor sees it beside the editor, in the Wire copy
    panel. The headline loses the agency's status prefix ("URGENT", "UPDATE 2-"), the
    dateline comes from the reports, and the lead report's agency is the author until
    the editor names another.
    """
    items = [i for i in items if i.status == WireItem.Status.USABLE]
    if not items:
        raise CannotWrite("every report here has been withdrawn or withheld")
    lead = items[0]
    title = headline(lead)[:255]
    article = ArticlePage(
        title=title,
        slug=_unique_slug(section, title),
        standfirst=_standfirst(lead) or title[:500],
        dateline_place=dateline_place(items),
        body=[],
        live=False,
        # It goes live when the last embargo among its reports lifts, not before.
        go_live_at=max(
            (i.embargoed_until for i in items if i.embargoed_until and i.is_embargoed),
            default=None,
        ),
        owner=user if user is not None and user.is_authenticated else None,
    )
    article.article_authors.add(ArticleAuthor(author=agency_author(lead), sort_order=0))
    section.add_child(instance=article)
    seen: set[tuple[int, str]] = set()
    for n, item in enumerate(items):
        WireUse.objects.create(item=item, article=article, seen_version_at=item.version_created)
        # Two reports by one agency at no address of their own make one line, not two.
        if (item.provider_id, item.url) in seen:
            continue
        seen.add((item.provider_id, item.url))
        source = source_for(item)
        source.page = article
        source.sort_order = n
        source.save()
    if photo is not None:
        photo_item, index = photo
        image = photo_item.images[index]
        source = source_for(photo_item, ArticleSource.Kind.PHOTO)
        source.page = article
        source.sort_order = len(items)
        source.save()
        WireUse.objects.get_or_create(
            item=photo_item,
            article=article,
            defaults={"seen_version_at": photo_item.version_created},
        )
        agency = photo_item.provider.short_name or photo_item.provider.name
        credit = image.get("credit") or f"Photo from {agency}"
        transaction.on_commit(
            lambda: attach_wire_photo.enqueue(
                article.pk, image["href"], image.get("caption", ""), credit
            )
        )
    article.save_revision(user=user if user is not None and user.is_authenticated else None)
    return article
