"""The outbox's SMTP side: digests sent by the engine in development land in /dev/outbox/."""

from __future__ import annotations

import smtplib
import socket

import pytest
from aiosmtpd.controller import Controller

from dateline.digests import engine
from dateline.outbox.models import OutboxMessage
from dateline.outbox.smtpd import OutboxHandler
from tests.digests.helpers import make_issue, reader
from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def outbox_smtp(settings):
    port = free_port()
    controller = Controller(OutboxHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield port
    controller.stop()


def test_a_message_sent_over_smtp_is_kept(outbox_smtp):
    message = (
        b"From: newsroom@example.org\r\nTo: ana@example.org\r\n"
        b"Subject: Dam agreement signed\r\nMessage-ID: <1.abc@example.org>\r\n\r\nHello.\r\n"
    )
    with smtplib.SMTP("127.0.0.1", outbox_smtp) as client:
        client.sendmail("bounce+x@example.org", ["ana@example.org"], message)
    [kept] = OutboxMessage.objects.all()
    assert kept.subject == "Dam agreement signed"
    assert kept.to == "ana@example.org" and kept.message_id == "<1.abc@example.org>"
    assert b"Hello." in bytes(kept.raw)


def test_a_folded_or_encoded_subject_is_kept_as_the_reader_reads_it(outbox_smtp):
    message = (
        b"From: newsroom@example.org\r\nTo: ana@example.org\r\n"
        b"Subject: Breaking: the coalition survives a confidence vote by seven\r\n"
        b" votes in =?utf-8?q?K=C3=B6ln?=\r\n\r\nHello.\r\n"
    )
    with smtplib.SMTP("127.0.0.1", outbox_smtp) as client:
        client.sendmail("bounce+x@example.org", ["ana@example.org"], message)
    [kept] = OutboxMessage.objects.all()
    assert kept.subject == (
        "Breaking: the coalition survives a confidence vote by seven votes in Köln"
    )


def test_the_outbox_server_leaves_no_database_connection_open(outbox_smtp):
    # The handler's thread outlives the message and no request cycle closes its
    # connection: it stayed open for the life of the process (and on PostgreSQL kept
    # the test database from being dropped at the end of the run).
    from asgiref.sync import SyncToAsync
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("Django never closes the in-memory SQLite test database")
    with smtplib.SMTP("127.0.0.1", outbox_smtp) as client:
        client.sendmail("bounce+x@example.org", ["ana@example.org"], b"Subject: x\r\n\r\nHi\r\n")
    assert OutboxMessage.objects.count() == 1
    # The thread sync_to_async(thread_sensitive=True) uses outside any async_to_sync.
    helper = SyncToAsync.single_thread_executor
    assert helper.submit(lambda: connection.connection is None).result(timeout=10)


def test_digests_from_the_engine_land_in_the_outbox(outbox_smtp, world, client):
    issue = make_issue([make_article(world, "Dam agreement signed")])
    reader("ana@example.org")
    reader("bo@example.org")
    engine.approve(issue)
    engine.send_issue(issue, "dev")
    kept = OutboxMessage.objects.order_by("to")
    assert [m.to for m in kept] == ["ana@example.org", "bo@example.org"]
    assert all(m.subject == "Dam agreement signed" for m in kept)
    page = client.get("/dev/outbox/").content.decode()
    assert "Dam agreement signed" in page
