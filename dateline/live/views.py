"""The live blog's update channel: what a reader's script polls for new posts.

One answer for every reader (nothing in it depends on who asks), so the page cache
keeps it and answers a poll with the same bytes and ETag until the next post; an
unchanged poll, sent with If-None-Match, is a 304 (dateline.lib.pagecache, and
Django's ConditionalGetMiddleware when the cache does not answer). It depends on the
blog's scope only (LiveBlogPage.cache_rules), so browsers revalidate it on every poll
(max-age=0) and a post renews it without touching the rest of the site's cache.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from dateline.lib.dates import machine_datetime
from dateline.live.models import POSTS_POLLED, LiveBlogPage
from dateline.newsroom.models import with_last_modified


@require_safe
def updates(request: HttpRequest, page_id: int) -> HttpResponse:
    blog = LiveBlogPage.objects.live().public().filter(pk=page_id).first()
    if blog is None:
        raise Http404("No such live blog")
    blog.cache_rules(request)
    posts = blog.stream(POSTS_POLLED)
    pinned = next((p for p in posts if p.pinned), None)
    data = {
        "live": blog.live_now,
        "pinned": render_to_string("live/pinned.html", {"pinned": pinned}),
        "key_events": render_to_string(
            "live/key_events.html", {"key_events": [p for p in posts if p.key_event]}
        ),
        # Newest first, the pinned post included (the page shows it in its own place).
        "posts": [
            {
                "id": post.anchor,
                "posted_at": machine_datetime(post.posted_at),
                "updated_at": machine_datetime(post.updated_at),
                "pinned": post.pinned,
                "html": render_to_string("live/post.html", {"post": post}),
            }
            for post in posts
        ],
    }
    response = JsonResponse(data)
    return with_last_modified(response, blog.date_modified)
