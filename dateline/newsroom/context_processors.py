from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

NAV_CACHE_KEY = "newsroom:nav"


def site_chrome(request: HttpRequest) -> dict[str, Any]:
    """What every reader page needs around its content: the name and the sections."""
    from dateline.newsroom.models import SectionPage

    nav = cache.get(NAV_CACHE_KEY)
    if nav is None:
        nav = [
            (s.title, s.url, s.slug) for s in SectionPage.objects.live().public().order_by("path")
        ]
        cache.set(NAV_CACHE_KEY, nav, 300)
    return {
        "publication_name": settings.PUBLICATION_NAME,
        "base_url": settings.BASE_URL,
        "nav_sections": nav,
    }
