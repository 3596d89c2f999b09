"""`dateline send-digests`: make what is due, approve it, send it, show progress."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from dateline.digests.models import Delivery, DigestIssue
from tests.digests.helpers import reader
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("send_digests", *args, stdout=out)
    return out.getvalue()


def test_now_sends_an_issue_for_every_cadence(world, mail_server):
    make_article(world, "Dam agreement signed")
    reader("weekly@example.org")
    reader("twice@example.org", cadence="twice_weekly")
    output = run("--now", "--worker-id", "test")
    assert DigestIssue.objects.filter(status=DigestIssue.Status.SENT).count() == 2
    assert len(mail_server.to("weekly@example.org")) == 1
    assert len(mail_server.to("twice@example.org")) == 1
    assert "1 sent" in output
    assert Delivery.objects.filter(claimed_by__startswith="test#", state="sent").count() == 2
    # Run again: nothing new was published, so nothing more is sent.
    run("--now")
    assert len(mail_server.messages) == 2


def test_nothing_published_nothing_sent(db, mail_server):
    reader("ana@example.org")
    assert "Nothing to send" in run("--now")
    assert "Nothing to send" in run()
    assert mail_server.messages == []
    assert not DigestIssue.objects.exists()


def test_due_issue_goes_out_at_its_slot(world, mail_server):
    # Default slots: Friday 07:00 for weekly readers (migration 0002).
    friday_morning = datetime.datetime(2026, 11, 27, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(friday_morning - datetime.timedelta(days=1), tick=False):
        make_article(world, "Dam agreement signed")
        run()  # the draft of Friday's issue; a slot already past would be skipped
    reader("ana@example.org")
    with time_machine.travel(friday_morning, tick=False):
        run()
        run()  # the slot's issue exists now: not made or sent twice
    [message] = mail_server.to("ana@example.org")
    assert message["Subject"] == "Dam agreement signed"


def test_output_shows_progress_and_summary(world, mail_server):
    make_article(world, "Dam agreement signed")
    for i in range(3):
        reader(f"r{i}@example.org")
    output = run("--now", "--batch", "2")
    assert "3/3" in output
    assert "3 sent; issue is sent." in output
