"""The live blog's posting screen in the admin: /admin/live/<id>/."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import GroupPagePermission
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from dateline.live.models import LivePost
from tests.factories import make_author
from tests.live.helpers import make_live_blog, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client: Client) -> Client:
    boss = get_user_model().objects.create_superuser(
        "boss", "boss@example.org", password=None, first_name="Mara", last_name="Velt"
    )
    client.force_login(boss)
    return client


@pytest.fixture
def blog(world):
    return make_live_blog(world)


def post_data(text: str, **extra: object) -> dict[str, object]:
    body = streamfield([("paragraph", rich_text(f"<p>{text}</p>"))])
    return {**nested_form_data({"body": body}), "kind": "report", **extra}


def test_the_screen_has_the_form_and_the_stream(editor, blog) -> None:
    make_post(blog, "Already posted.")
    response = editor.get(f"/admin/live/{blog.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-live-post-form" in html
    assert "Already posted." in html
    # The editor's own author entry is chosen for them.
    assert response.context["form"]["author"].initial == make_author("Mara Velt")
    # A new post starts with one empty paragraph to type in.
    assert [b.block_type for b in response.context["form"]["body"].initial] == ["paragraph"]


def test_posting_adds_a_row_not_a_revision(editor, blog) -> None:
    revisions = blog.revisions.count()
    author = make_author("Mara Velt")
    response = editor.post(
        f"/admin/live/{blog.pk}/",
        post_data(
            "The sea wall holds.",
            author=author.pk,
            key_event="on",
            outlet="Associated Press",
            read_at="Times Union",
            url="https://example.org/wall",
        ),
    )
    assert response.status_code == 302
    (post,) = LivePost.objects.filter(blog=blog)
    assert post.key_event and not post.pinned
    assert post.author == author
    assert post.summary == "The sea wall holds."
    assert post.sources.get().phrase == "reports Associated Press at Times Union"
    assert post.created_by.username == "boss"
    assert blog.revisions.count() == revisions


def test_an_invalid_post_is_shown_again_with_errors(editor, blog) -> None:
    response = editor.post(f"/admin/live/{blog.pk}/", post_data("Text.", read_at="Times Union"))
    assert response.status_code == 200
    assert response.context["form"].errors["outlet"]
    assert not LivePost.objects.exists()


def test_editing_changes_only_that_post(editor, blog) -> None:
    post = make_post(blog, "Winds of 104 km/h.", source=True)
    other = make_post(blog, "Another editor's post.")
    response = editor.post(
        f"/admin/live/{blog.pk}/posts/{post.pk}/", post_data("Winds of 140 km/h.")
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.summary == "Winds of 140 km/h."
    assert not post.sources.exists()  # the source field was emptied
    other.refresh_from_db()
    assert other.summary == "Another editor's post."


def test_deleting_a_post_asks_first(editor, blog) -> None:
    post = make_post(blog, "Posted by mistake.")
    url = f"/admin/live/{blog.pk}/posts/{post.pk}/delete/"
    # The stream offers a link to the question, not a form that deletes at once.
    stream = BeautifulSoup(editor.get(f"/admin/live/{blog.pk}/").content, "html.parser")
    link = stream.find("a", href=url)
    assert link is not None and link.get_text(" ", strip=True).startswith("Delete")
    assert stream.find("form", action=url) is None
    # Asking deletes nothing: the post is shown, with a button that POSTs and a way back.
    asked = editor.get(url)
    assert asked.status_code == 200
    assert LivePost.objects.filter(pk=post.pk).exists()
    page = BeautifulSoup(asked.content, "html.parser")
    assert "Posted by mistake." in page.get_text()
    form = page.find("form", attrs={"data-live-delete-form": True})
    assert form["method"] == "post" and form["action"] == url
    assert form.find("button", type="submit").get_text(strip=True) == "Yes, delete the post"
    assert form.find("a", string="No, keep it")["href"] == f"/admin/live/{blog.pk}/"
    # Only the confirmation's POST deletes.
    answer = editor.post(url)
    assert answer.status_code == 302 and answer["Location"] == f"/admin/live/{blog.pk}/"
    assert not LivePost.objects.filter(pk=post.pk).exists()
    assert editor.get(url).status_code == 404


def test_pinning_one_post_unpins_the_other(editor, blog) -> None:
    first = make_post(blog, pinned=True)
    second = make_post(blog)
    editor.post(f"/admin/live/{blog.pk}/posts/{second.pk}/pin/")
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.pinned and not first.pinned
    editor.post(f"/admin/live/{blog.pk}/posts/{second.pk}/pin/")
    second.refresh_from_db()
    assert not second.pinned


def test_marking_a_key_event(editor, blog) -> None:
    post = make_post(blog)
    editor.post(f"/admin/live/{blog.pk}/posts/{post.pk}/key-event/")
    post.refresh_from_db()
    assert post.key_event
    editor.post(f"/admin/live/{blog.pk}/posts/{post.pk}/key-event/")
    post.refresh_from_db()
    assert not post.key_event


def test_a_post_of_another_blog_is_a_404(editor, world, blog) -> None:
    other = make_live_blog(world, "Summit in Lisbon: live")
    post = make_post(other)
    assert editor.post(f"/admin/live/{blog.pk}/posts/{post.pk}/delete/").status_code == 404
    assert LivePost.objects.filter(pk=post.pk).exists()


def test_only_editors_who_can_edit_the_page_may_post(client, world, blog) -> None:
    reader = get_user_model().objects.create_user("reporter", password=None)
    reader.user_permissions.add(*_admin_access())
    client.force_login(reader)
    # Wagtail's admin answers a refusal with a redirect to the dashboard and a message.
    assert client.get(f"/admin/live/{blog.pk}/")["Location"] == "/admin/"
    assert client.post(f"/admin/live/{blog.pk}/", post_data("No."))["Location"] == "/admin/"
    assert not LivePost.objects.exists()
    group = Group.objects.create(name="Live desk")
    GroupPagePermission.objects.create(group=group, page=world, permission_type="change")
    reader.groups.add(group)
    assert client.get(f"/admin/live/{blog.pk}/").status_code == 200


def _admin_access():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )


def test_the_page_header_and_listing_lead_to_the_screen(editor, world, blog) -> None:
    edit = editor.get(f"/admin/pages/{blog.pk}/edit/").content.decode()
    assert f'href="/admin/live/{blog.pk}/"' in edit
    listing = editor.get(f"/admin/pages/{world.pk}/").content.decode()
    assert f'href="/admin/live/{blog.pk}/"' in listing


def test_articles_have_no_live_posts_button(editor, world) -> None:
    from tests.factories import make_article

    article = make_article(world)
    assert "/admin/live/" not in editor.get(f"/admin/pages/{article.pk}/edit/").content.decode()
