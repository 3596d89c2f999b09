"""The newsroom in Wagtail's admin: the editor's script, the most-read screen (under
Reports) and its dashboard panel."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from dateline.newsroom.admin_views import MOST_READ_URL, MostReadPanel, MostReadView


@hooks.register("insert_editor_js")
def editor_js() -> str:
    # A submit made during an autosave waits for it (static/dateline/admin/editor.js).
    return format_html('<script src="{}" defer></script>', static("dateline/admin/editor.js"))


@hooks.register("register_admin_urls")
def most_read_urls() -> list[Any]:
    return [path("reports/most-read/", MostReadView.as_view(), name=MOST_READ_URL)]


@hooks.register("register_reports_menu_item")
def most_read_menu_item() -> MenuItem:
    return MenuItem("Most read", reverse(MOST_READ_URL), icon_name="view", order=50)


@hooks.register("construct_homepage_panels")
def most_read_panel(request: HttpRequest, panels: list[Any]) -> None:
    panels.append(MostReadPanel())
