"""Subscribers in the admin: the listing, one subscriber, suppress, erase, CSV download."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

import django_filters
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView, View
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton

from dateline.newsletter import admin_data, signup
from dateline.newsletter.admin_views.access import ANY, SUBSCRIBERS, subscribers_url
from dateline.newsletter.models import (
    ConsentRecord,
    Newsletter,
    Subscriber,
    Subscription,
    Suppression,
)
from dateline.newsroom.models import SectionPage

# Listing ----------------------------------------------------------------------


class SubscriberFilterSet(WagtailFilterSet):
    section = django_filters.ModelChoiceFilter(
        label="Section",
        queryset=SectionPage.objects.order_by("path"),
        method="filter_section",
        help_text="Who gets this section: those who chose it and those who chose none",
    )

    newsletter = django_filters.ModelChoiceFilter(
        label="Newsletter",
        queryset=Newsletter.objects.all(),
        method="filter_newsletter",
        help_text="Who is on this newsletter now",
    )

    class Meta:
        model = Subscriber
        fields = ["status", "cadence"]

    def filter_newsletter(
        self, queryset: QuerySet[Subscriber], name: str, value: Any
    ) -> QuerySet[Subscriber]:
        on = Subscription.objects.filter(subscriber_id=OuterRef("pk"), left_at=None)
        return queryset.filter(Exists(on.filter(newsletter_id=value.pk)))

    def filter_section(
        self, queryset: QuerySet[Subscriber], name: str, value: Any
    ) -> QuerySet[Subscriber]:
        # No sections chosen means every section, so they get this one too.
        chosen = Subscriber.sections.through.objects.filter(subscriber_id=OuterRef("pk"))
        return queryset.filter(Exists(chosen.filter(sectionpage_id=value.pk)) | ~Exists(chosen))


class SectionsColumn(Column):
    def get_value(self, instance: Subscriber) -> str:
        titles = [section.title for section in instance.sections.all()]
        return ", ".join(titles) or "Every section"


class NewslettersColumn(Column):
    def get_value(self, instance: Subscriber) -> str:
        names = [s.newsletter.name for s in getattr(instance, "open_subscriptions", [])]
        return ", ".join(names) or "None"


def open_subscriptions() -> Prefetch:
    return Prefetch(
        "subscriptions",
        queryset=Subscription.objects.filter(left_at=None).select_related("newsletter"),
        to_attr="open_subscriptions",
    )


def subscriber_counts() -> dict[str, int]:
    Status = Subscriber.Status
    return Subscriber.objects.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=Status.ACTIVE)),
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        unsubscribed=Count("pk", filter=Q(status=Status.UNSUBSCRIBED)),
    )


class SubscriberIndexView(IndexView):
    template_name = "newsletter/admin/subscriber_index.html"
    page_title = "Newsletter subscribers"

    def get_base_queryset(self) -> QuerySet[Subscriber]:
        return super().get_base_queryset().prefetch_related("sections", open_subscriptions())

    @cached_property
    def header_buttons(self) -> list[HeaderButton]:
        buttons = []
        status = self.request.GET.get("status", "")
        export = subscribers_url("export")
        if status in Subscriber.Status.values:
            export = f"{export}?status={status}"
        buttons.append(HeaderButton("Download CSV", url=export, icon_name="download"))
        if self.user_has_permission("add"):
            buttons.append(
                HeaderButton(
                    "Import CSV", url=reverse("newsletter_import:index"), icon_name="upload"
                )
            )
        return buttons

    def get_context_data(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(*args, **kwargs)
        if not self.results_only:
            counts = subscriber_counts()
            index = subscribers_url("index")
            context["counts"] = [
                ("total", "in all", counts["total"], index),
                ("active", "active", counts["active"], f"{index}?status=active"),
                (
                    "pending",
                    "waiting for confirmation",
                    counts["pending"],
                    f"{index}?status=pending",
                ),
                (
                    "unsubscribed",
                    "unsubscribed",
                    counts["unsubscribed"],
                    f"{index}?status=unsubscribed",
                ),
            ]
        return context


# One subscriber -----------------------------------------------------------------


def consent_history(subscriber: Subscriber) -> QuerySet[ConsentRecord]:
    """Every request for this address, and any change of address it made."""
    return (
        ConsentRecord.objects.filter(Q(email=subscriber.email) | Q(subscriber=subscriber))
        .select_related("consent_text")
        .order_by("signup_at", "pk")
    )


class SubscriberDetailView(InspectView):
    template_name = "newsletter/admin/subscriber_detail.html"
    page_title = "Subscriber"
    fields = ["email"]

    @cached_property
    def header_buttons(self) -> list[HeaderButton]:
        return [
            HeaderButton(
                "Download data (JSON)",
                url=subscribers_url("data", self.object.pk),
                icon_name="download",
            )
        ]

    def get_header_more_buttons(self) -> list[Any]:
        return []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        subscriber: Subscriber = self.object
        context.update(
            subscriber=subscriber,
            sections=[s.title for s in subscriber.sections.all()],
            subscriptions=list(
                Subscription.objects.filter(subscriber=subscriber)
                .select_related("newsletter", "consent_text")
                .order_by("joined_at", "pk")
            ),
            consents=list(consent_history(subscriber)),
            suppression=Suppression.objects.filter(email=subscriber.email).first(),
            can_suppress=self.user_has_permission("change"),
            can_erase=self.user_has_permission("delete"),
            suppress_url=subscribers_url("suppress", subscriber.pk),
            erase_url=subscribers_url("erase", subscriber.pk),
            data_url=subscribers_url("data", subscriber.pk),
        )
        return context


class SubscriberActionMixin(PermissionCheckedMixin):
    """A view about one subscriber, for users with ``permission_required``."""

    model = Subscriber
    kwargs: dict[str, Any]

    @cached_property
    def subscriber(self) -> Subscriber:
        return get_object_or_404(Subscriber, pk=self.kwargs["pk"])


class SuppressView(SubscriberActionMixin, View):
    """Unsubscribe an address and put it on the suppression list as staff's decision."""

    permission_required = "change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        subscriber = self.subscriber
        note = request.POST.get("note", "").strip()[:500]
        with transaction.atomic():
            signup.unsubscribe(subscriber, how="staff")
            # unsubscribe() files the address as "unsubscribed"; staff's reason
            # is the one to keep, and it outlives an erasure.
            signup.suppress(subscriber.email, Suppression.Reason.MANUAL, note=note)
        messages.success(request, "Unsubscribed and added to the suppression list.")
        return HttpResponseRedirect(subscribers_url("inspect", subscriber.pk))


