"""A comment readers can see appearing or going refreshes the cached pages."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dateline.comments.models import Comment
from dateline.newsroom.signals import reader_facing_change

_state = threading.local()


@contextlib.contextmanager
def one_refresh() -> Iterator[None]:
    """Save many comments (an import) with one page refresh at the end, not one each."""
    _state.quiet = True
    try:
        yield
    finally:
        _state.quiet = False
    refresh_pages()


def refresh_pages(article_id: int | None = None) -> None:
    """After the transaction commits: a page rendered before then would be stale."""
    if getattr(_state, "quiet", False):
        return
    transaction.on_commit(lambda: reader_facing_change(article_id or None))


def _shown(comment: Comment) -> bool:
    visible = Comment.Status.APPROVED
    return comment.status == visible or getattr(comment, "loaded_status", None) == visible


@receiver(post_save, sender=Comment)
def on_comment_saved(sender: Any, instance: Comment, **kwargs: Any) -> None:
    if _shown(instance):
        refresh_pages(instance.article_id)
    instance.loaded_status = instance.status


@receiver(post_delete, sender=Comment)
def on_comment_deleted(sender: Any, instance: Comment, **kwargs: Any) -> None:
    if _shown(instance):
        refresh_pages(instance.article_id)
