"""Newsletter growth: the chart and table of the last 90 days, and the dashboard panel."""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet

from dateline.newsletter import admin_data
from dateline.newsletter.admin_views.access import ANY, menu_item_for
from dateline.newsletter.models import Subscriber

SERIES = (
    # name, label, colour, dash pattern: the lines differ by more than colour.
    ("signups", "Signups", "#2b6cb0", ""),
    ("confirmations", "Confirmations", "#2f855a", "7 4"),
    ("unsubscribes", "Unsubscribes", "#c53030", "2 3"),
)


def nice_step(top: int, lines: int = 4) -> int:
    """A round gridline step (1, 2, 5, 10, 20, ...) giving about ``lines`` gridlines."""
    rough = max(top / lines, 1)
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if factor * power >= rough:
            return int(factor * power)
    return int(10 * power)


@dataclass
class ChartLine:
    name: str
    label: str
    colour: str
    dash: str
    # "x,y x,y ...", for the polyline's points.
    points: str
    # Where its key sits above the plot.
    key_x: int


@dataclass
class GrowthChart:
    """The growth chart's geometry, drawn by growth_chart.html (an inline SVG, so the
    admin loads no chart library). Coordinates are formatted here with a point for the
    decimal, whatever language the admin speaks."""

    width: int
    height: int
    left: int
    right_edge: int
    plot_bottom: int
    tick_bottom: int
    date_y: int
    # (y, its label's y, value) of each gridline; (x, day, text-anchor) of each date tick.
    gridlines: list[tuple[str, str, int]]
    ticks: list[tuple[str, datetime.date, str]]
    lines: list[ChartLine]
    first: datetime.date
    last: datetime.date
    totals: dict[str, int]


def growth_chart(growth: admin_data.Growth) -> GrowthChart:
    """A line chart of the three series."""
    width, height = 960, 300
    left, right, top, bottom = 48, 16, 40, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    days = growth.days
    highest = max((getattr(d, name) for d in days for name, *_ in SERIES), default=0)
    step = nice_step(highest)
    y_max = max(step * math.ceil(highest / step), step)

    def x(index: int) -> float:
        return left + index * plot_w / max(len(days) - 1, 1)

    def y(value: int) -> float:
        return top + plot_h - value * plot_h / y_max

    gridlines = [(f"{y(v):.1f}", f"{y(v) + 4:.1f}", v) for v in range(0, y_max + 1, step)]
    # A date under every second week, counted back from today so today is labelled.
    ticks = [
        (f"{x(i):.1f}", days[i].day, "end" if i == len(days) - 1 else "middle")
        for i in range(len(days) - 1, -1, -14)
    ]
    lines = [
        ChartLine(
            name=name,
            label=label,
            colour=colour,
            dash=dash,
            points=" ".join(f"{x(i):.1f},{y(getattr(d, name)):.1f}" for i, d in enumerate(days)),
            key_x=left + number * 150,
        )
        for number, (name, label, colour, dash) in enumerate(SERIES)
    ]
    return GrowthChart(
        width=width,
        height=height,
        left=left,
        right_edge=width - right,
        plot_bottom=top + plot_h,
        tick_bottom=top + plot_h + 4,
        date_y=height - 12,
        gridlines=gridlines,
        ticks=ticks,
        lines=lines,
        first=days[0].day,
        last=days[-1].day,
        totals=growth.totals,
    )


class GrowthView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    model = Subscriber
    any_permission_required = ANY
    template_name = "newsletter/admin/growth.html"
    page_title = "Newsletter growth"
    header_icon = "calendar-check"
    days = 90

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": "Newsletter growth"}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        growth = admin_data.growth(self.days)
        context.update(
            growth=growth,
            chart=growth_chart(growth),
            totals=growth.totals,
            rate_percent=None if growth.rate is None else round(growth.rate * 100),
            first_day=growth.days[0].day,
            series=SERIES,
        )
        return context


class GrowthPanel(Component):
    """Dashboard: the week's new, confirmed and lost subscribers, and how many read us now."""

    name = "subscriber_growth"
    template_name = "newsletter/admin/dashboard_panel.html"
    order = 90

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        totals = admin_data.growth(7).totals
        return {
            "totals": totals,
            "net": totals["confirmations"] - totals["unsubscribes"],
            "active": Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).count(),
            "growth_url": reverse("newsletter_growth:index"),
        }


class GrowthViewSet(ViewSet):
    name = "newsletter_growth"
    url_prefix = "newsletter/growth"
    icon = "calendar-check"
    menu_label = "Growth"
    menu_item_class = menu_item_for(ANY)

    def get_urlpatterns(self) -> list[Any]:
        return [path("", GrowthView.as_view(), name="index")]
