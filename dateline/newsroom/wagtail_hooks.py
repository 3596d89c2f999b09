"""The newsroom's additions to Wagtail's page editor."""

from __future__ import annotations

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_editor_js")
def editor_js() -> str:
    # A submit made during an autosave waits for it (static/dateline/admin/editor.js).
    return format_html('<script src="{}" defer></script>', static("dateline/admin/editor.js"))
