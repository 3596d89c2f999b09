"""Puts comments in Wagtail's admin: the moderation queue, the ban list, a dashboard panel."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from wagtail import hooks

from dateline.comments.admin_views import CommentsViewSetGroup, ModerationPanel, can_moderate


@hooks.register("register_admin_viewset")
def register_comments() -> CommentsViewSetGroup:
    return CommentsViewSetGroup()


@hooks.register("construct_homepage_panels")
def comments_waiting_panel(request: HttpRequest, panels: list[Any]) -> None:
    if can_moderate(request):
        panels.append(ModerationPanel())
