"""Reply mail: verification first, one mail per reply, one-click unsubscribe per thread or all.

Mail goes over SMTP to a real server (the ``mail_server`` fixture); tasks run inline.
"""

from __future__ import annotations

import re

import pytest

from dateline.comments.models import Comment, Commenter
from dateline.comments.tasks import notify_reply
from dateline.newsletter.models import Subscriber
from tests.comments.helpers import approved, form

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://\S+/comments/(verify|unsubscribe)/[^\s\"<>]+")


def links(text: str, kind: str) -> list[str]:
    return [m.group(0) for m in LINK.finditer(text) if m.group(1) == kind]


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def published(settings):
    settings.COMMENTS_MODERATION = "none"


def post(client, article, capture, **fields):
    with capture(execute=True):
        return client.post("/comments/post/", form(article, **fields))


def test_asking_for_reply_mail_sends_one_verification_and_the_link_verifies(
    client, article, mail_server, published, django_capture_on_commit_callbacks
):
    post(client, article, django_capture_on_commit_callbacks, notify="1")
    post(client, article, django_capture_on_commit_callbacks, notify="1", body="Again.")
    [message] = mail_server.to("ilse@example.org")
    assert "Confirm your address" in message["Subject"]
    [verify] = links(mail_server.text(message), "verify")

    page = client.get(path_of(verify))  # a mail scanner's GET changes nothing
    assert "Yes, email me about replies" in page.content.decode()
    assert Commenter.objects.get().verified_at is None
    client.post(path_of(verify))
    assert Commenter.objects.get().verified_at is not None


def test_a_newsletter_reader_gets_no_verification_mail(
    client, article, mail_server, published, django_capture_on_commit_callbacks
):
    Subscriber.objects.create(email="ilse@example.org", status=Subscriber.Status.ACTIVE)
    post(client, article, django_capture_on_commit_callbacks, notify="1")
    assert mail_server.to("ilse@example.org") == []


def reply_setup(article):
    ilse = Commenter.objects.create(email="ilse@example.org", verified_at="2026-11-01T00:00Z")
    parent = approved(article, "Ilse Maren", commenter=ilse, notify_replies=True)
    return ilse, parent


def test_a_reply_mails_the_verified_parent_once_with_one_click_unsubscribe(
    client, article, mail_server, published, django_capture_on_commit_callbacks
):
    _, parent = reply_setup(article)
    post(
        client,
        article,
        django_capture_on_commit_callbacks,
        parent=str(parent.pk),
        name="Tomas <b>Brenn</b>",
        email="tomas@example.org",
        body="I disagree: <script>x</script> see *this*.",
    )
    [message] = mail_server.to("ilse@example.org")
    assert (
        message["Subject"]
        == 'Tomas <b>Brenn</b> replied to your comment on "Ferry talks resume after storm"'
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = mail_server.html(message)
    assert "<script>" not in html and "&lt;script&gt;" in html
    reply = Comment.objects.get(parent=parent)
    assert notify_reply.call(reply.pk) is False  # claimed once: no second mail
    assert len(mail_server.to("ilse@example.org")) == 1

    one_click = message["List-Unsubscribe"].strip("<>")
    response = client.post(path_of(one_click), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    parent.refresh_from_db()
    assert parent.notify_replies is False


def test_no_mail_to_an_unverified_writer_or_for_a_held_reply(
    client, article, mail_server, settings, django_capture_on_commit_callbacks
):
    unverified = Commenter.objects.create(email="ilse@example.org")
    parent = approved(article, commenter=unverified, notify_replies=True)
    settings.COMMENTS_MODERATION = "none"
    post(
        client,
        article,
        django_capture_on_commit_callbacks,
        parent=str(parent.pk),
        email="a@example.org",
    )
    assert mail_server.to("ilse@example.org") == []

    unverified.verified_at = "2026-11-01T00:00Z"
    unverified.save()
    settings.COMMENTS_MODERATION = "all"
    post(
        client,
        article,
        django_capture_on_commit_callbacks,
        parent=str(parent.pk),
        email="b@example.org",
        body="Held one.",
    )
    assert mail_server.to("ilse@example.org") == []


def test_approving_a_held_reply_sends_the_mail(
    client, article, mail_server, django_capture_on_commit_callbacks
):
    from dateline.comments import moderation

    _, parent = reply_setup(article)
    post(
        client,
        article,
        django_capture_on_commit_callbacks,
        parent=str(parent.pk),
        email="t@example.org",
    )
    reply = Comment.objects.get(parent=parent)
    assert reply.status == Comment.Status.HELD
    assert mail_server.to("ilse@example.org") == []
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve([reply.pk])
    assert len(mail_server.to("ilse@example.org")) == 1


def test_unsubscribing_from_all_reply_mail(
    client, article, mail_server, published, django_capture_on_commit_callbacks
):
    ilse, parent = reply_setup(article)
    post(
        client,
        article,
        django_capture_on_commit_callbacks,
        parent=str(parent.pk),
        email="t@example.org",
    )
    [message] = mail_server.to("ilse@example.org")
    [thread_link, all_link] = links(mail_server.text(message), "unsubscribe")
    assert thread_link.rstrip("/").endswith(str(article.pk))
    page = client.get(path_of(all_link))
    assert "Stop these emails" in page.content.decode()
    client.post(path_of(all_link))
    ilse.refresh_from_db()
    assert ilse.reply_mail is False
    post(
        client,
        article,
        django_capture_on_commit_callbacks,
        parent=str(parent.pk),
        email="u@example.org",
        body="More.",
    )
    assert len(mail_server.to("ilse@example.org")) == 1


@pytest.mark.parametrize("token", ["nope", "abc.0123456789abcdef0123456789abcdef", "a\x00b"])
def test_a_forged_link_is_a_404(client, token):
    assert client.get(f"/comments/verify/{token}/").status_code == 404
    assert (
        client.post(
            f"/comments/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
        ).status_code
        == 404
    )


def test_a_verify_token_does_not_unsubscribe(client, article):
    from dateline.comments.tokens import VERIFY, make_token

    ilse = Commenter.objects.create(email="ilse@example.org")
    token = make_token(ilse, VERIFY)
    assert (
        client.post(
            f"/comments/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
        ).status_code
        == 404
    )


def test_the_daily_summary_goes_to_moderators_only_when_something_waits(
    article, mail_server, settings
):
    from dateline.comments.tasks import send_moderation_summary
    from dateline.scheduler.jobs import all_jobs

    settings.COMMENTS_MODERATOR_EMAILS = ["desk@example.org"]
    assert send_moderation_summary.call() == 0
    approved(
        article,
        "Held Person",
        status=Comment.Status.HELD,
        hold_reason="first comment from this address",
    )
    approved(article, "Reported Person", report_count=3)
    [job] = [j for j in all_jobs() if j.name == "comment-moderation-summary"]
    job.run()  # queues the task, which runs inline in tests
    [message] = mail_server.to("desk@example.org")
    assert message["Subject"] == "Comments waiting: 1 held, 1 reported"
    text = mail_server.text(message)
    assert "Held Person" in text and "/admin/comments/queue/" in text
