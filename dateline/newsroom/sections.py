"""The live sections, as the navigation and the newsletter's section choices list them."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

NAV_CACHE_KEY = "newsroom:sections"


def live_sections() -> list[dict[str, Any]]:
    """The live sections in tree order (pk, title, url, slug), cached until a publish."""
    from dateline.newsroom.models import SectionPage

    sections = cache.get(NAV_CACHE_KEY)
    if sections is None:
        sections = [
            {"pk": s.pk, "title": s.title, "url": s.url, "slug": s.slug}
            for s in SectionPage.objects.live().public().order_by("path")
        ]
        cache.set(NAV_CACHE_KEY, sections, 300)
    return sections


def forget_sections() -> None:
    """After a publish: the next page asks the database again."""
    cache.delete(NAV_CACHE_KEY)
