"""From wire to story: a draft article with its sources filled in from the reports it uses."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from dateline.newsroom.models import ArticlePage, ArticleSource, SectionPage
from dateline.wire.models import Provider, StoryCluster, WireItem, WireUse


class CannotWrite(Exception):
    """Nothing usable to write from; the message says why."""


def usable_items(cluster: StoryCluster) -> list[WireItem]:
    """The cluster's reports an editor may use: no duplicates, nothing killed; newest first."""
    return list(
        cluster.items.filter(duplicate_of__isnull=True, status=WireItem.Status.USABLE)
        .select_related("provider")
        .order_by("-version_created", "-pk")
    )


def _standfirst(item: WireItem) -> str:
    text = " ".join(item.body_text.split())
    # The wire's dateline opener ("PORT CALDER, Velmar — ") is not part of our sentence.
    text = re.sub(r"^[A-Z][A-Z .,'\-]+(?:,[^—-]{0,40})?\s*[—-]+\s*", "", text)
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return first[:500]


def _unique_slug(section: SectionPage, title: str) -> str:
    base = slugify(title)[:70] or "wire-story"
    slug, n = base, 2
    while section.get_children().filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


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
    panel.
    """
    items = [i for i in items if i.status == WireItem.Status.USABLE]
    if not items:
        raise CannotWrite("every report here has been withdrawn or withheld")
    lead = items[0]
    article = ArticlePage(
        title=lead.headline[:255],
        slug=_unique_slug(section, lead.headline),
        standfirst=_standfirst(lead) or lead.headline[:500],
        dateline_place=lead.dateline[:120],
        body=[],
        live=False,
        owner=user if user is not None and user.is_authenticated else None,
    )
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
        from dateline.wire.tasks import attach_wire_photo

        agency = photo_item.provider.short_name or photo_item.provider.name
        credit = image.get("credit") or f"Photo from {agency}"
        transaction.on_commit(
            lambda: attach_wire_photo.enqueue(
                article.pk, image["href"], image.get("caption", ""), credit
            )
        )
    article.save_revision(user=user if user is not None and user.is_authenticated else None)
    return article
