"""Puts the wire desk in Wagtail's admin menu, and wire notices on the stories that used it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from wagtail import hooks
from wagtail.models import Page

from dateline.wire.admin_views import WireViewSetGroup, notices_for


@hooks.register("register_admin_viewset")
def register_wire() -> WireViewSetGroup:
    return WireViewSetGroup()


@hooks.register("before_edit_page")
def warn_about_wire_changes(request: HttpRequest, page: Page) -> None:
    if request.method == "GET":
        for notice in notices_for(page):
            messages.warning(request, notice)
