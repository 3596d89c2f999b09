"""Creating a live blog in Wagtail's admin, and previewing it before it is saved."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.test.utils.form_data import querydict_from_html

from dateline.live.models import LiveBlogPage
from tests.factories import make_author

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", password=None)
    client.force_login(boss)
    return client


def add_form(staff: Client, world) -> tuple[str, object]:
    url = f"/admin/pages/add/live/liveblogpage/{world.pk}/"
    response = staff.get(url)
    assert response.status_code == 200
    form = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    author = make_author("Mara Velt")
    for name, value in {
        "title": "Storm Odile: live",
        "slug": "storm-odile-live",
        "standfirst": "The storm reaches the coast.",
        "live_authors-TOTAL_FORMS": "1",
        "live_authors-INITIAL_FORMS": "0",
        "live_authors-0-author": str(author.pk),
        "live_authors-0-ORDER": "1",
        "live_authors-0-id": "",
        "live_authors-0-DELETE": "",
    }.items():
        form.setlist(name, [value])
    return url, form


def test_an_editor_creates_a_live_blog_in_a_section(staff, world) -> None:
    url, form = add_form(staff, world)
    response = staff.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    blog = LiveBlogPage.objects.get(slug="storm-odile-live")
    assert blog.get_parent().pk == world.pk
    assert [a.name for a in blog.authors] == ["Mara Velt"]


def test_a_new_live_blog_previews_before_its_first_save(staff, world) -> None:
    url, form = add_form(staff, world)
    preview = url + "preview/"
    assert staff.post(preview, form).json()["is_valid"] is True
    response = staff.get(preview)
    assert response.status_code == 200
    assert b"Storm Odile: live" in response.content
    assert b"No posts yet." in response.content
