"""Newsletter growth: the chart and table of the last 90 days, and the dashboard panel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import path, reverse
from django.utils import dateformat
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet

from dateline.lib.charts import LineChart, line_chart
from dateline.newsletter import admin_data
from dateline.newsletter.admin_views.access import ANY, menu_item_for
from dateline.newsletter.models import Subscriber

SERIES = (
    # name, label; colours and dash patterns come from dateline.lib.charts in this order.
    ("signups", "Signups"),
    ("confirmations", "Confirmations"),
    ("unsubscribes", "Unsubscribes"),
)


def growth_chart(growth: admin_data.Growth) -> LineChart:
    """A line chart of the three series (dateline.lib.charts, charts/line_chart.html)."""
    days = [d.day for d in growth.days]
    when = f"{dateformat.format(days[0], 'j M Y')} to {dateformat.format(days[-1], 'j M Y')}"
    totals = growth.totals
    return line_chart(
        "growth",
        f"Subscribers per day, {when}",
        f"{totals['signups']} signups, {totals['confirmations']} confirmations and "
        f"{totals['unsubscribes']} unsubscribes in all.",
        days,
        [(label, [getattr(d, name) for d in growth.days]) for name, label in SERIES],
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
