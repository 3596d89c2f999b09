"""The moderation queue in Wagtail's admin: /admin/comments/queue/ and /admin/comments/bans/."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from dateline.comments.models import Ban, Comment
from tests.comments.helpers import approved, form, held

pytestmark = pytest.mark.django_db
QUEUE = "/admin/comments/queue/"


def test_the_queue_lists_held_comments_with_their_reason(staff, article):
    held(article, body="Waiting here.", hold_reason="first comment from this address")
    approved(article, body="Already out.")
    html = staff.get(QUEUE).content.decode()
    assert "Waiting here." in html
    assert "first comment from this address" in html
    assert "Already out." not in html
    assert 'data-count="1"' in html


def test_each_tab_shows_its_count(staff, article):
    held(article, body="One.")
    held(article, body="Two.")
    approved(article, body="Reported.", report_count=1)
    html = staff.get(QUEUE).content.decode()
    for key, label, count in [("held", "Awaiting moderation", 2), ("reported", "Reported", 1)]:
        tab = re.search(rf'<a [^>]*data-queue-tab="{key}">(.*?)</a>', html, re.S)
        assert tab, key
        # Visible: not in Wagtail's error badge, which its CSS hides until a form error.
        assert "w-tabs__errors" not in tab.group(1)
        assert re.sub(r"<[^>]+>|\s+", " ", tab.group(1)).split() == [*label.split(), str(count)]


def test_comments_are_shown_rendered_and_sanitised(staff, article):
    held(
        article,
        body="**Bold** claim, see [the report](https://example.org/r).\n\n<script>alert(1)</script>",
    )
    html = staff.get(QUEUE).content.decode()
    assert "<strong>Bold</strong> claim" in html
    assert '<a href="https://example.org/r" rel="ugc nofollow noopener">the report</a>' in html
    assert "**Bold**" not in html
    assert "<script>alert(1)" not in html


def test_a_rows_own_button_acts_on_that_comment_alone(staff, article):
    a = held(article, body="First held.")
    b = held(article, name="Tomas Brenn", email="tomas@example.org", body="Second held.")
    html = staff.get(QUEUE).content.decode()
    for action in ("approve", "reject", "spam", "ban"):
        assert f'name="row" value="{action}:{a.pk}"' in html
    # Both ticked (say, after "select all"), but the row's button was pressed.
    response = staff.post(QUEUE, {"comment": [a.pk, b.pk], "row": f"approve:{a.pk}"}, follow=True)
    assert "Approved: 1 comment." in response.content.decode()
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (Comment.Status.APPROVED, Comment.Status.HELD)
    staff.post(QUEUE, {"row": f"spam:{b.pk}"})
    b.refresh_from_db()
    assert b.status == Comment.Status.SPAM


def test_a_rows_ban_button_bans_its_sender_for_the_time_chosen(staff, article):
    a = held(article, body="Buy now.")
    other = held(article, name="Tomas Brenn", email="tomas@example.org", body="Fine.")
    staff.post(QUEUE, {"row": f"ban:{a.pk}", "days": "30", "comment": [other.pk]})
    ban = Ban.objects.get()
    assert (ban.kind, ban.value) == ("email", "ilse@example.org")
    assert ban.expires_at > timezone.now() + datetime.timedelta(days=29)
    a.refresh_from_db()
    other.refresh_from_db()
    assert (a.status, other.status) == (Comment.Status.SPAM, Comment.Status.HELD)


def test_select_all_uses_wagtails_bulk_controller(staff, article):
    held(article)
    held(article, name="Tomas Brenn", email="tomas@example.org")
    html = staff.get(QUEUE).content.decode()
    assert 'data-controller="w-bulk"' in html
    assert 'data-action="w-bulk#toggleAll" data-w-bulk-target="all"' in html
    assert html.count('data-w-bulk-target="item"') == 2


def test_reported_and_spam_tabs(staff, article):
    approved(article, body="Reported twice.", report_count=2)
    approved(article, body="Spammy.", status=Comment.Status.SPAM)
    assert "Reported twice." in staff.get(QUEUE + "?tab=reported").content.decode()
    assert "Spammy." in staff.get(QUEUE + "?tab=spam").content.decode()
    assert "Spammy." not in staff.get(QUEUE + "?tab=reported").content.decode()


def test_approving_in_bulk_publishes_and_refreshes_the_page(
    staff, article, django_capture_on_commit_callbacks
):
    from django.test import Client

    a = held(article, body="First held.")
    b = held(article, name="Tomas Brenn", email="tomas@example.org", body="Second held.")
    reader = Client()
    assert "First held." not in reader.get(article.url).content.decode()
    assert reader.get(article.url).has_header("ETag")  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(QUEUE, {"comment": [a.pk, b.pk], "action": "approve"})
    assert response.status_code == 302
    assert set(Comment.objects.values_list("status", flat=True)) == {"approved"}
    page = reader.get(article.url)
    assert "x-cache" not in page
    assert "First held." in page.content.decode() and "Second held." in page.content.decode()


def test_rejecting_a_published_comment_takes_it_off_the_page(
    staff, article, django_capture_on_commit_callbacks
):
    from django.test import Client

    shown = approved(article, body="Rude words.", report_count=1)
    reader = Client()
    assert "Rude words." in reader.get(article.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(QUEUE + "?tab=reported", {"comment": [shown.pk], "action": "reject"})
    shown.refresh_from_db()
    assert shown.status == Comment.Status.REJECTED
    assert "Rude words." not in reader.get(article.url).content.decode()


def test_mark_spam_in_bulk(staff, article):
    a, b = held(article, body="One."), held(article, body="Two.")
    staff.post(QUEUE, {"comment": [a.pk, b.pk], "action": "spam"})
    assert list(Comment.objects.values_list("status", flat=True)) == ["spam", "spam"]


def test_banning_an_address_refuses_its_next_comment_until_expiry(staff, client, article):
    a = held(article, body="Buy now.")
    staff.post(QUEUE, {"comment": [a.pk], "action": "ban-email", "days": "7"})
    ban = Ban.objects.get()
    assert (ban.kind, ban.value) == ("email", "ilse@example.org")
    assert ban.expires_at > timezone.now() + datetime.timedelta(days=6)
    a.refresh_from_db()
    assert a.status == Comment.Status.SPAM
    staff.logout()
    response = client.post("/comments/post/", form(article, body="Another try."))
    assert response.status_code == 403


def test_banning_an_ip(staff, article):
    a = held(article)
    staff.post(QUEUE, {"comment": [a.pk], "action": "ban-ip", "days": ""})
    ban = Ban.objects.get()
    assert (ban.kind, ban.value, ban.expires_at) == ("ip", "198.51.100.7", None)


def test_nothing_ticked_changes_nothing(staff, article):
    a = held(article)
    response = staff.post(QUEUE, {"action": "approve"}, follow=True)
    assert "Tick at least one comment" in response.content.decode()
    a.refresh_from_db()
    assert a.status == Comment.Status.HELD


def test_editors_need_the_change_permission(client, article):
    user = get_user_model().objects.create_user("ed", "ed@example.org", password=None)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    a = held(article)
    # Wagtail answers an editor without the permission with a redirect to the dashboard.
    refused = client.get(QUEUE)
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    client.post(QUEUE, {"comment": [a.pk], "action": "approve"})
    a.refresh_from_db()
    assert a.status == Comment.Status.HELD
    user.user_permissions.add(
        Permission.objects.get(codename="change_comment", content_type__app_label="comments")
    )
    client.force_login(get_user_model().objects.get(pk=user.pk))
    assert client.get(QUEUE).status_code == 200


def test_the_ban_list_can_add_a_ban(staff):
    response = staff.post(
        "/admin/comments/bans/new/",
        {"kind": "ip", "value": "203.0.113.9", "expires_at": "", "note": "flooding"},
    )
    assert response.status_code == 302
    assert Ban.objects.get().value == "203.0.113.9"
