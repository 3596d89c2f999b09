"""Live blogs and posts for the tests, in a line each."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from dateline.live.models import LiveBlogAuthor, LiveBlogPage, LivePost, LivePostSource
from dateline.newsroom.models import SectionPage
from tests.factories import make_author


def make_live_blog(
    section: SectionPage,
    title: str = "Storm Odile makes landfall: live",
    *,
    live_from: datetime.datetime | None = None,
    live_until: datetime.datetime | None = None,
    **kwargs: Any,
) -> LiveBlogPage:
    blog = LiveBlogPage(
        title=title,
        slug=kwargs.pop("slug", slugify(title)[:50]),
        standfirst=kwargs.pop("standfirst", "The storm reached the coast at dawn."),
        key_points=kwargs.pop(
            "key_points", "<ul><li>Ports closed</li><li>Ferries cancelled</li></ul>"
        ),
        live_from=live_from or timezone.now() - datetime.timedelta(hours=1),
        live_until=live_until,
        **kwargs,
    )
    blog.live_authors.add(LiveBlogAuthor(author=make_author(), sort_order=0))
    section.add_child(instance=blog)
    blog.save_revision().publish()
    return blog


def make_post(
    blog: LiveBlogPage,
    text: str = "Winds of 140 km/h reached the harbour.",
    *,
    minutes_ago: int = 0,
    source: bool = False,
    **kwargs: Any,
) -> LivePost:
    kwargs.setdefault("author", make_author())
    post = LivePost.objects.create(
        blog=blog,
        posted_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        body=[{"type": "paragraph", "value": f"<p>{text}</p>"}],
        **kwargs,
    )
    if source:
        LivePostSource.objects.create(
            post=post,
            outlet="Associated Press",
            outlet_takes_the=True,
            read_at="Times Union",
            url="https://example.org/storm",
        )
    return post
