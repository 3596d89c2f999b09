"""The newsletter in Wagtail's admin: subscribers, their consent, growth, imports, suppressions.

Access follows Django model permissions on Subscriber and Suppression, which
Wagtail's group settings show: superusers have them all, editors none until
given. Viewing needs any Subscriber permission, suppressing "change", importing
"add" and erasing "delete". Subscribers can't be created or edited here: an
address enters the list only by confirming, or by an import.
"""

from __future__ import annotations

import csv
import datetime
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
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
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import CreateView, IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.permissions import policy_registry

from dateline.digests.admin_views import DigestViewSet
from dateline.newsletter import admin_data, signup
from dateline.newsletter.imports import ImportFailed, ImportResult, import_subscribers
from dateline.newsletter.models import Cadence, ConsentRecord, Subscriber, Suppression
from dateline.newsroom.models import SectionPage

SUBSCRIBERS = "newsletter_subscribers"
ANY = ["add", "change", "delete", "view"]
# A web request should finish; bigger files go through the command, which has no limit.
ADMIN_IMPORT_MAX_ROWS = 20_000
ADMIN_IMPORT_MAX_BYTES = 10 * 1024 * 1024


def subscribers_url(name: str, *args: Any) -> str:
    return reverse(f"{SUBSCRIBERS}:{name}", args=args)


def can(request: HttpRequest, *actions: str) -> bool:
    """Whether the user has any of these permissions on Subscriber."""
    policy = policy_registry.get_by_type(Subscriber)
    return bool(policy.user_has_any_permission(request.user, list(actions)))


# Listing ----------------------------------------------------------------------


class SubscriberFilterSet(WagtailFilterSet):
    section = django_filters.ModelChoiceFilter(
        label="Section",
        queryset=SectionPage.objects.order_by("path"),
        method="filter_section",
        help_text="Who gets this section: those who chose it and those who chose none",
    )

    class Meta:
        model = Subscriber
        fields = ["status", "cadence"]

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
        return super().get_base_queryset().prefetch_related("sections")

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


