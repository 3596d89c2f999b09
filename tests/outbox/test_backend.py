import email
import email.policy
import socket

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection, send_mail

from dateline.lib.emailurl import OUTBOX_BACKEND
from dateline.outbox.backend import OutboxBackend
from dateline.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox_backend(settings):
    # pytest-django swaps in locmem for every test; these tests are about the outbox.
    settings.EMAIL_BACKEND = OUTBOX_BACKEND


def test_send_mail_stores_the_message():
    sent = send_mail(
        "Confirm your newsletter subscription",
        "Follow this link: http://127.0.0.1:8000/newsletter/confirm/abc/",
        "Dateline <newsroom@dateline.invalid>",
        ["reader@example.org"],
    )
    assert sent == 1
    stored = OutboxMessage.objects.get()
    assert stored.subject == "Confirm your newsletter subscription"
    assert stored.from_email == "Dateline <newsroom@dateline.invalid>"
    assert stored.to == "reader@example.org"
    assert stored.message_id.startswith("<") and stored.message_id.endswith(">")
    parsed = stored.parsed()
    assert parsed["Message-ID"] == stored.message_id
    assert parsed["Date"]
    assert "newsletter/confirm/abc/" in parsed.get_content()
    # Nothing leaked to the locmem outbox: the outbox backend really was used.
    assert mail.outbox == []


def test_multipart_mail_keeps_both_parts_headers_and_every_recipient():
    message = EmailMultiAlternatives(
        "Morning digest — 3 stories",
        "Plain digest",
        "newsroom@dateline.invalid",
        ["Ada Reader <ada@example.org>"],
        cc=["editor@example.org"],
        bcc=["archive@example.org"],
        headers={"List-Unsubscribe": "<https://dateline.invalid/u/ada/>"},
    )
    message.attach_alternative("<h1>HTML digest</h1>", "text/html")
    assert message.send() == 1

    stored = OutboxMessage.objects.get()
    assert stored.subject == "Morning digest — 3 stories"
    assert stored.recipient_addresses() == [
        "ada@example.org",
        "editor@example.org",
        "archive@example.org",
    ]
    # The bytes an SMTP server would get: RFC 5322 CRLF line endings, encoded headers.
    raw = bytes(stored.raw)
    assert b"\r\nSubject: =?utf-8?" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")
    parsed = email.message_from_bytes(bytes(stored.raw), policy=email.policy.default)
    assert parsed["List-Unsubscribe"] == "<https://dateline.invalid/u/ada/>"
    assert "Bcc" not in parsed  # as on the wire: only the envelope knows about Bcc
    text, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content().strip() == "Plain digest"
    assert "<h1>HTML digest</h1>" in html.get_content()


def test_many_messages_are_stored_in_one_query(django_assert_num_queries):
    messages = [
        EmailMessage(f"Digest {n}", "body", "newsroom@dateline.invalid", [f"r{n}@example.org"])
        for n in range(5)
    ]
    connection = get_connection()
    assert isinstance(connection, OutboxBackend)
    with django_assert_num_queries(1):
        assert connection.send_messages(messages) == 5
    assert sorted(OutboxMessage.objects.values_list("subject", flat=True)) == [
        f"Digest {n}" for n in range(5)
    ]


def test_messages_without_recipients_are_skipped_like_smtp_does():
    messages = [
        EmailMessage("Nobody", "body", "newsroom@dateline.invalid", []),
        EmailMessage("Somebody", "body", "newsroom@dateline.invalid", ["a@example.org"]),
    ]
    assert get_connection().send_messages(messages) == 1
    assert list(OutboxMessage.objects.values_list("subject", flat=True)) == ["Somebody"]


def test_an_empty_batch_sends_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert get_connection().send_messages([]) == 0


def test_failures_raise_unless_fail_silently(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database is gone")

    monkeypatch.setattr(OutboxMessage.objects, "bulk_create", broken)
    message = EmailMessage("Lost", "body", "newsroom@dateline.invalid", ["a@example.org"])
    with pytest.raises(RuntimeError):
        OutboxBackend(fail_silently=False).send_messages([message])
    assert OutboxBackend(fail_silently=True).send_messages([message]) == 0
    assert send_mail("Lost", "body", None, ["a@example.org"], fail_silently=True) == 0


def test_it_never_opens_a_network_connection(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the outbox must not touch the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert send_mail("Offline", "body", None, ["a@example.org"]) == 1
    assert OutboxMessage.objects.filter(subject="Offline").exists()
