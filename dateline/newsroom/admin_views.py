"""The newsroom's own admin screens: the most-read stories, and their dashboard panel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from dateline.newsroom.readership import most_read

MOST_READ_URL = "newsroom_most_read"
# The periods of the most-read screen: (days, heading).
PERIODS = [(1, "Today"), (7, "This week"), (30, "The last 30 days")]


class MostReadView(WagtailAdminTemplateMixin, TemplateView):
    """Any editor may see it: view counts name stories, never readers."""

    template_name = "newsroom/admin/most_read.html"
    page_title = "Most read"
    header_icon = "view"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": "Most read"}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["periods"] = [(label, most_read(days, limit=25)) for days, label in PERIODS]
        return context


class MostReadPanel(Component):
    """Dashboard: the five most-read stories today and this week."""

    name = "most_read"
    template_name = "newsroom/admin/most_read_panel.html"
    order = 50

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {
            "today": most_read(1),
            "week": most_read(7),
            "screen_url": reverse(MOST_READ_URL),
        }
