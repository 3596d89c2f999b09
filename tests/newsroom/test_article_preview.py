"""Previewing an article: /admin/pages/<id>/edit/preview/.

Wagtail renders the reader page for the editor and shows it in the editor's side panel
(an iframe of the admin) or in a new tab. The preview may be framed by our own admin;
the reader page itself may be framed by nobody.
"""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, rich_text
from wagtail.test.utils.form_data import streamfield as streamfield_data

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def preview(staff: Client, article, text: str):
    """What the preview panel does: POST the editor's form, then GET the rendered page."""
    url = f"/admin/pages/{article.pk}/edit/preview/"
    form = querydict_from_html(
        staff.get(f"/admin/pages/{article.pk}/edit/").content.decode(), form_id="page-edit-form"
    )
    body = streamfield_data([("paragraph", rich_text(f"<p>{text}</p>"))])
    for name, value in nested_form_data({"body": body}).items():
        form.setlist(name, [str(value)])
    posted = staff.post(url, form)
    assert posted.json()["is_valid"] is True
    return staff.get(url, {"mode": ""})


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {d.split(" ", 1)[0]: d for d in (p.strip() for p in policy.split(";")) if d}


def test_the_preview_may_be_framed_by_the_admin(staff: Client, world) -> None:
    article = make_article(world, "Cranes return to the quay")

    shown = preview(staff, article, "The first crane moved at dawn on Monday.")

    assert shown.status_code == 200
    assert "The first crane moved at dawn on Monday." in shown.content.decode()
    assert directives(shown)["frame-ancestors"] == "frame-ancestors 'self'"
    assert shown["X-Frame-Options"] == "SAMEORIGIN"
    # Everything else of the reader policy still applies to what the editor sees.
    assert directives(shown)["script-src"] == "script-src 'self'"


def test_the_reader_page_may_not_be_framed(staff: Client, client, world) -> None:
    article = make_article(world, "Cranes return to the quay")
    preview(staff, article, "A draft the readers do not see yet.")
    client.logout()

    page = client.get(article.url)

    assert page.status_code == 200
    assert directives(page)["frame-ancestors"] == "frame-ancestors 'none'"
    assert page["X-Frame-Options"] == "DENY"
