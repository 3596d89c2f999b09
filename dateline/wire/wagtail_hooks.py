"""Puts the wire desk in Wagtail's admin menu and dashboard, and wire notices on stories."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from wagtail import hooks
from wagtail.models import Page

from dateline.newsroom.models import ArticlePage
from dateline.wire.admin_views import (
    NewClustersPanel,
    WireViewSetGroup,
    can_see_desk,
    notices_for,
)
from dateline.wire.quotes import check_article, record


@hooks.register("register_admin_viewset")
def register_wire() -> WireViewSetGroup:
    return WireViewSetGroup()


@hooks.register("construct_homepage_panels")
def new_clusters_panel(request: HttpRequest, panels: list[Any]) -> None:
    if can_see_desk(request):
        panels.append(NewClustersPanel())


@hooks.register("before_edit_page")
def warn_about_wire_changes(request: HttpRequest, page: Page) -> None:
    if request.method == "GET":
        for notice in notices_for(page):
            messages.warning(request, notice)


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def check_quotes_on_save(request: HttpRequest, page: Page) -> None:
    """Each save checks the story's quotes; what is not found is listed to the editor."""
    specific = page.specific
    if not isinstance(specific, ArticlePage):
        return
    article = specific.get_latest_revision_as_object()
    verdicts = check_article(article)
    record(article, verdicts)
    for verdict in verdicts:
        if verdict.verdict == "found":
            continue
        closest = f" Closest passage: “{verdict.passage[:160]}”." if verdict.passage else ""
        word = "only paraphrased" if verdict.verdict == "paraphrased" else "not found"
        messages.warning(
            request, f"Quote {word} in the cited wire sources: “{verdict.quote[:120]}”.{closest}"
        )
