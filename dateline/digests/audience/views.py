"""The Audience area in Wagtail's admin: what readers read, how the lists grow, how issues do.

Seen by whoever may see the digests (any permission on DigestIssue). Charts are
inline SVG drawn by templates, each followed by its table and a CSV download.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import dateformat
from django.utils.functional import cached_property
from django.views.generic import TemplateView, View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permissions import policy_registry

from dateline.digests.audience import charts, data, exports
from dateline.digests.figures import issue_figures
from dateline.digests.models import DigestIssue
from dateline.lib import charts as linecharts
from dateline.newsroom.models import ArticlePage

NAME = "audience"
# Whoever may see the digests (any permission on DigestIssue), as admin_views has it.
ANY = ["add", "change", "delete", "view"]
MOST_READ_DEFAULT = 7
SPAN_DEFAULT = 30


def can_see(request: HttpRequest) -> bool:
    policy = policy_registry.get_by_type(DigestIssue)
    return bool(policy.user_has_any_permission(request.user, ANY))


class AudienceMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return can_see(request)


def audience_url(name: str, *args: Any) -> str:
    return reverse(f"{NAME}:{name}", args=args)


class AudienceMixin(PermissionCheckedMixin):
    model = DigestIssue
    any_permission_required = ANY
    request: HttpRequest

    def days(self, name: str, choices: tuple[int, ...], default: int) -> int:
        return data.period(self.request.GET.get(name), choices, default)


def growth_charts(growth: data.Growth) -> list[linecharts.LineChart]:
    first, last = growth.days[0], growth.days[-1]
    when = f"{dateformat.format(first, 'j M Y')} to {dateformat.format(last, 'j M Y')}"
    made = []
    for chart_id, what, attribute in (
        ("growth-joins", "joined", "joins"),
        ("growth-leaves", "left", "leaves"),
    ):
        totals = ", ".join(
            f"{n.newsletter.name}: {sum(getattr(n, attribute))}" for n in growth.newsletters
        )
        made.append(
            linecharts.line_chart(
                chart_id,
                f"Readers who {what} each newsletter per day, {when}",
                f"In all, {totals or 'no newsletter yet'}.",
                growth.days,
                [(n.newsletter.name, getattr(n, attribute)) for n in growth.newsletters],
            )
        )
    return made


def issues_chart(rows: list[data.IssueRow]) -> charts.BarChart:
    return charts.bar_chart(
        "issue-click-rates",
        "Click rate of recent issues",
        "Clicks per delivered mail of each issue, newest first.",
        [
            (str(row.issue), row.figures.click_rate or 0.0, row.figures.click_percent or "n/a")
            for row in rows
        ],
    )


class AudienceView(AudienceMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "digests/admin/audience/index.html"
    page_title = "Audience"
    header_icon = "view"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        days = self.days("days", tuple(d for d, _ in data.PERIODS), MOST_READ_DEFAULT)
        span = self.days("span", data.SPANS, SPAN_DEFAULT)
        growth = data.growth(span)
        issues = data.recent_issues()
        context.update(
            days=days,
            periods=[
                (label, f"?days={d}&span={span}#most-read", d == days) for d, label in data.PERIODS
            ],
            reads=data.top_stories(days),
            span=span,
            spans=[(d, f"?days={days}&span={d}#growth", d == span) for d in data.SPANS],
            growth=growth,
            growth_charts=growth_charts(growth),
            issues=issues,
            issues_chart=issues_chart(issues),
            csv_most_read=f"{audience_url('most_read_csv')}?days={days}",
            csv_growth=f"{audience_url('growth_csv')}?days={span}",
            csv_issues=audience_url("issues_csv"),
        )
        return context


class ArticleView(AudienceMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "digests/admin/audience/article.html"
    header_icon = "doc-full"
    kwargs: dict[str, Any]

    @cached_property
    def article(self) -> ArticlePage:
        return get_object_or_404(ArticlePage, pk=self.kwargs["pk"])

    def get_page_title(self) -> str:
        return f"Views of “{self.article.title}”"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": audience_url("index"), "label": "Audience"},
            {"url": "", "label": self.article.title},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        span = self.days("days", data.SPANS, SPAN_DEFAULT)
        views = data.article_views(self.article, span)
        first, last = views.days[0], views.days[-1]
        context.update(
            article=self.article,
            views=views,
            span=span,
            spans=[(d, f"?days={d}", d == span) for d in data.SPANS],
            chart=linecharts.line_chart(
                "article-views",
                f"Views of “{self.article.title}” per day, "
                f"{dateformat.format(first, 'j M Y')} to {dateformat.format(last, 'j M Y')}",
                f"{views.total} views in all.",
                views.days,
                [("Views", views.views)],
            ),
            csv_url=f"{audience_url('article_csv', self.article.pk)}?days={span}",
        )
        return context


class MostReadCsv(AudienceMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        days = self.days("days", tuple(d for d, _ in data.PERIODS), MOST_READ_DEFAULT)
        rows = exports.most_read_rows(data.top_stories(days), settings.BASE_URL)
        return exports.csv_response(f"most-read-{days}-days", rows)


class ArticleCsv(AudienceMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        article = get_object_or_404(ArticlePage, pk=pk)
        span = self.days("days", data.SPANS, SPAN_DEFAULT)
        views = data.article_views(article, span)
        return exports.csv_response(f"views-{article.slug}", exports.article_rows(views))


class GrowthCsv(AudienceMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        span = self.days("days", data.SPANS, SPAN_DEFAULT)
        return exports.csv_response(
            f"newsletter-growth-{span}-days", exports.growth_rows(data.growth(span))
        )


class IssuesCsv(AudienceMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return exports.csv_response("issues", exports.issue_rows(data.recent_issues()))


class IssueFiguresCsv(AudienceMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = get_object_or_404(DigestIssue, pk=pk)
        rows = exports.figures_rows(issue, issue_figures(issue))
        return exports.csv_response(f"issue-{issue.pk}", rows)


class AudienceViewSet(ViewSet):
    name = NAME
    url_prefix = "audience"
    icon = "view"
    menu_label = "Audience"
    menu_order = 460
    add_to_admin_menu = True
    menu_item_class = AudienceMenuItem

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", AudienceView.as_view(), name="index"),
            path("most-read.csv", MostReadCsv.as_view(), name="most_read_csv"),
            path("articles/<int:pk>/", ArticleView.as_view(), name="article"),
            path("articles/<int:pk>/views.csv", ArticleCsv.as_view(), name="article_csv"),
            path("growth.csv", GrowthCsv.as_view(), name="growth_csv"),
            path("issues.csv", IssuesCsv.as_view(), name="issues_csv"),
            path("issues/<int:pk>/figures.csv", IssueFiguresCsv.as_view(), name="issue_csv"),
        ]
