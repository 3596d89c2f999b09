"""The engine in this process: pooled connections, pausing, hourly limits, journals, DKIM."""

from __future__ import annotations

import base64
import os
import subprocess
import time

import dkim
import nacl.signing
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dateline.digests import engine
from dateline.digests.engine import journal as journals
from dateline.digests.engine.lanes import Lanes
from dateline.digests.engine.options import Options
from dateline.digests.models import Delivery, DigestIssue
from dateline.newsletter.models import Subscriber
from tests.digests.helpers import make_issue, reader, subscribe_all
from tests.factories import make_article
from tests.helpers.mailserver import MailServer

pytestmark = pytest.mark.django_db


def readers(prefix: str, count: int) -> list[str]:
    Subscriber.objects.bulk_create(
        Subscriber(email=f"{prefix}{i}@example.org", status=Subscriber.Status.ACTIVE)
        for i in range(count)
    )
    subscribe_all()
    return [f"{prefix}{i}@example.org" for i in range(count)]


def approved(issue: DigestIssue) -> DigestIssue:
    engine.approve(issue)
    return issue


def test_one_connection_carries_every_batch_and_the_next_issue(world, mail_server):
    readers("r", 25)
    first = approved(make_issue([make_article(world, "Dam agreement signed")], days_ago=3))
    assert engine.send_issue(first, "w1", batch_size=10) == {"sent": 25}
    second = approved(make_issue([make_article(world, "Council approves bus lane")]))
    assert engine.send_issue(second, "w1", batch_size=10) == {"sent": 25}
    assert len(mail_server.received) == 50
    assert len(mail_server.peers) == 1  # pooled: no new connection per batch or per issue


def test_a_connection_the_relay_closed_while_idle_is_replaced(world, mail_server, settings):
    readers("r", 3)
    issue = approved(make_issue([make_article(world)]))
    stale = engine.POOL.acquire()
    stale.close()  # the relay hung up on it; the pool does not know
    engine.POOL.release(stale)
    assert engine.send_issue(issue, "w1") == {"sent": 3}


def test_issue_pauses_when_too_many_fail_and_resumes(world, mail_server, settings):
    settings.DIGEST_PAUSE_FAILURE_RATE = 0.2
    settings.DIGEST_PAUSE_MIN_TRIED = 10
    # Created first, so claimed first: the relay refuses all of them.
    for address in readers("gone", 10):
        mail_server.refuse[address] = "550 5.1.1 No such user"
    good = readers("ok", 20)
    issue = approved(make_issue([make_article(world)]))

    totals = engine.send_issue(issue, "w1", batch_size=5)
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.PAUSED
    assert "10 of the last 10 deliveries failed" in issue.pause_reason
    assert totals == {"bounced": 10}
    assert mail_server.received == []
    assert Delivery.objects.filter(issue=issue, state="queued", claimed_by="").count() == 20
    # Paused: workers leave it alone.
    assert engine.send_issue(issue, "w2") == {}

    engine.resume(issue)
    assert issue.status == DigestIssue.Status.SENDING and issue.pause_reason == ""
    assert (issue.tried_at_resume, issue.failed_at_resume) == (10, 10)
    assert engine.send_issue(issue, "w1", batch_size=5) == {"sent": 20}
    assert sorted(rcpt for _, rcpt, _ in mail_server.received) == sorted(good)
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SENT
    with pytest.raises(ValueError, match="not paused"):
        engine.resume(issue)


def test_failures_below_the_threshold_do_not_pause(world, mail_server, settings):
    settings.DIGEST_PAUSE_FAILURE_RATE = 0.2
    settings.DIGEST_PAUSE_MIN_TRIED = 10
    readers("ok", 18)
    mail_server.refuse["gone0@example.org"] = "550 5.1.1 No such user"
    readers("gone", 1)
    issue = approved(make_issue([make_article(world)]))
    assert engine.send_issue(issue, "w1", batch_size=5) == {"sent": 18, "bounced": 1}
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SENT


