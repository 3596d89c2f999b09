"""`dateline unsubscribe-mail`: a relay pipes a mail to unsubscribe+TOKEN@… on standard input."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import timezone

from dateline.newsletter import tokens
from dateline.newsletter.models import ConsentRecord, ConsentText, Subscriber, Suppression

pytestmark = pytest.mark.django_db

DATELINE = Path(sys.executable).with_name("dateline")


@pytest.fixture(autouse=True)
def _mailbox(settings):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX = "unsubscribe@news.example"


@pytest.fixture
def subscriber() -> Subscriber:
    now = timezone.now()
    subscriber = Subscriber.objects.create(
        email="reader@example.org", status=Subscriber.Status.ACTIVE, confirmed_at=now
    )
    ConsentRecord.objects.create(
        subscriber=subscriber,
        email=subscriber.email,
        status=ConsentRecord.Status.CONFIRMED,
        source="newsletter page",
        consent_text=ConsentText.current(),
        confirmed_at=now,
    )
    return subscriber


def mail(headers: dict[str, str], body: str = "unsubscribe\r\n") -> bytes:
    """A message as a mail program sends it: CRLF line ends, the usual headers."""
    fields = {
        "Return-Path": "<reader@example.org>",
        "From": "Rea Der <reader@example.org>",
        "Date": "Mon, 03 Mar 2025 09:00:00 +0000",
        "Message-ID": "<20250303090000.1234@mail.example.org>",
        "Subject": "unsubscribe",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Transfer-Encoding": "7bit",
        **headers,
    }
    head = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    return (head + "\r\n" + body).encode()


def pipe(message: bytes, *args: str) -> None:
    call_command("unsubscribe_mail", *args, stdin=io.BytesIO(message))


def address(subscriber: Subscriber) -> str:
    return f"unsubscribe+{tokens.manage_token(subscriber)}@news.example"


def assert_unsubscribed_by_mail(subscriber: Subscriber) -> None:
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert Suppression.objects.get(email=subscriber.email).reason == "unsubscribed"
    consent = ConsentRecord.objects.get(subscriber=subscriber)
    assert consent.status == ConsentRecord.Status.WITHDRAWN
    assert consent.withdrawn_how == "mailto"


def assert_still_subscribed(subscriber: Subscriber) -> None:
    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert not Suppression.objects.exists()


def test_a_mail_to_the_address_in_the_header_unsubscribes(subscriber):
    pipe(mail({"To": f'"The Dateline Ledger" <{address(subscriber)}>'}))
    assert_unsubscribed_by_mail(subscriber)


def test_the_mailto_from_list_unsubscribe_works(subscriber):
    header = tokens.list_unsubscribe_headers(subscriber)["List-Unsubscribe"]
    mailto = header.split("<mailto:", 1)[1].split("?", 1)[0]
    pipe(mail({"To": mailto}))
    assert_unsubscribed_by_mail(subscriber)


@pytest.mark.parametrize("header", ["Delivered-To", "X-Original-To"])
def test_the_relay_s_headers_are_read(subscriber, header):
    # Sent by Bcc, or through an alias: To names some other address.
    pipe(mail({"To": "undisclosed-recipients:;", header: address(subscriber)}))
    assert_unsubscribed_by_mail(subscriber)


def test_the_envelope_recipient_is_read(subscriber):
    pipe(mail({"To": "letters@news.example"}), "--recipient", address(subscriber))
    assert_unsubscribed_by_mail(subscriber)


def test_one_address_among_several_is_enough(subscriber):
    to = f"Letters <letters@news.example>, {address(subscriber)}, someone@example.org"
    pipe(mail({"To": to, "Cc": "x@example.org"}))
    assert_unsubscribed_by_mail(subscriber)


def test_a_token_folded_to_lower_case_by_the_relay_still_works(subscriber):
    subscriber.public_id = "AbCdEfGhIjKlMnOp"
    subscriber.save()
    pipe(mail({"To": "letters@news.example"}), "--recipient", address(subscriber).lower())
    assert_unsubscribed_by_mail(subscriber)


def test_the_mailbox_name_is_case_insensitive(subscriber):
    pipe(mail({"To": address(subscriber).replace("unsubscribe+", "Unsubscribe+")}))
    assert_unsubscribed_by_mail(subscriber)


def test_a_message_in_several_parts_with_stray_bytes(subscriber):
    message = mail(
        {
            "To": address(subscriber),
            "Subject": "=?utf-8?q?D=C3=A9sabonnement?=",
            "Content-Type": 'multipart/alternative; boundary="b1"',
        },
        body=(
            "--b1\r\nContent-Type: text/plain\r\n\r\nplease\r\n"
            "--b1\r\nContent-Type: text/html\r\n\r\n<p>please</p>\r\n--b1--\r\n"
        ),
    ).replace(b"Rea Der", b"R\xe9a D\xffr")
    pipe(message)
    assert_unsubscribed_by_mail(subscriber)


def test_a_message_with_no_token_is_logged_and_accepted(subscriber, caplog):
    caplog.set_level(logging.INFO)
    for message in (
        mail({"To": "unsubscribe@news.example"}),
        mail({"To": "letters+something@news.example"}),
        b"",
        b"not a mail at all",
    ):
        pipe(message)  # no exception: exit status 0, so the relay bounces nothing
    assert_still_subscribed(subscriber)
    assert "no token" in caplog.text


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),
        lambda t: "x" + t,
        lambda t: t.split(".")[0],
        lambda t: t + "%00",
        lambda t: t[:5] + "\x00" + t[5:],
        lambda t: "é" + t,
    ],
)
def test_a_forged_token_is_logged_and_accepted(subscriber, caplog, forge):
    forged = forge(tokens.manage_token(subscriber))
    pipe(mail({"To": f"unsubscribe+{forged}@news.example"}))
    assert_still_subscribed(subscriber)
    assert "unknown or forged token" in caplog.text
    assert tokens.manage_token(subscriber).split(".")[1] not in caplog.text


def test_a_revoked_token_is_not_accepted(subscriber):
    old = address(subscriber)
    subscriber.token_key = "a-new-key"
    subscriber.save()
    pipe(mail({"To": old}))
    assert_still_subscribed(subscriber)


def test_an_unsubscribed_reader_keeps_the_first_unsubscribe(subscriber):
    pipe(mail({"To": address(subscriber)}))
    subscriber.refresh_from_db()
    first = subscriber.unsubscribed_at
    pipe(mail({"To": address(subscriber)}))
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at == first


def test_a_database_error_asks_the_relay_to_try_again(subscriber):
    with (
        mock.patch(
            "dateline.newsletter.signup.unsubscribe",
            side_effect=OperationalError("database is locked"),
        ),
        pytest.raises(CommandError) as raised,
    ):
        pipe(mail({"To": address(subscriber)}))
    assert raised.value.returncode == 75


def run_cli(message: bytes, database_url: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "INFO",
        "NEWSLETTER_UNSUBSCRIBE_MAILBOX": "unsubscribe@news.example",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [str(DATELINE), "unsubscribe-mail", "--recipient", "nobody@news.example"],
        input=message,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(not DATELINE.exists(), reason="the dateline console script is not installed")
def test_the_command_line_exits_75_when_the_database_is_down(subscriber):
    # Port 1 on localhost: the connection is refused at once.
    result = run_cli(mail({"To": address(subscriber)}), "postgres://nobody@127.0.0.1:1/nowhere")
    assert result.returncode == 75, result.stderr.decode()
    assert b"try again later" in result.stderr


@pytest.mark.skipif(not DATELINE.exists(), reason="the dateline console script is not installed")
def test_the_command_line_exits_0_for_a_mail_without_token():
    result = run_cli(mail({"To": "letters@news.example"}), "postgres://nobody@127.0.0.1:1/nowhere")
    assert result.returncode == 0, result.stderr.decode()
    assert b"no token" in result.stderr
