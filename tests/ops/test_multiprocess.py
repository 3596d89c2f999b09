"""Two `dateline serve` and two `dateline worker` processes on one PostgreSQL database.

An article published in the newsroom (the ORM in another process, as the admin
would) reaches readers of both servers within the page cache's generation
interval, and goes into the next digest, which the scheduler's digest job makes
and both workers send together: every reader once, nobody twice.
"""

from __future__ import annotations

import collections
import json
import os
import secrets
import time

import pytest
from django.db import connection

from dateline.newsletter.models import Subscriber
from tests.digests.helpers import subscribe_all
from tests.factories import make_article
from tests.helpers.mailserver import MailServer
from tests.ops.processes import ClonedDatabase, Processes, fetch, free_port, shell, site_env

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: DATABASE_URL=postgres://… (several processes, row locks)",
    ),
    pytest.mark.django_db(transaction=True),
]

READERS = 240
HEADLINE = "Lighthouse keepers vote to strike"

# Run in `dateline shell`: a weekly slot a few seconds ahead, what an editor's publish
# does, then the scheduler's digest job before the slot (it drafts the issue) and just
# after it (it sends). A slot already past on a site that never sent an issue is
# history (digests/editorial.py), so the slot must come after the draft.
PUBLISH_AND_SCHEDULE = """
import datetime, json, time
from django.utils import timezone
from dateline.digests.models import SendSlot
from dateline.newsroom.models import SectionPage
from dateline.digests.jobs import run_digest_schedule
from tests.factories import make_article

slot = timezone.localtime() + datetime.timedelta(seconds=5)
SendSlot.objects.create(cadence="weekly", weekday=slot.weekday(), time=slot.time())
section = SectionPage.objects.get(slug="world-news")
article = make_article(section, @HEADLINE@, publish=False)
article.save_revision().publish()
published = time.time()
run_digest_schedule()
time.sleep(max(0.0, (slot - timezone.localtime()).total_seconds()) + 0.5)
run_digest_schedule()
print("DONE " + json.dumps({"url": article.url, "id": article.pk, "published": published}))
"""


def seed(world) -> None:
    from dateline.newsletter.models import ConsentText

    # Made on first use otherwise, by whichever page shows the newsletter box first,
    # and a new consent text rightly empties the page cache: not what is tested here.
    ConsentText.current()
    make_article(world, "Harbour reopens after the storm")
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{i}@example.org", status=Subscriber.Status.ACTIVE)
        for i in range(READERS)
    )
    subscribe_all()
    Subscriber.objects.create(email="left@example.org", status=Subscriber.Status.UNSUBSCRIBED)


def shows(port: int, path: str, text: str) -> bool:
    status, _, body = fetch(port, path)
    return status == 200 and text in body.decode()


def test_publish_reaches_both_servers_and_both_workers_share_the_digest(world, site_var, tmp_path):
    seed(world)
    database = ClonedDatabase("dateline_multiprocess")
    sink = MailServer()
    processes = Processes(tmp_path / "logs")
    try:
        extra = {}
        if os.environ.get("REDIS_URL"):
            # The shared cache a scaled-out site has; a prefix of its own on a shared Redis.
            extra = {
                "REDIS_URL": os.environ["REDIS_URL"],
                "CACHE_KEY_PREFIX": f"multiprocess-{secrets.token_hex(4)}",
            }
        env = site_env(
            site_var,
            database.url,
            EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
            DIGEST_CONCURRENCY=2,
            DIGEST_BATCH=20,
            # Slow enough that the second worker joins before the first is done: 240
            # readers take 8 s, however soon a busy machine lets the second one poll.
            DIGEST_RATE_PER_SECOND=30,
            DIGEST_SEND_TASKS=2,
            **extra,
        )
        ports = [free_port(), free_port()]
        for i, port in enumerate(ports):
            processes.serve(f"serve{i}", port, {**env, "PORT": str(port)})
        for i in range(2):
            processes.start(f"worker{i}", ["worker", "--interval", "0.2"], env)
        for i, port in enumerate(ports):
            processes.wait_until_serving(f"serve{i}", port)

        # Both servers have the front page in their caches, without the story.
        for port in ports:
            assert not shows(port, "/", HEADLINE)
            status, headers, _ = fetch(port, "/")
            assert status == 200 and headers.get("x-cache") == "hit"

        out = shell(PUBLISH_AND_SCHEDULE.replace("@HEADLINE@", repr(HEADLINE)), env)
        published = json.loads(out.split("DONE ", 1)[1])

        # Every server shows it within a few generation intervals (1 s), cache or not.
        deadline = time.monotonic() + 15
        waiting = set(ports)
        while waiting and time.monotonic() < deadline:
            waiting = {port for port in waiting if not shows(port, "/", HEADLINE)}
            time.sleep(0.2)
        assert not waiting, f"servers on {waiting} still show the old front page"
        for port in ports:
            assert shows(port, published["url"], HEADLINE)
            assert fetch(port, published["url"])[1].get("x-cache") == "hit"

        # The weekly issue of the slot that has just come.
        [(issue_id,)] = database.query(
            "SELECT id FROM digests_digestissue WHERE cadence = 'weekly' AND slot_at <= now()"
        )
        stories = database.query(
            "SELECT article_id FROM digests_digeststory WHERE issue_id = %s AND NOT dropped",
            issue_id,
        )
        assert (published["id"],) in stories

        deadline = time.monotonic() + 60
        status = ""
        while time.monotonic() < deadline:
            [(status,)] = database.query(
                "SELECT status FROM digests_digestissue WHERE id = %s", issue_id
            )
            if status == "sent":
                break
            time.sleep(0.3)
        logs = processes.log("worker0") + processes.log("worker1")
        assert status == "sent", f"{sink.count()} of {READERS} sent\n{logs}"

        by_reader = collections.Counter(rcpt for _, rcpt, _ in sink.received)
        assert set(by_reader) == {f"reader{i}@example.org" for i in range(READERS)}
        assert max(by_reader.values()) == 1, by_reader.most_common(3)
        assert any(HEADLINE.encode() in content for content in sink.contents)
        states = database.query(
            "SELECT state, COUNT(*) FROM digests_delivery WHERE issue_id = %s GROUP BY state",
            issue_id,
        )
        assert states == [("sent", READERS)]
        # Both workers took part: their claims carry their host:pid.
        senders = database.query(
            "SELECT split_part(claimed_by, '#', 1), COUNT(*) FROM digests_delivery "
            "WHERE issue_id = %s GROUP BY 1",
            issue_id,
        )
        assert len(senders) == 2, senders
    finally:
        processes.stop_all()
        sink.stop()
        database.drop()