def test_a_send_without_failures_never_counts_the_whole_issue(world, mail_server, settings):
    # The failure-rate count scans every delivery of the issue: once per batch, it made a
    # send of n readers cost O(n^2) in the database. Only a run's own failures call for it.
    settings.DIGEST_PAUSE_FAILURE_RATE = 0.2
    readers("ok", 30)
    issue = approved(make_issue([make_article(world)]))
    with CaptureQueriesContext(connection) as queries:
        assert engine.send_issue(issue, "w1", batch_size=5) == {"sent": 30}
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts == []


def test_hourly_limit_holds_back_what_exceeds_a_minutes_share(world, mail_server, settings):
    # 3,600 an hour: the bucket holds a minute's worth (60) and refills one a second.
    settings.DIGEST_RATE_PER_HOUR = 3600
    readers("r", 62)
    issue = approved(make_issue([make_article(world)]))
    started = time.monotonic()
    assert engine.send_issue(issue, "w1") == {"sent": 62}
    assert time.monotonic() - started >= 1.8
    times = sorted(t for t, _, _ in mail_server.received)
    assert times[59] - times[0] < times[61] - times[59]  # the burst, then the trickle


def test_rate_limits_must_make_sense(world, settings):
    settings.DIGEST_RATE_PER_SECOND = -5
    issue = approved(make_issue([make_article(world)]))
    with pytest.raises(ValueError, match="rate limits"):
        engine.send_issue(issue, "w1")
    with pytest.raises(ValueError, match="at least 1"):
        Options.from_settings(concurrency=0)


def test_journal_of_a_dead_run_is_replayed_once(world, settings, tmp_path):
    for i in range(3):
        reader(f"r{i}@example.org")
    issue = approved(make_issue([make_article(world)]))
    claimed = engine.claim_batch(issue, "dead#1", 10)
    directory = tmp_path / "replay"
    journal = journals.Journal(directory, "dead#1")
    journal.record(claimed[0].pk)
    journal.record(claimed[1].pk)
    live = journals.Journal(directory, "alive#2")
    # Replaying while it runs changes nothing.
    assert journals.replay(directory) == (0, 0)

    journal.map.close()  # the process died: its lock is gone, its file stays
    os.close(journal.fd)
    assert journals.replay(directory) == (2, 1)
    states = dict(Delivery.objects.values_list("pk", "state"))
    assert [states[d.pk] for d in claimed] == ["sent", "sent", "queued"]
    assert not journal.path.exists() and live.path.exists()
    assert journals.replay(directory) == (0, 0)
    live.close()


def test_a_journal_keeps_every_id_as_it_grows_and_drops_a_line_cut_short(tmp_path):
    journal = journals.Journal(tmp_path, "run#1")
    ids = list(range(1_000_000, 1_030_000))  # 240 KB: past the first size, twice
    for delivery_id in ids:
        journal.record(delivery_id)
    # Read as a replay would, while the run's mapping is still open (as after a kill).
    assert journals.journal_ids(journal.path) == ("run#1", ids)
    journal.map[journal.end : journal.end + 3] = b"123"  # killed in the middle of a copy
    assert journals.journal_ids(journal.path) == ("run#1", ids)
    journal.map.close()
    os.close(journal.fd)


def test_replay_leaves_a_journal_being_made_alone(tmp_path):
    # A worker starting beside another replays the folder while the other makes its
    # journal: between its open and its lock the file is unlocked. Replay deleted it
    # once, and the other worker died on its rename (seen in test_workers).
    directory = tmp_path / "journals"
    directory.mkdir()
    making = directory / f"w1_0001.1a2b3c4d{journals._MAKING}"
    making.write_bytes(b"")
    assert journals.replay(directory) == (0, 0)
    assert making.exists()
    # One left by a run killed before its rename held no claims: it goes when old.
    old = time.time() - journals._MAKING_LEFT_FOR - 1
    os.utime(making, (old, old))
    journals.replay(directory)
    assert not making.exists()
    journal = journals.Journal(directory, "w1#2")
    assert [p.name for p in directory.iterdir()] == [journal.path.name]
    journal.close()


