"""POST /comments/post/: the no-JavaScript form post and its JSON twin."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dateline.comments.models import Ban, Comment, Commenter
from dateline.lib.formstamp import make_stamp
from dateline.newsletter.models import Subscriber
from tests.comments.helpers import approved, form

pytestmark = pytest.mark.django_db
URL = "/comments/post/"


def test_a_first_comment_is_held_and_the_commenter_sees_it_after_the_redirect(client, article):
    response = client.post(URL, form(article))
    comment = Comment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"{article.url}?comment={comment.pk}#comment-{comment.pk}"
    assert comment.status == Comment.Status.HELD
    assert comment.hold_reason == "first comment from this address"
    assert comment.thread_id == comment.pk
    assert (
        comment.body_html == "<p>The ferry timetable was <em>finally</em> published on Monday.</p>"
    )

    own = client.get(response["Location"])
    assert "awaiting moderation" in own.content.decode()
    assert "private" in own["Cache-Control"]
    # Everyone else, and the plain URL, get the shared page without it.
    shared = client.get(article.url)
    assert "awaiting moderation" not in shared.content.decode()
    assert "finally" not in shared.content.decode()


def test_a_commenter_with_a_published_comment_publishes_at_once(
    client, article, django_capture_on_commit_callbacks
):
    commenter = Commenter.objects.create(email="ilse@example.org")
    approved(article, "Ilse Maren", commenter=commenter)
    client.get(article.url)  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form(article, body="Second thoughts on the timetable."))
    assert response.status_code == 303
    assert Comment.objects.latest("pk").status == Comment.Status.APPROVED
    page = client.get(article.url)
    assert "x-cache" not in page  # the new comment started a new cache generation
    assert "Second thoughts on the timetable." in page.content.decode()
    assert "(2 comments)" in page.content.decode()


@pytest.mark.parametrize(
    ("policy", "first", "later"),
    [("all", "held", "held"), ("first", "held", "approved"), ("none", "approved", "approved")],
)
def test_the_moderation_policy_decides_what_waits(client, article, settings, policy, first, later):
    settings.COMMENTS_MODERATION = policy
    client.post(URL, form(article, body="One."))
    assert Comment.objects.get(body="One.").status == first
    # A moderator publishes it: the address now has a published comment.
    Comment.objects.update(status=Comment.Status.APPROVED)
    client.post(URL, form(article, body="Two."))
    assert Comment.objects.get(body="Two.").status == later


def test_a_reply_nests_under_its_parent(client, article, settings):
    settings.COMMENTS_MODERATION = "none"
    parent = approved(article)
    client.post(URL, form(article, parent=str(parent.pk), body="A reply."))
    reply = Comment.objects.get(body="A reply.")
    assert (reply.parent_id, reply.thread_id, reply.depth) == (parent.pk, parent.pk, 1)


def test_replies_stop_nesting_at_the_configured_depth(client, article, settings):
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_MAX_DEPTH = 3
    top = approved(article)
    middle = approved(article, parent=top)
    deepest = approved(article, parent=middle)
    client.post(URL, form(article, parent=str(deepest.pk), body="Deeper still."))
    reply = Comment.objects.get(body="Deeper still.")
    assert reply.parent_id == middle.pk and reply.depth == 2


def test_an_active_newsletter_subscriber_is_already_verified(client, article):
    Subscriber.objects.create(email="ilse@example.org", status=Subscriber.Status.ACTIVE)
    client.post(URL, form(article))
    assert Commenter.objects.get().verified_at is not None


def test_a_post_made_seconds_after_the_page_loaded_is_held(client, article, settings):
    settings.COMMENTS_MODERATION = "none"
    client.post(URL, form(article, stamp=make_stamp()))
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD
    assert "seconds" in comment.hold_reason


def test_a_banned_word_holds_the_comment(client, article, settings):
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_BANNED_WORDS = ["casino"]
    client.post(URL, form(article, body="Visit the Casino tonight."))
    assert Comment.objects.get().hold_reason == "contains a banned word (casino)"


BAD = [
    ({"body": ""}, 400, "Write a comment"),
    ({"body": "   \n "}, 400, "Write a comment"),
    ({"body": "x" * 100_000}, 400, "limited to 5,000 characters"),
    ({"body": "nul \x00 byte"}, 400, "cannot be shown"),
    ({"name": "Ilse\x00"}, 400, "cannot be shown"),
    ({"name": ""}, 400, "Enter the name"),
    ({"email": "not-an-address"}, 400, "does not look like an email address"),
    ({"email": "a\x00@example.org"}, 400, "too long or malformed"),
    ({"body": "https://a.example http://b.example www.c.example"}, 400, "at most 2 links"),
    ({"website": "http://spam.example"}, 400, "could not be posted"),
    ({"stamp": "forged"}, 400, "too old"),
    ({"stamp": ""}, 400, "too old"),
    ({"article": "999999"}, 404, "no such article"),
    ({"article": "abc"}, 404, "no such article"),
    ({"parent": "999999"}, 400, "does not exist"),
    ({"parent": "x1"}, 400, "does not exist"),
]


@pytest.mark.parametrize(("fields", "status", "message"), BAD)
def test_bad_input_gets_a_clear_error_and_stores_nothing(client, article, fields, status, message):
    response = client.post(URL, form(article, **fields))
    assert response.status_code == status
    assert message.lower() in response.content.decode().lower()
    assert Comment.objects.count() == 0
    assert Commenter.objects.count() == 0


def test_invalid_utf8_gets_a_clear_error_and_stores_nothing(client, article):
    data = form(article)
    body = "&".join(f"{k}={v}" for k, v in data.items() if k != "body").encode() + b"&body=%ff%fe"
    response = client.post(URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_a_parent_from_another_article_is_refused(client, article, world):
    from tests.factories import make_article

    other = make_article(world, "Harbour pilots agree new rota")
    elsewhere = approved(other)
    response = client.post(URL, form(article, parent=str(elsewhere.pk)))
    assert response.status_code == 400
    assert "on another article" in response.content.decode()
    assert Comment.objects.count() == 1


def test_the_form_comes_back_with_what_was_typed(client, article):
    response = client.post(URL, form(article, body="x" * 6000, name="Ilse <b>Maren</b>"))
    html = response.content.decode()
    assert 'value="Ilse &lt;b&gt;Maren&lt;/b&gt;"' in html
    assert "x" * 6000 in html


def test_closed_comments_refuse_posts(client, article):
    article.comments_open = False
    article.save_revision().publish()
    response = client.post(URL, form(article))
    assert response.status_code == 403
    assert "closed" in response.content.decode()
    assert Comment.objects.count() == 0


def test_comments_close_days_after_publication(client, world, settings):
    from tests.factories import make_article

    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    old = make_article(
        world, "Old story", published_at=timezone.now() - datetime.timedelta(days=15)
    )
    assert client.post(URL, form(old)).status_code == 403
    page = client.get(old.url).content.decode()
    assert "Comments on this story are closed." in page
    assert 'action="/comments/post/"' not in page


def test_a_duplicate_is_refused(client, article, settings):
    settings.COMMENTS_MODERATION = "none"
    assert client.post(URL, form(article)).status_code == 303
    response = client.post(
        URL, form(article, body="The ferry timetable was *finally*  published on monday.")
    )
    assert response.status_code == 400
    assert "already posted" in response.content.decode()
    assert Comment.objects.count() == 1


def test_the_per_address_limit_refuses_with_429(client, article, settings):
    settings.COMMENTS_PER_ADDRESS_PER_HOUR = 2
    for i in range(2):
        assert client.post(URL, form(article, body=f"Comment {i}")).status_code == 303
    response = client.post(URL, form(article, body="One too many"))
    assert response.status_code == 429
    assert Comment.objects.count() == 2


def test_the_per_ip_limit_counts_every_address(client, article, settings):
    settings.COMMENTS_PER_IP_PER_HOUR = 1
    assert client.post(URL, form(article)).status_code == 303
    response = client.post(URL, form(article, email="other@example.org", body="Different"))
    assert response.status_code == 429


def test_a_banned_address_is_refused_until_the_ban_expires(client, article):
    ban = Ban.objects.create(kind=Ban.Kind.EMAIL, value="ilse@example.org")
    assert client.post(URL, form(article)).status_code == 403
    ban.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    ban.save()
    assert client.post(URL, form(article)).status_code == 303


def test_a_banned_ip_is_refused(client, article):
    Ban.objects.create(
        kind=Ban.Kind.IP, value="127.0.0.1", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert client.post(URL, form(article)).status_code == 403
    assert Comment.objects.count() == 0


def test_a_post_from_another_site_is_refused(client, article):
    response = client.post(URL, form(article), HTTP_ORIGIN="https://elsewhere.example")
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_json_posts_get_the_comment_html_and_the_message(client, article):
    response = client.post(URL, form(article), HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "held"
    assert "awaiting moderation" in data["message"]
    assert "<em>finally</em>" in data["html"]
    refused = client.post(URL, form(article, body=""), HTTP_ACCEPT="application/json")
    assert refused.status_code == 400
    assert refused.json() == {
        "ok": False,
        "message": "Write a comment before posting.",
        "field": "body",
    }


def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


def test_behind_a_trusted_proxy_the_per_ip_limit_is_each_readers(client, article, settings):
    settings.COMMENTS_PER_IP_PER_HOUR = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first = client.post(URL, form(article), HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert first.status_code == 303
    again = form(article, email="other@example.org", body="Different")
    assert client.post(URL, again, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 429
    other = form(article, email="third@example.org", body="Another reader")
    assert client.post(URL, other, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code == 303
    assert Comment.objects.get(body="Another reader").ip == "203.0.113.8"
