"""The Import screen in Wagtail's admin, under Settings."""

from __future__ import annotations

from wagtail import hooks

from dateline.importers.admin_views import ImportMenuItem, ImportViewSet, imports_url


@hooks.register("register_admin_viewset")
def register_imports() -> ImportViewSet:
    return ImportViewSet()


@hooks.register("register_settings_menu_item")
def import_menu_item() -> ImportMenuItem:
    return ImportMenuItem("Import", imports_url("index"), icon_name="upload", order=900)