# CSV upload -----------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "First line: the column names. email is required; cadence (weekly or "
            "twice_weekly) and sections (section slugs separated by ; or |) are optional. "
            f"Up to {ADMIN_IMPORT_MAX_ROWS:,} rows here; use the import-subscribers command "
            "for more."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    cadence = forms.ChoiceField(
        label="Cadence for rows without one", choices=Cadence.choices, initial=Cadence.WEEKLY
    )
    has_prior_consent = forms.BooleanField(
        label="These people have already agreed to receive the newsletter",
        required=False,
        help_text=(
            "Only tick this when you hold evidence of their consent. They are made active "
            "at once and get no confirmation mail. Otherwise every new address gets a "
            "confirmation mail and stays pending until its owner clicks the link."
        ),
    )
    prior_consent = forms.CharField(
        label="How and when they agreed",
        required=False,
        max_length=300,
        help_text=(
            "Kept with each subscriber as the evidence, e.g. 'signed up on paper at the "
            "2025 book fair, forms kept in the office'."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    encoding = forms.ChoiceField(
        label="Encoding",
        required=False,
        choices=[
            ("", "UTF-8 (what most programs write today)"),
            ("cp1252", "Windows Western (older Excel on Windows)"),
            ("latin-1", "Latin-1 (ISO 8859-1)"),
        ],
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > ADMIN_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                "The file is larger than 10 MB; use the import-subscribers command."
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = " ".join(data.get("prior_consent", "").split())
        if data.get("has_prior_consent") and not text:
            self.add_error("prior_consent", "Say how and when these people agreed.")
        elif text and not data.get("has_prior_consent"):
            self.add_error(
                "has_prior_consent",
                "Tick this to import with prior consent, or empty the description below.",
            )
        return data


class ImportView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    model = Subscriber
    permission_required = "add"
    form_class = ImportForm
    template_name = "newsletter/admin/import.html"
    page_title = "Import subscribers"
    header_icon = "upload"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": subscribers_url("index"), "label": "Newsletter subscribers"},
            {"url": "", "label": "Import"},
        ]

    def form_valid(self, form: ImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            result = import_subscribers(
                upload.read(),
                source_name=upload.name or "upload",
                prior_consent=(
                    form.cleaned_data["prior_consent"]
                    if form.cleaned_data["has_prior_consent"]
                    else ""
                ),
                cadence=form.cleaned_data["cadence"],
                encoding=form.cleaned_data["encoding"] or None,
                max_rows=ADMIN_IMPORT_MAX_ROWS,
            )
        except ImportFailed as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        return self.render_to_response(
            self.get_context_data(
                form=self.form_class(initial={"cadence": form.cleaned_data["cadence"]}),
                result=result,
                result_name=upload.name,
                prior=bool(form.cleaned_data["has_prior_consent"]),
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        result: ImportResult | None = kwargs.get("result")
        if result is not None:
            prior = bool(kwargs.get("prior"))
            summary = [("Rows read", result.rows)]
            if prior:
                summary += [
                    ("Made active on prior consent", result.activated),
                    ("… of them new to the list", result.added),
                ]
            else:
                summary += [
                    ("Sent a confirmation mail", result.invited),
                    ("Already waiting for confirmation", result.waiting),
                ]
            summary += [
                ("Already subscribed", result.already_active),
                ("Skipped", len(result.skipped)),
                ("Rows with problems", len(result.problems)),
            ]
            context["summary"] = summary
        context["index_url"] = subscribers_url("index")
        return context


# Growth -------------------------------------------------------------------------

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


# Suppression list -------------------------------------------------------------------


class SuppressionForm(WagtailAdminModelForm):
    class Meta:
        model = Suppression
        fields = ["email", "reason", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].initial = Suppression.Reason.MANUAL

    def clean_email(self) -> str:
        try:
            email = signup.subscriber_address(self.cleaned_data["email"])
        except signup.InvalidAddress as error:
            raise forms.ValidationError(str(error)) from None
        if Suppression.objects.filter(email=email).exists():
            raise forms.ValidationError("This address is already on the suppression list.")
        return email


class SuppressionEditForm(WagtailAdminModelForm):
    class Meta:
        model = Suppression
        fields = ["reason", "note"]


class SuppressionCreateView(CreateView):
    def save_instance(self) -> Suppression:
        email = self.form.instance.email
        with transaction.atomic():
            subscriber = Subscriber.objects.filter(email=email).first()
            if subscriber is not None and subscriber.status != Subscriber.Status.UNSUBSCRIBED:
                # A suppressed address must not stay subscribed. unsubscribe() files
                # it under its own reason; the one staff chose replaces that.
                signup.unsubscribe(subscriber, how="staff")
                Suppression.objects.filter(email=email).delete()
            instance: Suppression = super().save_instance()
        return instance


# Viewsets ---------------------------------------------------------------------------


def menu_item_for(actions: list[str]) -> type[MenuItem]:
    """A menu item shown only to users with one of these Subscriber permissions."""

    def is_shown(self: MenuItem, request: HttpRequest) -> bool:
        return can(request, *actions)

    return type("NewsletterMenuItem", (MenuItem,), {"is_shown": is_shown})


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


class GrowthViewSet(ViewSet):
    name = "newsletter_growth"
    url_prefix = "newsletter/growth"
    icon = "calendar-check"
    menu_label = "Growth"
    menu_item_class = menu_item_for(ANY)

    def get_urlpatterns(self) -> list[Any]:
        return [path("", GrowthView.as_view(), name="index")]


class ImportViewSet(ViewSet):
    name = "newsletter_import"
    url_prefix = "newsletter/import"
    icon = "upload"
    menu_label = "Import"
    menu_item_class = menu_item_for(["add"])

    def get_urlpatterns(self) -> list[Any]:
        return [path("", ImportView.as_view(), name="index")]


class SuppressionViewSet(ModelViewSet):
    model = Suppression
    name = "newsletter_suppressions"
    url_prefix = "newsletter/suppressions"
    icon = "no-view"
    menu_label = "Suppression list"
    add_view_class = SuppressionCreateView
    copy_view_enabled = False
    add_to_reference_index = False
    list_filter = ["reason"]
    search_fields = ["email", "note"]
    list_per_page = 50
    ordering = "-created_at"
    list_display = [
        "email",
        "reason",
        "note",
        DateColumn("created_at", label="Since", sort_key="created_at"),
    ]

    def get_index_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_index_view_kwargs(page_title="Suppression list", **kwargs)

    def get_form_class(self, for_update: bool = False) -> type[WagtailAdminModelForm]:
        # The address is what a suppression is; to change it, remove it and add another.
        return SuppressionEditForm if for_update else SuppressionForm


class NewsletterViewSetGroup(ViewSetGroup):
    menu_label = "Newsletter"
    menu_icon = "mail"
    menu_order = 450
    # Digests are their own app, but editors look for them under the newsletter.
    items = (SubscriberViewSet, DigestViewSet, GrowthViewSet, SuppressionViewSet, ImportViewSet)
