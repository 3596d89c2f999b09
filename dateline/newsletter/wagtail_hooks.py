"""Puts the newsletter's growth panel on the dashboard.

Its screens (subscribers, growth, suppressions, import) are in the Newsletter menu
with the digests' own, so the digests app, which sits above the newsletter,
registers that menu (digests/wagtail_hooks.py).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from wagtail import hooks

from dateline.newsletter.admin_views import ANY, GrowthPanel, can


@hooks.register("construct_homepage_panels")
def subscriber_growth_panel(request: HttpRequest, panels: list[Any]) -> None:
    if can(request, *ANY):
        panels.append(GrowthPanel())
