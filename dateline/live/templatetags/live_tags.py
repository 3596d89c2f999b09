from __future__ import annotations

import logging
from typing import Any

from django import template
from django.db import DatabaseError
from django.utils.html import strip_tags
from django.utils.safestring import SafeString

from dateline.lib import pagescopes
from dateline.lib.dates import machine_datetime
from dateline.live.models import Banner, LiveBlogPage, LivePost
from dateline.newsroom.templatetags.newsroom_tags import _script, absolute, article_schema

register = template.Library()
logger = logging.getLogger(__name__)


@register.inclusion_tag("live/banner.html", takes_context=True)
def breaking_banner(context: template.Context) -> dict[str, Any]:
    """The current breaking-news banner, on every page that extends base.html.

    A page showing it is cached only until it expires (lib/pagescopes.py); one
    rendered without it is renewed when an editor adds one (a site generation).
    """
    try:
        banner = Banner.shown()
    except DatabaseError:  # the 404 page renders even when the database is in trouble
        logger.warning("Could not read the breaking-news banner")
        banner = None
    request = context.get("request")
    if banner is not None and request is not None:
        pagescopes.changes_at(request, banner.expires_at)
    return {"banner": banner}


@register.simple_tag
def open_live_blogs(user: Any) -> list[LiveBlogPage]:
    """Live blogs not yet ended that ``user`` may post to (the wire desk's choice)."""
    from django.db.models import Q
    from django.utils import timezone

    blogs = LiveBlogPage.objects.filter(
        Q(live_until__isnull=True) | Q(live_until__gt=timezone.now())
    ).order_by("-live_from")
    return [b for b in blogs if b.permissions_for_user(user).can_edit()]


def post_text(post: LivePost) -> str:
    """A post's words as plain text, for the JSON-LD's articleBody."""
    parts = []
    for block in post.body:
        if block.block_type == "paragraph":
            parts.append(strip_tags(str(block.value.source)))
        elif block.block_type == "quote":
            parts.append(f"“{block.value['text']}” {block.value['speaker']}")
    return " ".join(" ".join(parts).split())


def live_blog_schema(page: LiveBlogPage, posts: list[LivePost]) -> dict[str, Any]:
    """schema.org LiveBlogPosting: the article's NewsArticle with the coverage and posts."""
    # article_schema reads only what a live blog has too (title, standfirst, authors,
    # dates, section, lead photo and credit, sources).
    data = article_schema(page)
    data["@type"] = "LiveBlogPosting"
    data["coverageStartTime"] = machine_datetime(page.live_from)
    if page.live_until:
        data["coverageEndTime"] = machine_datetime(page.live_until)
    url = absolute(page.url)
    updates = []
    for post in posts:
        update: dict[str, Any] = {
            "@type": "BlogPosting",
            "@id": f"{url}#{post.anchor}",
            "url": f"{url}#{post.anchor}",
            "headline": str(post.summary)[:110],
            "datePublished": machine_datetime(post.posted_at),
            "dateModified": machine_datetime(max(post.posted_at, post.updated_at)),
            "articleBody": post_text(post),
        }
        if post.author:
            update["author"] = {
                "@type": post.author.schema_type,
                "name": post.author.name,
                "url": absolute(post.author.get_absolute_url()),
            }
        updates.append(update)
    data["liveBlogUpdate"] = updates
    return data


@register.simple_tag
def live_json_ld(page: LiveBlogPage, posts: list[LivePost]) -> SafeString:
    return _script(live_blog_schema(page, posts))
