from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from dateline.newsroom.sections import live_sections


def site_chrome(request: HttpRequest) -> dict[str, Any]:
    """What every reader page needs around its content: the name and the sections."""
    return {
        "publication_name": settings.PUBLICATION_NAME,
        "base_url": settings.BASE_URL,
        "nav_sections": live_sections(),
        "view_beacon": settings.PAGE_VIEW_COUNTING == "beacon",
    }
