"""Importing subscribers from a CSV file in the admin (the command has no limit)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.urls import path
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet

from dateline.newsletter.admin_views.access import menu_item_for, subscribers_url
from dateline.newsletter.imports import ImportFailed, ImportResult, import_subscribers
from dateline.newsletter.models import Cadence, Subscriber

# A web request should finish; bigger files go through the command, which has no limit.
ADMIN_IMPORT_MAX_ROWS = 20_000
ADMIN_IMPORT_MAX_BYTES = 10 * 1024 * 1024


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


class ImportViewSet(ViewSet):
    name = "newsletter_import"
    url_prefix = "newsletter/import"
    icon = "upload"
    menu_label = "Import"
    menu_item_class = menu_item_for(["add"])

    def get_urlpatterns(self) -> list[Any]:
        return [path("", ImportView.as_view(), name="index")]