class SubscriberDataView(SubscriberActionMixin, View):
    """Everything we hold on one subscriber, as the JSON a reader gets from their own page."""

    any_permission_required = ANY

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        response = JsonResponse(
            admin_data.subscriber_data(self.subscriber), json_dumps_params={"indent": 2}
        )
        response["Content-Disposition"] = f'attachment; filename="subscriber-{pk}.json"'
        return response


class EraseView(SubscriberActionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Erase a subscriber's personal data, after a confirmation page."""

    permission_required = "delete"
    template_name = "newsletter/admin/erase_confirm.html"
    page_title = "Erase subscriber"
    header_icon = "bin"

    def get_page_subtitle(self) -> str:
        return self.subscriber.email

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": subscribers_url("index"), "label": "Newsletter subscribers"},
            {"url": subscribers_url("inspect", self.subscriber.pk), "label": self.subscriber.email},
            {"url": "", "label": "Erase"},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        suppression = Suppression.objects.filter(email=self.subscriber.email).first()
        context.update(
            subscriber=self.subscriber,
            consent_count=consent_history(self.subscriber).count(),
            kept_suppression=(
                suppression
                if suppression and suppression.reason != Suppression.Reason.UNSUBSCRIBED
                else None
            ),
            cancel_url=subscribers_url("inspect", self.subscriber.pk),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        subscriber = self.subscriber
        email, subscriber_pk = subscriber.email, subscriber.pk
        with transaction.atomic():
            admin_data.erase(subscriber)
            admin_data.forget_admin_log(email, subscriber_pk)
        # The message names no one: it sits in the session until it is shown.
        messages.success(request, "The subscriber's personal data has been erased.")
        return HttpResponseRedirect(subscribers_url("index"))


# CSV download ---------------------------------------------------------------------


class _Echo:
    """A file for csv.writer that hands each line back, for a streaming response."""

    def write(self, value: str) -> str:
        return value


class ExportView(PermissionCheckedMixin, View):
    model = Subscriber
    any_permission_required = ANY

    def get(self, request: HttpRequest) -> HttpResponseBase:
        status = request.GET.get("status", "")
        if status not in Subscriber.Status.values:
            status = ""
        writer = csv.writer(_Echo())

        def lines() -> Iterator[str]:
            # Excel only reads a CSV as UTF-8 when it starts with a BOM; the import skips it.
            yield "\ufeff"
            for row in admin_data.export_rows(status or None):
                yield writer.writerow(row)

        name = "-".join(
            part for part in ("subscribers", status, timezone.localdate().isoformat()) if part
        )
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


# Viewset ----------------------------------------------------------------------


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    name = SUBSCRIBERS
    url_prefix = "newsletter/subscribers"
    icon = "group"
    menu_label = "Subscribers"
    index_view_class = SubscriberIndexView
    inspect_view_class = SubscriberDetailView
    inspect_view_enabled = True
    copy_view_enabled = False
    # Nothing on a subscriber points at other content worth tracking.
    add_to_reference_index = False
    filterset_class = SubscriberFilterSet
    search_fields = ["email"]
    list_per_page = 50
    ordering = "-created_at"
    list_display = [
        "email",
        "status",
        NewslettersColumn("newsletters", label="Newsletters"),
        "cadence",
        SectionsColumn("sections", label="Sections"),
        DateColumn("created_at", label="Signed up", sort_key="created_at"),
        DateColumn("confirmed_at", label="Confirmed", sort_key="confirmed_at"),
    ]

    def get_common_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        # No add, edit, copy, delete or history pages: see the module docstring.
        # Erasure replaces delete.
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    def register_admin_url_finder(self) -> None:
        # Wagtail's finder links to an edit page, which subscribers don't have.
        pass

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
            path("<int:pk>/suppress/", SuppressView.as_view(), name="suppress"),
            path("<int:pk>/data.json", SubscriberDataView.as_view(), name="data"),
            path("<int:pk>/erase/", EraseView.as_view(), name="erase"),
            path("export.csv", ExportView.as_view(), name="export"),
        ]
