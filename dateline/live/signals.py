"""What refreshes reader pages when live coverage changes.

A post, an edited or deleted post, or a changed source renews only what shows the
blog's posts: its page, its update channel, its feed (the blog's page-cache scope)
and the sitemap of live blogs, which gives each one's latest post time. Every other
cached page stays as it is: a blog posting every 30 seconds must not re-render the
site. A banner added, changed or removed shows on every page, and is rare: it starts
a new site generation, as a publish does. docs/decisions/0012-live-coverage-cache.md.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dateline.lib import pagecache
from dateline.live.models import LISTS_SCOPE, Banner, LivePost, LivePostSource, cache_scope
from dateline.newsroom.signals import reader_facing_change


def renew_blog(blog_id: int) -> None:
    """Renew the pages showing this blog's posts, now and again once the change commits.

    A render in another process between the two reads the new generation with the old
    rows and would keep them; the bump after the commit makes that entry stale.
    """

    def bump() -> None:
        pagecache.invalidate(scope=cache_scope(blog_id))
        pagecache.invalidate(scope=LISTS_SCOPE)

    bump()
    transaction.on_commit(bump)


@receiver(post_save, sender=LivePost)
@receiver(post_delete, sender=LivePost)
def on_post_change(sender: Any, instance: LivePost, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    renew_blog(instance.blog_id)


@receiver(post_save, sender=LivePostSource)
@receiver(post_delete, sender=LivePostSource)
def on_source_change(sender: Any, instance: LivePostSource, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    blog_id = LivePost.objects.filter(pk=instance.post_id).values_list("blog_id", flat=True).first()
    if blog_id is not None:  # a source deleted with its post: the post renewed the blog
        renew_blog(blog_id)


@receiver(post_save, sender=Banner)
@receiver(post_delete, sender=Banner)
def on_banner_change(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    # Every page shows the banner; the proxy's fronts and feeds are purged too.
    reader_facing_change()
