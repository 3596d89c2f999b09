"""Shared by the comment tests: a form as the article page renders it, aged past the minimum."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

from dateline.comments.models import Comment, Commenter
from dateline.lib.formstamp import make_stamp


def old_stamp() -> str:
    """A stamp old enough to pass the too-fast check, as if the reader took their time."""
    return make_stamp(time.time() - settings.COMMENTS_MIN_FORM_SECONDS - 5)


def form(for_article: Any, **fields: Any) -> dict[str, Any]:
    data = {
        "article": str(for_article.pk),
        "name": "Ilse Maren",
        "email": "ilse@example.org",
        "body": "The ferry timetable was *finally* published on Monday.",
        "stamp": old_stamp(),
        "website": "",
    }
    data.update({k: v for k, v in fields.items() if v is not None})
    return data


def approved(article: Any, name: str = "Tomas Brenn", parent: Comment | None = None, **kw: Any):
    """A published comment, stored directly (as a moderator's approval leaves it)."""
    from dateline.comments.render import render_markdown

    body = kw.pop("body", f"A comment by {name}.")
    comment = Comment.objects.create(
        article=article,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        thread_id=parent.thread_id if parent else None,
        name=name,
        body=body,
        body_html=render_markdown(body),
        status=kw.pop("status", Comment.Status.APPROVED),
        **kw,
    )
    if parent is None:
        Comment.objects.filter(pk=comment.pk).update(thread_id=comment.pk)
        comment.thread_id = comment.pk
    return comment


def held(article, name="Ilse Maren", email="ilse@example.org", **kw):
    """A comment waiting in the moderation queue, from an address of its own."""
    commenter, _ = Commenter.objects.get_or_create(email=email)
    return approved(
        article, name, status=Comment.Status.HELD, commenter=commenter, ip="198.51.100.7", **kw
    )
