"""Puts comments in Wagtail's admin menu: the moderation queue and the ban list."""

from __future__ import annotations

from wagtail import hooks

from dateline.comments.admin_views import CommentsViewSetGroup


@hooks.register("register_admin_viewset")
def register_comments() -> CommentsViewSetGroup:
    return CommentsViewSetGroup()
