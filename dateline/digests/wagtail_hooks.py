"""The digests' dashboard panel (their screens are in the Newsletter menu: newsletter's hooks)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from wagtail import hooks

from dateline.digests.admin_views import ANY, NextDigestPanel, can


@hooks.register("construct_homepage_panels")
def next_digest_panel(request: HttpRequest, panels: list[Any]) -> None:
    if can(request, *ANY):
        panels.append(NextDigestPanel())
