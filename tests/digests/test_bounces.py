"""Bounces after the relay's 250: DSNs (RFC 3464), abuse reports, soft-bounce scoring, mailboxes."""

from __future__ import annotations

import datetime
import io
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings

from dateline.digests import bounces
from dateline.digests.models import Bounce, Delivery, DigestIssue
from dateline.newsletter.models import Subscriber, Suppression
from tests.digests.helpers import reader

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "bounces"
NOW = datetime.datetime(2026, 11, 27, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def delivery() -> Delivery:
    subscriber = reader("ana@example.com")
    issue = DigestIssue.objects.create(
        cadence="weekly", slot_at=NOW, period_start=NOW, period_end=NOW, status="sent"
    )
    return Delivery.objects.create(
        issue=issue, subscriber=subscriber, email=subscriber.email, state="sent"
    )


def sample(name: str, delivery: Delivery, address: str = "") -> bytes:
    text = (SAMPLES / name).read_text()
    text = text.replace("{token}", delivery.token).replace("{issue}", str(delivery.issue_id))
    return text.replace("{address}", address or delivery.email).encode()


def test_a_hard_bounce_suppresses_the_address(delivery):
    outcome = bounces.process(sample("postfix-user-unknown.eml", delivery))
    [bounce] = outcome.recorded
    assert (bounce.kind, bounce.status, bounce.delivery) == ("hard", "5.1.1", delivery)
    assert "no such mailbox" in bounce.diagnostic
    assert Suppression.objects.get(email="ana@example.com").reason == "hard_bounce"
    delivery.refresh_from_db()
    assert delivery.state == "bounced"


def test_the_token_alone_finds_the_delivery(delivery):
    # A relay that rewrote the headers: only the envelope recipient or the quoted
    # Message-ID names the delivery, and the report names a forwarding address.
    raw = sample("postfix-user-unknown.eml", delivery, address="old-alias@example.com")
    raw = raw.replace(f"bounce+{delivery.token}".encode(), b"bounces")
    outcome = bounces.process(raw)
    assert outcome.recorded[0].delivery == delivery
    assert outcome.recorded[0].email == "ana@example.com"
    assert bounces.find_token(bounces.parse(b"Subject: x\n\n"), f"bounce+{delivery.token}@x")


def test_a_forged_token_names_no_delivery(delivery):
    # Someone who knows how tokens look cannot make a report about another reader's
    # delivery: the id is there, the signature is not ours.
    forged = f"{delivery.pk}x{'0' * 20}"
    raw = sample("postfix-user-unknown.eml", delivery, address="someone@else.example")
    raw = raw.replace(delivery.token.encode(), forged.encode())
    assert bounces.find_token(bounces.parse(raw)) == forged
    assert bounces.process(raw).recorded == []
    assert not Suppression.objects.exists()


def test_a_token_made_before_a_key_rotation_still_counts(delivery, settings):
    raw = sample("postfix-user-unknown.eml", delivery, address="old-alias@example.com")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    [bounce] = bounces.process(raw).recorded
    assert bounce.delivery == delivery


def test_a_full_mailbox_is_soft_and_scored_over_days(delivery, settings):
    settings.BOUNCE_SOFT_THRESHOLD = 3
    raw = sample("exim-mailbox-full.eml", delivery)
    with time_machine.travel(NOW, tick=False):
        bounces.process(raw)
        bounces.process(raw)  # the same day counts once
    assert bounces.soft_score("ana@example.com", NOW) == 1
    assert not Suppression.objects.exists()
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        bounces.process(raw)
    with time_machine.travel(NOW + datetime.timedelta(days=2), tick=False):
        outcome = bounces.process(raw)
    assert outcome.suppressed == ["ana@example.com"]
    assert Suppression.objects.get().reason == "soft_bounces"


def test_old_soft_bounces_are_forgotten(delivery, settings):
    settings.BOUNCE_SOFT_THRESHOLD = 2
    raw = sample("delayed.eml", delivery)
    with time_machine.travel(NOW, tick=False):
        bounces.process(raw)
    later = NOW + datetime.timedelta(days=settings.BOUNCE_WINDOW_DAYS + 1)
    with time_machine.travel(later, tick=False):
        outcome = bounces.process(raw)
    assert outcome.recorded[0].kind == "soft" and outcome.recorded[0].status == "4.4.1"
    assert not Suppression.objects.exists()


def test_a_bounce_in_an_older_format_is_soft(delivery, settings):
    # qmail sends no DSN (QSBMF, read by flufl.bounce): no status code says the address
    # is gone, so it is scored like a full mailbox rather than suppressed at once.
    settings.BOUNCE_SOFT_THRESHOLD = 2
    with time_machine.travel(NOW, tick=False):
        [bounce] = bounces.process(sample("qmail-no-dsn.eml", delivery)).recorded
    assert (bounce.kind, bounce.status, bounce.delivery) == ("soft", "", delivery)
    assert not Suppression.objects.exists()


def test_a_complaint_suppresses_at_once(delivery):
    outcome = bounces.process(sample("complaint-arf.eml", delivery))
    assert outcome.recorded[0].kind == "complaint"
    assert Suppression.objects.get().reason == "complaint"


def test_an_out_of_office_reply_is_not_a_bounce(delivery):
    outcome = bounces.process(sample("out-of-office.eml", delivery))
    assert outcome.recorded == [] and "automatic reply" in outcome.reason
    assert not Bounce.objects.exists() and not Suppression.objects.exists()


@pytest.mark.parametrize(
    "raw", [b"", b"\x00\xff\xfe garbage", b"Content-Type: multipart/report\n\n--x--", b"a" * 5000]
)
def test_garbage_records_nothing(delivery, raw):
    outcome = bounces.process(raw)
    assert outcome.recorded == [] and outcome.reason
    assert not Bounce.objects.exists()


def test_a_report_about_a_stranger_is_ignored(delivery):
    raw = sample("postfix-user-unknown.eml", delivery, address="someone@else.example")
    raw = raw.replace(delivery.token.encode(), b"0" * 24)
    outcome = bounces.process(raw)
    assert outcome.recorded == []
    assert not Suppression.objects.exists()


def run_command(raw: bytes, *args: str, monkeypatch) -> str:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("bounce", *args, stdout=out)
    return out.getvalue()


def test_the_command_reads_standard_input(delivery, monkeypatch):
    output = run_command(sample("postfix-user-unknown.eml", delivery), monkeypatch=monkeypatch)
    assert "Recorded hard bounce for ana@example.com (5.1.1)" in output
    assert "Suppressed ana@example.com" in output
    output = run_command(b"Subject: hello\n\nhi", monkeypatch=monkeypatch)
    assert "Nothing recorded: not a delivery status notification" in output
    with pytest.raises(CommandError, match="No message"):
        run_command(b"", monkeypatch=monkeypatch)


def test_the_command_without_a_mailbox_says_so(db):
    with override_settings(BOUNCE_MAILBOX_URL=""), pytest.raises(CommandError, match="No mailbox"):
        call_command("bounce", "--mailbox")
    with pytest.raises(CommandError, match="must start with"):
        call_command("bounce", "--mailbox", "http://example.org/")


def test_subscriber_stays_but_is_never_mailed_again(delivery):
    bounces.process(sample("postfix-user-unknown.eml", delivery))
    # Suppression is what the engine checks at approval and before every send.
    assert Subscriber.objects.filter(email="ana@example.com").exists()
    assert Suppression.objects.filter(email="ana@example.com").exists()


@pytest.mark.parametrize("protocol", ["pop3", "imap"])
def test_the_bounce_mailbox_is_read_and_emptied(delivery, protocol):
    from dateline.digests import mailbox
    from tests.digests.mailboxes import MailboxServer

    messages = [
        sample("postfix-user-unknown.eml", delivery).replace(b"\n", b"\r\n"),
        sample("out-of-office.eml", delivery).replace(b"\n", b"\r\n"),
    ]
    with MailboxServer(protocol, messages) as server:
        with pytest.raises(mailbox.MailboxError):
            mailbox.poll(server.url(password="wrong"))
        assert len(server.messages) == 2  # nothing deleted on a failed login
        out = io.StringIO()
        call_command("bounce", "--mailbox", server.url(), stdout=out)
        assert server.messages == []
    assert "2 messages" in out.getvalue() and "1 hard" in out.getvalue()
    assert "1 ignored" in out.getvalue()
    [bounce] = Bounce.objects.all()
    assert bounce.source == protocol and bounce.delivery == delivery
    assert Suppression.objects.filter(email="ana@example.com").exists()
