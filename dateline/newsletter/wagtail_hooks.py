"""Puts the newsletter in Wagtail's admin: subscribers, growth, suppressions, import, a panel."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from wagtail import hooks

from dateline.newsletter.admin_views import ANY, GrowthPanel, NewsletterViewSetGroup, can


@hooks.register("register_admin_viewset")
def register_newsletter() -> NewsletterViewSetGroup:
    return NewsletterViewSetGroup()


@hooks.register("construct_homepage_panels")
def subscriber_growth_panel(request: HttpRequest, panels: list[Any]) -> None:
    if can(request, *ANY):
        panels.append(GrowthPanel())
