"""Side effects of publishing: fresh pages for readers, purged proxies, dates filled in."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from modelsearch.tasks import insert_or_update_object_task
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from dateline.lib import pagecache
from dateline.newsroom.models import ArticlePage, Author, Photo
from dateline.newsroom.sections import forget_sections

logger = logging.getLogger(__name__)


def reader_facing_change(page_id: int | None = None) -> None:
    """Something readers see changed: every page is rendered afresh, the proxy purged.

    ``page_id`` is the page to purge from a reverse proxy besides the fronts and
    feeds; None purges everything. Other apps call this for their own content
    shown on pages (comments/signals.py).
    """
    pagecache.invalidate()
    forget_sections()
    if getattr(settings, "WAGTAILFRONTENDCACHE", None):
        from dateline.newsroom.tasks import purge_frontend_cache

        try:
            purge_frontend_cache.enqueue(page_id)
        except Exception:
            logger.exception("Could not queue the reverse-proxy purge")


@receiver(page_published)
def on_page_published(sender: Any, instance: Page, **kwargs: Any) -> None:
    if not instance.live:
        # Wagtail sends this when a revision is only scheduled: nothing changed for
        # readers yet, and the story's date is the moment it goes live.
        return
    if isinstance(instance, ArticlePage) and instance.published_at is None:
        # The first publication fixes the article's date; later edits keep it.
        ArticlePage.objects.filter(pk=instance.pk).update(
            published_at=instance.first_published_at or timezone.now()
        )
    reader_facing_change(instance.pk)


@receiver(page_unpublished)
def on_page_unpublished(sender: Any, instance: Page, **kwargs: Any) -> None:
    reader_facing_change(instance.pk)


@receiver(post_page_move)
def on_page_moved(sender: Any, instance: Page, **kwargs: Any) -> None:
    reader_facing_change(instance.pk)


@receiver(post_delete)
def on_page_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Page):
        reader_facing_change()


@receiver(post_save, sender=Author)
@receiver(post_save, sender=Photo)
@receiver(post_delete, sender=Author)
@receiver(post_delete, sender=Photo)
def on_shown_object_changed(sender: Any, **kwargs: Any) -> None:
    reader_facing_change()


@receiver(post_save, sender=Author)
def on_author_saved(sender: Any, instance: Author, **kwargs: Any) -> None:
    """Stories are found by their authors' names: a renamed author's are indexed again."""
    if kwargs.get("raw") or kwargs.get("created"):
        return
    for pk in ArticlePage.objects.filter(article_authors__author=instance).values_list(
        "pk", flat=True
    ):
        insert_or_update_object_task.enqueue("newsroom", "articlepage", str(pk))


# Which site a host belongs to and whether any page is restricted are kept per
# process for a generation (newsroom/routing.py): a change to either starts a new one.
# A restriction must also take the page out of the page cache at once.
@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def on_routing_changed(sender: Any, **kwargs: Any) -> None:
    reader_facing_change()
