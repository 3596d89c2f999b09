"""The wire desk in Wagtail's admin: clusters newest first, providers and their health.

Seeing the desk needs any permission on WireItem (superusers have them all, editors
are given "view" by the wire app's migration); writing a story needs the right to add
pages in the chosen section, as anywhere else in Wagtail.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView, View
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import Panel
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Page
from wagtail.permissions import policy_registry

from dateline.newsroom.models import ArticlePage, SectionPage
from dateline.wire.models import (
    Provider,
    QuoteCheck,
    QuoteCheckPolicy,
    StoryCluster,
    WireItem,
    WireUse,
)
from dateline.wire.quotes import article_quotes, cited_items, unchecked_sources
from dateline.wire.stories import CannotWrite, usable_items, write_story

DESK = "wire_desk"
ANY = ["add", "change", "delete", "view"]
CLUSTERS_PER_PAGE = 20


def can_see_desk(request: HttpRequest) -> bool:
    policy = policy_registry.get_by_type(WireItem)
    return bool(policy.user_has_any_permission(request.user, ANY))


def writable_sections(request: HttpRequest) -> list[SectionPage]:
    sections = SectionPage.objects.order_by("path")
    return [s for s in sections if s.permissions_for_user(request.user).can_add_subpage()]


class DeskView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Clusters newest first, each with its reports, agencies, times and stories."""

    model = WireItem
    any_permission_required = ANY
    template_name = "wire/admin/desk.html"
    page_title = "Wire desk"
    header_icon = "globe"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        # The header shows the last breadcrumb: without this one it read "Home".
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = Paginator(StoryCluster.objects.order_by("-last_item_at", "-pk"), CLUSTERS_PER_PAGE)
        clusters = page.get_page(self.request.GET.get("p"))
        ids = [c.pk for c in clusters]
        items: dict[int, list[WireItem]] = defaultdict(list)
        for item in (
            WireItem.objects.filter(cluster_id__in=ids)
            .select_related("provider")
            .order_by("-version_created", "-pk")
        ):
            items[item.cluster_id].append(item)  # type: ignore[index]
        articles: dict[int, dict[int, ArticlePage]] = defaultdict(dict)
        for use in WireUse.objects.filter(item__cluster_id__in=ids).select_related(
            "article", "item"
        ):
            articles[use.item.cluster_id][use.article_id] = use.article  # type: ignore[index]
        for cluster in clusters:
            members = items[cluster.pk]
            cluster.reports = [i for i in members if not i.duplicate_of_id]  # type: ignore[attr-defined]
            cluster.duplicate_count = len(members) - len(cluster.reports)  # type: ignore[attr-defined]
            cluster.agencies = sorted({i.provider.name for i in members})  # type: ignore[attr-defined]
            cluster.articles = list(articles[cluster.pk].values())  # type: ignore[attr-defined]
            cluster.photos = [  # type: ignore[attr-defined]
                (item, n, image)
                for item in cluster.reports  # type: ignore[attr-defined]
                for n, image in enumerate(item.images)
                if item.status == WireItem.Status.USABLE
            ]
        context.update(
            clusters=clusters,
            page=clusters,
            sections=writable_sections(self.request),
            failing=Provider.objects.filter(active=True, failures__gte=3),
        )
        return context


