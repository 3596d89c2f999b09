"""An Atom feed of each article's published comments, newest first.

An anonymous 200 like the article itself, so the page cache keeps it; a comment
appearing or going starts a new cache generation (signals.py) and so refreshes it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from dateline.comments.models import Comment
from dateline.newsroom.models import ArticlePage

FEED_LENGTH = 50


class ArticleCommentsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, article_id: int) -> ArticlePage:
        article = ArticlePage.objects.live().public().filter(pk=article_id).first()
        if article is None:
            raise Http404("No such article")
        return article

    def title(self, obj: ArticlePage) -> str:
        return f"Comments on: {obj.title}"

    def link(self, obj: ArticlePage) -> str:
        return f"{settings.BASE_URL}{obj.url}#comments"

    def feed_url(self, obj: ArticlePage) -> str:
        return settings.BASE_URL + reverse("comments:feed", args=[obj.pk])

    def subtitle(self, obj: ArticlePage) -> str:
        return f"Readers' comments on {settings.PUBLICATION_NAME}"

    def items(self, obj: ArticlePage) -> Any:
        return (
            Comment.objects.filter(article=obj, status=Comment.Status.APPROVED)
            .select_related("article")
            .order_by("-created_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item: Comment) -> str:
        return f"{item.name} on {item.article.title}"

    def item_description(self, item: Comment) -> str:
        # Already sanitised (render.py); the feed generator escapes it once more as text.
        return item.body_html

    def item_link(self, item: Comment) -> str:
        return f"{settings.BASE_URL}{item.article.url}#{item.anchor}"

    def item_guid(self, item: Comment) -> str:
        return f"{settings.BASE_URL}/comments/{item.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, item: Comment) -> str:
        return item.name

    def item_pubdate(self, item: Comment) -> datetime.datetime:
        return item.created_at

    def item_updateddate(self, item: Comment) -> datetime.datetime:
        return item.edited_at or item.created_at
