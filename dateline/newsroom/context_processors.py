from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

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


def site_chrome(request: HttpRequest) -> dict[str, Any]:
    """What every reader page needs around its content: the name and the sections."""
    return {
        "publication_name": settings.PUBLICATION_NAME,
        "base_url": settings.BASE_URL,
        "nav_sections": live_sections(),
        "view_beacon": settings.PAGE_VIEW_COUNTING == "beacon",
    }