def dkim_key(kind: str) -> tuple[bytes, bytes]:
    """(private key as DKIM_PRIVATE_KEY_FILE holds it, the DNS TXT record)."""
    if kind == "ed25519":
        key = nacl.signing.SigningKey.generate()
        public = base64.b64encode(bytes(key.verify_key))
        return base64.b64encode(bytes(key)), b"v=DKIM1; k=ed25519; p=" + public
    pem = subprocess.run(
        ["openssl", "genrsa", "-traditional", "1024"], capture_output=True, check=True
    ).stdout
    der = subprocess.run(
        ["openssl", "rsa", "-pubout", "-outform", "DER"], input=pem, capture_output=True, check=True
    ).stdout
    return pem, b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)


@pytest.mark.parametrize("kind", ["ed25519", "rsa"])
def test_dkim_signature_verifies_at_the_receiving_end(world, mail_server, settings, tmp_path, kind):
    key, record = dkim_key(kind)
    key_file = tmp_path / "dkim.key"
    key_file.write_bytes(key)
    settings.DKIM_DOMAIN, settings.DKIM_SELECTOR = "dateline.invalid", "news2026"
    settings.DKIM_PRIVATE_KEY_FILE = str(key_file)

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"news2026._domainkey.dateline.invalid."
        return record

    readers("r", 2)
    issue = approved(make_issue([make_article(world, "Dam agreement signed")]))
    assert engine.send_issue(issue, "w1") == {"sent": 2}
    algorithm = b"ed25519-sha256" if kind == "ed25519" else b"rsa-sha256"
    for content in mail_server.contents:
        assert content.startswith(b"DKIM-Signature: v=1; a=" + algorithm + b";")
        assert dkim.verify(content, dnsfunc=dns)
        assert b"Dam agreement" in content
        assert not dkim.verify(content.replace(b"Dam agreement", b"Dim agreement"), dnsfunc=dns)


def test_dkim_with_a_bad_key_stops_before_the_first_reader(world, mail_server, settings, tmp_path):
    key_file = tmp_path / "dkim.key"
    key_file.write_text("not a key")
    settings.DKIM_DOMAIN, settings.DKIM_SELECTOR = "dateline.invalid", "news2026"
    settings.DKIM_PRIVATE_KEY_FILE = str(key_file)
    readers("r", 1)
    issue = approved(make_issue([make_article(world)]))
    with pytest.raises(ImproperlyConfigured, match="not a usable key"):
        engine.send_issue(issue, "w1")
    assert mail_server.received == []
    assert Delivery.objects.get().state == Delivery.State.QUEUED


def _connected(mail_server: MailServer, pipelining: bool):
    import smtplib

    connection = smtplib.SMTP("127.0.0.1", mail_server.port)
    connection.ehlo()
    if not pipelining:
        connection.esmtp_features.pop("pipelining", None)
    return connection


@pytest.mark.parametrize("pipelining", [True, False])
def test_stuffed_messages_arrive_whole_with_or_without_pipelining(mail_server, pipelining):
    from dateline.digests.smtp import Envelope, send_pipelined, stuffed

    message = b"Subject: dots\r\n\r\n.leading dot\r\n..two\r\nlast line"
    outcomes: list[BaseException | None] = []
    send_pipelined(
        _connected(mail_server, pipelining),
        [Envelope("bounce+x@dateline.invalid", "ana@example.org", stuffed(message))],
        lambda _, error: outcomes.append(error),
    )
    assert outcomes == [None]
    # aiosmtpd undoes the dot-stuffing and keeps the line endings as sent.
    assert mail_server.contents == [message + b"\r\n"]


