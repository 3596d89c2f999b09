"""The imports in Wagtail's admin (Settings > Import): upload, dry run, run, progress.

Needs the ``importers.add_importrun`` permission (superusers have it). Every step is a
form POST that redirects to the run's page, so it works without JavaScript; a small
script (static/importers/admin-progress.js) refreshes the progress panel while a run is
queued or running.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permissions import policy_registry

from dateline.importers import runs
from dateline.importers.core import ImportFailed
from dateline.importers.models import ImportRun
from dateline.importers.tasks import run_import_task

NAME = "importers"


def imports_url(name: str, *args: Any) -> str:
    return reverse(f"{NAME}:{name}", args=args)


def can(request: HttpRequest) -> bool:
    policy = policy_registry.get_by_type(ImportRun)
    return bool(policy.user_has_permission(request.user, "add"))


def enqueue(run: ImportRun) -> None:
    transaction.on_commit(lambda: run_import_task.enqueue(run.pk))


class ImportForm(forms.Form):
    source = forms.ChoiceField(label="From", choices=ImportRun.Source.choices)
    export = forms.FileField(
        label="The export file",
        help_text="WordPress: Tools > Export (.xml). Ghost: Settings > Labs > Export (.json). "
        "Substack: Settings > Exports (.zip).",
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,.json,.zip"}),
    )
    mapping = forms.FileField(
        label="Mapping (optional)",
        required=False,
        help_text="A TOML file: which categories or tags become which sections, which "
        "authors are agencies, what to do with unknown blocks (see docs/importing.md).",
        widget=forms.ClearableFileInput(attrs={"accept": ".toml"}),
    )
    media_dir = forms.CharField(
        label="Media folder on the server (optional)",
        required=False,
        max_length=500,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["media_dir"].help_text = (
            "Thousands of images cannot go through a web form: copy the old site's "
            "wp-content/uploads (or Ghost's content/images, or the Substack images) to "
            f"the server, inside {runs.media_root()}, and give the folder here, relative "
            "to that one. Without it the stories import without their images, which the "
            "report lists."
        )

    def clean_media_dir(self) -> str:
        text = self.cleaned_data["media_dir"].strip()
        if text:
            try:
                runs.media_folder(text)
            except ImportFailed as error:
                raise forms.ValidationError(str(error)) from None
        return text


class RunMixin(PermissionCheckedMixin):
    model = ImportRun
    permission_required = "add"
    kwargs: dict[str, Any]

    @cached_property
    def run(self) -> ImportRun:
        return get_object_or_404(ImportRun, pk=self.kwargs["pk"])


class ImportIndexView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """The form, and the runs so far."""

    model = ImportRun
    permission_required = "add"
    form_class = ImportForm
    template_name = "importers/admin/index.html"
    page_title = "Import"
    header_icon = "upload"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["runs"] = ImportRun.objects.select_related("created_by")[:30]
        return context

    def form_valid(self, form: ImportForm) -> HttpResponse:
        data = form.cleaned_data
        # The admin lets only signed-in staff this far.
        assert self.request.user.is_authenticated
        run = ImportRun.objects.create(
            source=data["source"],
            dry_run=True,
            export_file=runs.store_upload(data["export"]),
            export_name=data["export"].name or "upload",
            mapping_file=runs.store_upload(data["mapping"]) if data["mapping"] else "",
            media_dir=data["media_dir"],
            created_by=self.request.user,
        )
        enqueue(run)
        return HttpResponseRedirect(imports_url("run", run.pk))


class RunView(RunMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "importers/admin/run.html"
    header_icon = "upload"

    def get_page_title(self) -> str:
        return str(self.run)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": imports_url("index"), "label": "Import"},
            {"url": "", "label": str(self.run)},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        run = self.run
        context.update(
            run=run,
            panel=progress_panel(run),
            can_run=run.dry_run and run.status == ImportRun.Status.DONE,
            later=run.runs.order_by("-created_at").first() if run.dry_run else None,
        )
        return context


def progress_panel(run: ImportRun) -> str:
    rows, lists = runs.summary(run.report) if run.report else ([], [])
    return render_to_string(
        "importers/admin/progress.html",
        {
            "run": run,
            "rows": rows,
            "lists": lists,
            "progress_url": imports_url("progress", run.pk) if run.live else "",
        },
    )


class ProgressView(RunMixin, View):
    """The progress panel alone, for the page's script."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponse(progress_panel(self.run))


class StartView(RunMixin, View):
    """Run the import a finished dry run checked, with the same files, in the worker."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        checked = self.run
        if not (checked.dry_run and checked.status == ImportRun.Status.DONE):
            return HttpResponseRedirect(imports_url("run", pk))
        assert request.user.is_authenticated
        run = ImportRun.objects.create(
            source=checked.source,
            export_file=checked.export_file,
            export_name=checked.export_name,
            mapping_file=checked.mapping_file,
            media_dir=checked.media_dir,
            created_by=request.user,
            checked_by=checked,
        )
        enqueue(run)
        return HttpResponseRedirect(imports_url("run", run.pk))


class ImportMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return can(request)


class ImportViewSet(ViewSet):
    name = NAME
    url_prefix = "import"
    icon = "upload"
    menu_label = "Import"
    add_to_admin_menu = False  # under Settings (wagtail_hooks.py)

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", ImportIndexView.as_view(), name="index"),
            path("<int:pk>/", RunView.as_view(), name="run"),
            path("<int:pk>/progress/", ProgressView.as_view(), name="progress"),
            path("<int:pk>/run/", StartView.as_view(), name="start"),
        ]