class WriteStoryView(PermissionCheckedMixin, View):
    """POST a cluster (or one item), a section and optionally a photo: opens the new draft."""

    model = WireItem
    any_permission_required = ANY
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        desk = reverse(f"{DESK}:index")
        section = SectionPage.objects.filter(pk=request.POST.get("section") or 0).first()
        if section is None or not section.permissions_for_user(request.user).can_add_subpage():
            messages.error(request, "Choose a section you can add stories to.")
            return HttpResponseRedirect(desk)
        if request.POST.get("item"):
            item = get_object_or_404(WireItem, pk=request.POST["item"])
            items = [item]
        else:
            cluster = get_object_or_404(StoryCluster, pk=request.POST.get("cluster") or 0)
            items = usable_items(cluster)
        photo = None
        if request.POST.get("photo"):
            try:
                item_id, index = (int(x) for x in request.POST["photo"].split(":"))
                photo_item = WireItem.objects.get(pk=item_id)
                photo_item.images[index]  # an index that is not there is refused
                photo = (photo_item, index)
            except (ValueError, IndexError, WireItem.DoesNotExist):
                messages.error(request, "That photo is not in the wire any more.")
                return HttpResponseRedirect(desk)
        try:
            article = write_story(items, section, request.user, photo)
        except CannotWrite as error:
            messages.error(request, f"No story written: {error}.")
            return HttpResponseRedirect(desk)
        messages.success(
            request, "Draft created from the wire; the reports are in its Wire copy panel."
        )
        return HttpResponseRedirect(reverse("wagtailadmin_pages:edit", args=[article.pk]))


class NewClustersPanel(Component):
    """Dashboard: the events the wire brought in the last day, newest first."""

    name = "new_wire_clusters"
    template_name = "wire/admin/dashboard_panel.html"
    order = 80
    since = datetime.timedelta(hours=24)

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        new = StoryCluster.objects.filter(created_at__gte=timezone.now() - self.since)
        return {
            "count": new.count(),
            "clusters": list(
                new.annotate(reports=Count("items")).order_by("-last_item_at", "-pk")[:5]
            ),
            "desk_url": reverse(f"{DESK}:index"),
        }


class DeskMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return can_see_desk(request)


class DeskViewSet(ViewSet):
    name = DESK
    url_prefix = "wire/desk"
    icon = "globe"
    menu_label = "Desk"
    menu_item_class = DeskMenuItem

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", DeskView.as_view(), name="index"),
            path("write/", WriteStoryView.as_view(), name="write"),
        ]


class StatusColumn(Column):
    """A provider's health as a word editors can scan for: ok, failing or paused."""

    def get_value(self, instance: Provider) -> str:
        if instance.status == "failing":
            return f"failing ({instance.failures} in a row)"
        return instance.status


class ProviderViewSet(ModelViewSet):
    model = Provider
    name = "wire_providers"
    icon = "download"
    menu_label = "Providers"
    url_prefix = "wire/providers"
    add_to_admin_menu = False
    # The form is Provider.panels: its health shows read-only, and only once it has some.
    list_display = [
        "name",
        "transport",
        "format",
        StatusColumn("status", label="Status"),
        DateColumn("last_success_at", label="Last good poll"),
        Column("last_error", label="Last error"),
    ]


class QuoteCheckPolicyViewSet(ModelViewSet):
    """Which sections refuse to publish a quote not found in the cited wire sources."""

    model = QuoteCheckPolicy
    name = "wire_quote_policies"
    icon = "openquote"
    menu_label = "Quote checks"
    url_prefix = "wire/quote-checks"
    add_to_admin_menu = False
    list_display = ["section", "blocking"]


class WireViewSetGroup(ViewSetGroup):
    menu_label = "Wire"
    menu_icon = "globe"
    items = (DeskViewSet, ProviderViewSet, QuoteCheckPolicyViewSet)


class WireCopyPanel(Panel):
    """Beside the editor: the wire reports a story was written from, and its quote check."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "wire/admin/wire_copy_panel.html"

        def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
            context = super().get_context_data(parent_context)
            pk = getattr(self.instance, "pk", None)
            uses = (
                WireUse.objects.filter(article_id=pk).select_related("item", "item__provider")
                if pk
                else WireUse.objects.none()
            )
            items = cited_items(self.instance) if pk else []
            context.update(
                uses=uses,
                checks=QuoteCheck.objects.filter(article_id=pk).select_related("item__provider")
                if pk
                else [],
                has_quotes=bool(article_quotes(getattr(self.instance, "body", None))),
                cites_wire=bool(items),
                unchecked=unchecked_sources(self.instance, items) if pk else [],
            )
            return context


def notices_for(page: Page) -> list[str]:
    return [
        n for n in WireUse.objects.filter(article_id=page.pk).values_list("notice", flat=True) if n
    ]