@pytest.mark.parametrize("pipelining", [True, False])
def test_a_run_of_messages_reports_each_outcome_in_order(mail_server, pipelining):
    """Refusals at RCPT and at the end of DATA cost only their own message: the next one,
    already on its way behind it, starts a clean transaction."""
    import smtplib

    from dateline.digests.smtp import Envelope, send_pipelined

    mail_server.refuse["gone@example.org"] = "550 5.1.1 No such user"
    mail_server.refuse_data["spam@example.org"] = "554 5.7.1 Message refused"
    to = ["a@example.org", "gone@example.org", "spam@example.org", "b@example.org"]
    to += ["gone@example.org", "c@example.org"]
    payload = b"Subject: x\r\n\r\n..a line with a dot\r\n.\r\n"
    outcomes: list[tuple[str, object]] = []
    connection = _connected(mail_server, pipelining)
    send_pipelined(
        connection,
        (Envelope("bounce@dateline.invalid", rcpt, payload, i) for i, rcpt in enumerate(to)),
        lambda message, error: outcomes.append((message.recipient, error)),
    )
    assert [rcpt for rcpt, _ in outcomes] == to
    errors = [error for _, error in outcomes]
    assert [e is None for e in errors] == [True, False, False, True, False, True]
    assert isinstance(errors[1], smtplib.SMTPRecipientsRefused)
    assert isinstance(errors[2], smtplib.SMTPDataError) and errors[2].smtp_code == 554
    assert [rcpt for _, rcpt, _ in mail_server.received] == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
    assert mail_server.contents[0] == b"Subject: x\r\n\r\n.a line with a dot\r\n"
    assert connection.noop()[0] == 250  # still usable
    connection.quit()


@pytest.mark.parametrize("pipelining", [True, False])
def test_a_lost_connection_names_the_messages_never_sent(mail_server, pipelining):
    from dateline.digests.smtp import ConnectionLost, Envelope, send_pipelined

    mail_server.hang_up_at.add("b@example.org")
    to = ["a@example.org", "b@example.org", "c@example.org", "d@example.org"]
    outcomes: list[tuple[str, object]] = []
    with pytest.raises(ConnectionLost) as lost:
        send_pipelined(
            _connected(mail_server, pipelining),
            (Envelope("bounce@dateline.invalid", rcpt, b"x\r\n.\r\n") for rcpt in to),
            lambda message, error: outcomes.append((message.recipient, error)),
        )
    # b's data was out when the server hung up: it may have arrived, the caller decides.
    assert [rcpt for rcpt, _ in outcomes] == ["a@example.org", "b@example.org"]
    assert outcomes[0][1] is None and isinstance(outcomes[1][1], OSError)
    # With PIPELINING c's envelope went out behind b's data and d was made meanwhile:
    # neither was tried. One by one, nothing after b was read yet.
    untried = [message.recipient for message in lost.value.untried]
    assert untried == (["c@example.org", "d@example.org"] if pipelining else [])
    assert [rcpt for _, rcpt, _ in mail_server.received] == ["a@example.org"]


def test_a_relay_lost_mid_run_costs_only_the_message_in_flight(world, mail_server, settings):
    """The message whose data was out waits for a retry; the one whose envelope was
    pipelined behind it goes out at once on a new connection; nothing is sent twice."""
    settings.DIGEST_CONCURRENCY = 1
    addresses = readers("r", 12)
    issue = approved(make_issue([make_article(world)]))
    mail_server.hang_up_at.add(addresses[4])
    assert engine.send_issue(issue, "w1") == {"sent": 11, "queued": 1}
    received = [rcpt for _, rcpt, _ in mail_server.received]
    assert sorted(received) == sorted(set(addresses) - {addresses[4]})
    lost = Delivery.objects.get(issue=issue, email=addresses[4])
    assert (lost.state, lost.attempts) == (Delivery.State.QUEUED, 1)
    assert lost.last_error.startswith("connection:") and lost.retry_at is not None
    assert len(mail_server.peers) == 2


def test_a_relay_with_implicit_tls(world, settings, tmp_path):
    """smtps:// (EMAIL_USE_SSL): the connection is TLS from the first byte."""
    import ssl

    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        capture_output=True,
        check=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server = MailServer(ssl_context=context).use(settings)  # nothing but TLS
    try:
        readers("r", 2)
        issue = approved(make_issue([make_article(world)]))
        assert engine.send_issue(issue, "w1") == {"sent": 2}
    finally:
        engine.POOL.close_all()
        server.stop()
    assert sorted(rcpt for _, rcpt, _ in server.received) == ["r0@example.org", "r1@example.org"]


