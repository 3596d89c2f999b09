from __future__ import annotations

import datetime
from typing import Any

from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "dateline.live"
    label = "live"
    verbose_name = "Live coverage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dateline.live import signals  # noqa: F401
        from dateline.newsroom.models import SectionPage

        # A section holds live blogs beside its articles; added from here so the
        # newsroom does not depend on this app (as the wire adds its panel).
        if "live.LiveBlogPage" not in SectionPage.subpage_types:
            SectionPage.subpage_types = [*SectionPage.subpage_types, "live.LiveBlogPage"]
        register_in_sitemaps()
        from dateline.live.fronts import strip
        from dateline.newsroom import fronts

        fronts.register(strip)  # the open live blogs on top of the fronts
        register_in_newsletters()


def register_in_sitemaps() -> None:
    """Live blogs are listed like articles, with their latest post as the lastmod."""
    from django.db.models import Max

    from dateline.live.models import LISTS_SCOPE, LiveBlogPage
    from dateline.newsroom import sitemaps

    def pages() -> Any:
        # The newest post's time in the same query, not one query per blog.
        return (
            LiveBlogPage.objects.live()
            .public()
            .annotate(newest_post=Max("posts__updated_at"))
            .order_by("-live_from", "-pk")
        )

    def modified(blog: Any) -> datetime.datetime | None:
        dates = [d for d in (blog.last_published_at, blog.newest_post) if d]
        return max(dates) if dates else None

    sitemaps.register_stories(
        sitemaps.Stories(
            name="live",
            pages=pages,
            published=lambda blog: blog.date_published,
            modified=modified,
            cache_scope=LISTS_SCOPE,
        )
    )


# How far back an ended live blog may still be added to a digest: its period's start.
RECENT_FOR_DIGESTS = datetime.timedelta(days=7)


def register_in_newsletters() -> None:
    """A live blog can be a story of a digest (an editor adds it) and be sent as an alert."""
    from django.db.models import Q
    from django.utils import timezone

    from dateline.digests import storykinds
    from dateline.live.models import LiveBlogPage

    def choices(since: datetime.datetime) -> Any:
        # Live now, or live at some time in the digest's period (or the week before now).
        now = timezone.now()
        since = min(since, now - RECENT_FOR_DIGESTS)
        return (
            LiveBlogPage.objects.live()
            .public()
            .filter(live_from__lte=now)
            .filter(Q(live_until=None) | Q(live_until__gte=since))
            .order_by("-live_from", "-pk")[:30]
        )

    storykinds.register(
        storykinds.StoryKind(
            model=LiveBlogPage,
            label="Live",
            action="Follow it live",
            choices=choices,
            noun="live blog",
        )
    )
