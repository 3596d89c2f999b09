from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count

from dateline.comments.models import Comment
from dateline.comments.thread import POSTED_FLAG, Thread, build_thread, new_stamp, personalise

register = template.Library()


@register.simple_tag(takes_context=True)
def comments_for(context: template.Context, article: Any) -> Thread:
    """The article's thread for its page: ``{% comments_for page as thread %}``."""
    request = context.get("request")
    query = request.GET if request is not None else {}
    thread = build_thread(article, query.get("page"), query.get("sort", "oldest"))
    thread.stamp = new_stamp()
    # Only on the redirect after posting: the shared cached page never has it.
    if request is not None and POSTED_FLAG in query:
        personalise(thread, request)
    return thread


@register.simple_tag
def attach_comment_counts(articles: Any) -> str:
    """Give each article card its published comment count, in one query for the lot."""
    items = list(articles)
    counts = dict(
        Comment.objects.filter(article_id__in=[a.pk for a in items], status=Comment.Status.APPROVED)
        .values_list("article_id")
        .annotate(n=Count("pk"))
    )
    for article in items:
        article.comment_count = counts.get(article.pk, 0)
    return ""


@register.filter
def plural_comments(count: int) -> str:
    return "1 comment" if count == 1 else f"{count:,} comments"