def test_workers_send_the_first_readers_while_the_approval_queues_the_rest(
    world, mail_server, settings
):
    settings.DIGEST_QUEUEING_WAIT = 0.3
    addresses = readers("r", 30)
    issue = make_issue([make_article(world)])
    sent_early: dict[str, int] = {}

    def start_the_workers() -> None:
        issue.refresh_from_db()
        assert issue.queueing and Delivery.objects.filter(issue=issue).count() == 10
        sent_early.update(engine.send_issue(issue, "w1"))  # waits, then gives up
        issue.refresh_from_db()
        assert issue.status == DigestIssue.Status.SENDING  # not "sent": readers to come

    assert engine.approve(issue, on_first_chunk=start_the_workers, chunk=10) == 30
    assert sent_early == {"sent": 10}
    issue.refresh_from_db()
    assert not issue.queueing and issue.approved_at is not None
    assert engine.send_issue(issue, "w1") == {"sent": 20}
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SENT
    assert sorted(rcpt for _, rcpt, _ in mail_server.received) == sorted(addresses)


def test_the_scheduler_finishes_an_approval_that_died(world):
    from django.utils import timezone

    from dateline.digests import editorial

    readers("r", 30)
    issue = make_issue([make_article(world)])

    def die() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        engine.approve(issue, on_first_chunk=die, chunk=10)
    issue.refresh_from_db()
    assert issue.queueing and Delivery.objects.filter(issue=issue).count() == 10
    assert not engine.finish_if_done(issue)
    editorial.resume_stalled(timezone.now())  # too soon to call it dead
    assert Delivery.objects.filter(issue=issue).count() == 10
    editorial.resume_stalled(timezone.now() + editorial.APPROVAL_STALE)
    issue.refresh_from_db()
    assert not issue.queueing and Delivery.objects.filter(issue=issue).count() == 30


def test_a_connection_left_mid_pipeline_is_not_pooled(world, mail_server, monkeypatch):
    """An error while replies are still unread (here, recording the first accepted
    message fails): the connection is dropped, or the next run would read them."""
    readers("r", 5)
    issue = approved(make_issue([make_article(world)]))
    engine.POOL.close_all()

    def fails(self, lane, delivery, error):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Lanes, "settle_one", fails)
    with pytest.raises(RuntimeError):
        engine.send_issue(issue, "w1")
    assert engine.POOL._idle == []


@pytest.mark.parametrize("pipelining", [True, False])
def test_the_callers_own_error_is_not_taken_for_a_lost_connection(mail_server, pipelining):
    """An OSError while recording an accepted message (the journal on a full disk) is
    the caller's: it goes up as it is, and the message is reported once, as accepted."""
    from dateline.digests.smtp import Envelope, send_pipelined

    outcomes: list[object] = []

    def record(message: Envelope, error: BaseException | None) -> None:
        outcomes.append(error)
        raise OSError(28, "No space left on device")

    to = ["a@example.org", "b@example.org"]
    with pytest.raises(OSError, match="No space left") as raised:
        send_pipelined(
            _connected(mail_server, pipelining),
            (Envelope("bounce@dateline.invalid", rcpt, b"x\r\n.\r\n") for rcpt in to),
            record,
        )
    assert type(raised.value) is OSError
    assert outcomes == [None]


def test_approval_id_ranges_grow_and_cover_every_id_once():
    from dateline.digests.engine.approval import id_ranges

    assert list(id_ranges(1, 100, 2, 30)) == [(0, 2), (2, 10), (10, 40), (40, 70), (70, 100)]
    assert list(id_ranges(5, 5, 2, 30)) == [(4, 5)]
    # No readers: one empty range still runs, so the issue is approved all the same.
    assert list(id_ranges(1, 0, 2, 30)) == [(0, 0)]
