"""Editing an article in Wagtail's admin: /admin/pages/<id>/edit/.

A lead photo without alt text is refused, so no article reaches readers with one.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from wagtail.test.utils.form_data import (
    nested_form_data,
    querydict_from_html,
    rich_text,
    streamfield,
)

from dateline.newsroom.models import ArticlePage
from tests.factories import make_article, make_photo

pytestmark = pytest.mark.django_db


def save_draft_with_photo(staff: Client, article: ArticlePage, photo_pk: int) -> str:
    """POST the edit form as the editor's browser would, with another lead photo chosen."""
    url = f"/admin/pages/{article.pk}/edit/"
    form = querydict_from_html(staff.get(url).content.decode(), form_id="page-edit-form")
    # The body's editor is drawn by JavaScript, so the page's HTML holds none of its fields.
    body = streamfield([("paragraph", rich_text("<p>The ferries sailed again at dawn.</p>"))])
    for name, value in {**nested_form_data({"body": body}), "lead_image": photo_pk}.items():
        form.setlist(name, [str(value)])
    response = staff.post(url, form)
    return response.content.decode() if response.status_code == 200 else ""


def latest_lead_image(article: ArticlePage) -> int:
    """The lead photo of the article's newest revision, draft or published."""
    fresh = ArticlePage.objects.get(pk=article.pk)
    return int(fresh.get_latest_revision().as_object().lead_image_id)


def test_it_refuses_a_lead_photo_without_alt_text(staff: Client, world) -> None:
    article = make_article(world, photo=True)
    undescribed = make_photo("Quay at night", description="")

    page = save_draft_with_photo(staff, article, undescribed.pk)

    assert "The photo &#x27;Quay at night&#x27; has no alt text" in page
    assert latest_lead_image(article) == article.lead_image_id != undescribed.pk


def test_it_takes_a_lead_photo_with_alt_text(staff: Client, world) -> None:
    article = make_article(world, photo=True)
    described = make_photo("Quay at night", description="Cranes lit up over an empty quay")

    page = save_draft_with_photo(staff, article, described.pk)

    assert page == "", "the edit was refused"
    assert latest_lead_image(article) == described.pk


def test_a_photo_with_only_spaces_for_alt_text_is_refused(staff: Client, world) -> None:
    article = make_article(world, photo=True)
    blank = make_photo("Quay at night", description="   ")

    assert "has no alt text" in save_draft_with_photo(staff, article, blank.pk)


def test_the_headline_fills_the_slug_of_a_new_article(staff: Client, world) -> None:
    """As on Wagtail's own pages: the headline field drives the slug (Wagtail's w-sync)."""
    page = staff.get(f"/admin/pages/add/newsroom/articlepage/{world.pk}/").content.decode()
    form = BeautifulSoup(page, "html.parser")

    headline = form.find("input", id="id_title")
    assert "w-sync" in headline["data-controller"].split()
    assert headline["data-w-sync-target-value"] == "#id_slug"
    assert "keyup->w-sync#apply" in headline["data-action"]
    assert "w-slug" in form.find("input", id="id_slug")["data-controller"].split()


def test_a_published_articles_slug_stays_when_the_headline_changes(staff: Client, world) -> None:
    article = make_article(world)
    page = staff.get(f"/admin/pages/{article.pk}/edit/").content.decode()

    headline = BeautifulSoup(page, "html.parser").find("input", id="id_title")
    assert "w-sync#apply" not in headline.get("data-action", "")


def test_the_editor_waits_for_an_autosave_before_it_submits(staff: Client, world) -> None:
    page = staff.get(f"/admin/pages/add/newsroom/articlepage/{world.pk}/").content.decode()

    assert "dateline/admin/editor.js" in page
