"""A live blog's own Atom feed: one entry per post, newest first.

Made with the newsroom's Atom generator (one <author> per author), as the section
feeds are; a plain anonymous 200, so the page cache keeps it until the next post.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string

from dateline.live.models import POSTS_POLLED, LiveBlogPage, LivePost
from dateline.newsroom.feeds import MediaAtomFeed, page_path
from dateline.newsroom.templatetags.newsroom_tags import absolute


class LiveBlogFeed(Feed):
    feed_type = MediaAtomFeed

    @property
    def language(self) -> str:  # type: ignore[override]
        return settings.PUBLICATION_LANGUAGE

    def get_object(self, request: HttpRequest, page_id: int) -> LiveBlogPage:
        blog = LiveBlogPage.objects.live().public().filter(pk=page_id).first()
        if blog is None:
            raise Http404("No such live blog")
        blog.cache_rules(request)
        blog.__dict__["feed_link"] = absolute(page_path(blog, request))
        return blog

    def title(self, blog: LiveBlogPage) -> str:
        return f"{blog.title} | {settings.PUBLICATION_NAME}"

    def link(self, blog: LiveBlogPage) -> str:
        return str(blog.feed_link)

    def feed_url(self, blog: LiveBlogPage) -> str:
        return absolute(f"/live/{blog.pk}/atom.xml")

    def subtitle(self, blog: LiveBlogPage) -> str:
        return blog.standfirst

    def author_name(self, blog: LiveBlogPage) -> str:
        return settings.PUBLICATION_NAME

    def items(self, blog: LiveBlogPage) -> list[LivePost]:
        posts = blog.stream(POSTS_POLLED)
        for post in posts:
            post.__dict__["feed_link"] = f"{blog.feed_link}#{post.anchor}"
        return posts

    def item_title(self, post: LivePost) -> str:
        return str(post.summary)

    def item_description(self, post: LivePost) -> str:
        # The post as the page shows it; the XML writer escapes it (type="html").
        return render_to_string("live/post_body.html", {"post": post})

    def item_link(self, post: LivePost) -> str:
        return str(post.feed_link)  # type: ignore[attr-defined]

    def item_guid(self, post: LivePost) -> str:
        return str(post.feed_link)  # type: ignore[attr-defined]

    item_guid_is_permalink = True

    def item_pubdate(self, post: LivePost) -> datetime.datetime:
        return post.posted_at

    def item_updateddate(self, post: LivePost) -> datetime.datetime:
        return max(post.posted_at, post.updated_at)

    def item_extra_kwargs(self, post: LivePost) -> dict[str, Any]:
        return {"authors": [post.author.name] if post.author else []}
