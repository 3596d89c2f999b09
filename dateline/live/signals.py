"""What refreshes reader pages when live coverage changes.

A post, an edited or deleted post, and a banner change what readers see, so each
starts a new page-cache generation as a publish does (decision 0002): the live
blog, its update channel and its feed are rendered afresh, and so, today, is every
other cached page. The lead's cache design for live coverage (issue 25) is to narrow
that to what shows the post.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dateline.lib import pagecache
from dateline.live.models import Banner, LivePost, LivePostSource


@receiver(post_save, sender=LivePost)
@receiver(post_delete, sender=LivePost)
@receiver(post_save, sender=LivePostSource)
@receiver(post_delete, sender=LivePostSource)
@receiver(post_save, sender=Banner)
@receiver(post_delete, sender=Banner)
def on_live_change(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    pagecache.invalidate()
