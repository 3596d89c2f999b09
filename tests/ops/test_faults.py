"""Parts failing: the site keeps serving and keeps what readers give it.

Redis down: a real Redis client pointed at a port where nothing listens, as when
the cache server is restarting. SQLite on a full disk: the database may not grow,
and signups and comments are refused whole, with a 503 that says so. (PostgreSQL
restarting is in test_postgres_restart.py; a worker killed mid-send in
tests/digests/test_workers.py.)
"""

from __future__ import annotations

import contextlib
import json

import pytest
from django.db import connection
from django.test import Client

from dateline.newsletter.models import ConsentRecord, Subscriber
from tests.factories import make_article
from tests.newsletter.helpers import form_data

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        "SOCKET_CONNECT_TIMEOUT": 0.2,
        "SOCKET_TIMEOUT": 0.2,
        "IGNORE_EXCEPTIONS": True,
    },
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": DEAD_REDIS, "renditions": DEAD_REDIS}


def test_pages_are_served_without_the_cache(client, world, redis_down):
    article = make_article(world, "Dam agreement signed", photo=True)
    for _ in range(2):
        response = client.get(article.url)
        assert response.status_code == 200
        assert "Dam agreement signed" in response.content.decode()
        assert "X-Cache" not in response
    assert client.get("/").status_code == 200


def test_signups_are_still_stored(client, world, redis_down, mail_server):
    response = client.post("/newsletter/", form_data("ana@example.org"))
    assert response.status_code == 303
    subscriber = Subscriber.objects.get(email="ana@example.org")
    assert subscriber.status == Subscriber.Status.PENDING
    assert ConsentRecord.objects.filter(email="ana@example.org").exists()
    assert len(mail_server.to("ana@example.org")) == 1


def test_comments_are_still_stored(client, world, redis_down, settings):
    from dateline.comments.models import Comment
    from tests.comments.helpers import form

    settings.COMMENTS_MODERATION = "none"
    article = make_article(world, "Dam agreement signed")
    response = client.post("/comments/post/", form(article, body="A clear account."))
    assert response.status_code == 303, response.content.decode()[:500]
    assert Comment.objects.filter(article=article, body="A clear account.").exists()


# SQLite on a full disk -----------------------------------------------------------------
#
# SQLite's PRAGMA max_page_count caps the database's size on this connection: a write
# that needs one page more fails with SQLITE_FULL ("database or disk is full"), exactly
# as it does when the disk has no room left. The site fills the last pages itself.

SQLITE_ONLY = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLITE_FULL is SQLite's; PostgreSQL has its own tests"
)


@pytest.fixture
def nearly_full():
    """The database may grow by a few pages more, then the disk is full."""
    from django.db import OperationalError
    from django.db.backends.signals import connection_created

    with connection.cursor() as cursor:
        # Pages freed by earlier tests would be reused first: fill them with a table of
        # ballast (as other data would fill a disk), then allow a few more.
        cursor.execute("CREATE TABLE disk_ballast (filler BLOB)")
        cursor.execute("PRAGMA page_count")
        (pages,) = cursor.fetchone()
        cursor.execute(f"PRAGMA max_page_count = {pages}")
        with contextlib.suppress(OperationalError):
            for _ in range(100_000):
                cursor.execute("INSERT INTO disk_ballast VALUES (randomblob(1000))")
        limit = f"PRAGMA max_page_count = {pages + 6}"
        cursor.execute(limit)

    # The limit belongs to a connection: the ones opened later (after a request
    # closed this one) get it too.
    def limited(sender, connection, **kwargs):
        if connection.vendor == "sqlite":
            connection.cursor().execute(limit)

    connection_created.connect(limited)
    yield
    connection_created.disconnect(limited)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA max_page_count = 1073741823")
        cursor.execute("DROP TABLE disk_ballast")


def integrity() -> str:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        return cursor.fetchone()[0]


def post_until_refused(post, attempts: int = 600):
    """POST until the database is full: the numbers answered normally, then the refusal."""
    accepted = []
    for n in range(attempts):
        response = post(n)
        if response.status_code >= 500:
            return accepted, n, response
        accepted.append((n, response))
    raise AssertionError(f"the database never filled up in {attempts} posts")


@SQLITE_ONLY
@pytest.mark.django_db(transaction=True)
def test_signups_on_a_full_disk_are_refused_whole_with_a_503(world, settings, nearly_full):
    from django.core import mail
    from django_tasks_db.models import DBTaskResult

    from dateline.newsletter.models import ConfirmationMail
    from dateline.newsletter.tasks import send_confirmation

    settings.NEWSLETTER_SIGNUPS_PER_IP = 0
    # Production's task queue: the confirmation becomes a row in the signup's own
    # transaction. (The test settings' immediate backend runs the task inside that
    # transaction and swallows its error, which rolls the signup back unseen.)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    browser = Client(raise_request_exception=False)
    mail.outbox.clear()

    def sign_up(n):
        return browser.post("/newsletter/", form_data(f"reader{n}@example.org"))

    accepted, refused, response = post_until_refused(sign_up)
    assert accepted and all(r.status_code == 303 for _, r in accepted)
    assert response.status_code == 503, response.content[:300]
    page = response.content.decode()
    assert "run out of storage space" in page and "Traceback" not in page
    assert response["Retry-After"]
    # Nothing half-written: the refused address left no row and got no mail.
    address = f"reader{refused}@example.org"
    assert not Subscriber.objects.filter(email=address).exists()
    assert not ConsentRecord.objects.filter(email=address).exists()
    assert not ConfirmationMail.objects.filter(email=address).exists()
    assert not [m for m in mail.outbox if address in m.to]
    # Everyone answered 303 is stored whole, their confirmation mail queued.
    queued = DBTaskResult.objects.filter(task_path=send_confirmation.module_path)
    assert queued.count() == len(accepted)
    for n, _ in accepted:
        assert ConsentRecord.objects.filter(email=f"reader{n}@example.org").count() == 1
    assert Subscriber.objects.count() == len(accepted)

    # The JSON API says the same in JSON.
    answer = browser.post(
        "/newsletter/api/subscribe",
        data=json.dumps(form_data("json@example.org")),
        content_type="application/json",
    )
    assert answer.status_code == 503
    assert answer.json()["ok"] is False and "storage" in answer.json()["message"]
    assert not Subscriber.objects.filter(email="json@example.org").exists()
    assert integrity() == "ok"


@SQLITE_ONLY
@pytest.mark.django_db(transaction=True)
def test_comments_on_a_full_disk_are_refused_whole_with_a_503(world, settings, nearly_full):
    from dateline.comments.models import Comment
    from tests.comments.helpers import form

    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_PER_IP_PER_HOUR = settings.COMMENTS_PER_ADDRESS_PER_HOUR = 0
    article = make_article(world, "Dam agreement signed")
    browser = Client(raise_request_exception=False)
    # A long comment needs pages of its own, as most do on a real disk.
    text = "The ferry timetable, once more. " * 60

    def comment(n):
        return browser.post(
            "/comments/post/",
            form(article, name=f"Reader {n}", email=f"r{n}@example.org", body=f"{n}: {text}"),
        )

    accepted, refused, response = post_until_refused(comment)
    assert all(r.status_code == 303 for _, r in accepted)
    assert response.status_code == 503
    assert "run out of storage space" in response.content.decode()
    assert not Comment.objects.filter(body__startswith=f"{refused}: ").exists()
    assert Comment.objects.filter(article=article).count() == len(accepted)

    answer = browser.post(
        "/comments/post/",
        form(article, name="Json", email="json@example.org", body=f"json: {text}"),
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 503 and "storage" in answer.json()["message"]
    assert integrity() == "ok"


# The mail relay down ---------------------------------------------------------------------


@pytest.fixture
def relay(mail_server, settings, tmp_path):
    from dateline.digests import engine

    settings.DIGEST_JOURNAL_DIR = tmp_path / "journals"
    yield mail_server
    engine.POOL.close_all()


def test_relay_down_deliveries_wait_and_retry_and_none_is_lost(
    world, relay, settings, django_capture_on_commit_callbacks
):
    import datetime

    import time_machine
    from django.utils import timezone

    from dateline.digests import editorial, engine
    from dateline.digests.models import Delivery, DigestIssue
    from tests.digests.helpers import make_issue, subscribe_all

    # Low enough that the old behaviour (every refusal a failed try) would pause the issue.
    settings.DIGEST_PAUSE_MIN_TRIED = 10
    readers = [f"reader{i}@example.org" for i in range(60)]
    Subscriber.objects.bulk_create(
        Subscriber(email=address, status=Subscriber.Status.ACTIVE) for address in readers
    )
    subscribe_all()
    issue = make_issue([make_article(world, "Dam agreement signed")])
    engine.approve(issue)
    # The relay takes the first 20, then says it is out of service (421), as an
    # overloaded Postfix does; deliveries go in id order, one lane in tests.
    for address in readers[20:]:
        relay.refuse[address] = "421 4.3.2 Service shutting down, closing channel"
    engine.send_issue(issue, "w1", batch_size=10)
    issue.refresh_from_db()
    assert relay.count() == 20
    assert issue.status == DigestIssue.Status.SENDING
    waiting = Delivery.objects.filter(issue=issue, state=Delivery.State.QUEUED)
    assert waiting.count() == 40 and not waiting.filter(attempts__gt=0).exists()

    # Then it is down altogether for three hours (longer than every retry delay put
    # together); the scheduler's job looks at stalled issues every minute meanwhile.
    relay.refuse.clear()
    relay.stop()
    start = timezone.now()
    for minutes in range(0, 180, 7):
        with (
            time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False),
            django_capture_on_commit_callbacks(execute=True),  # the send tasks, run inline
        ):
            editorial.resume_stalled()
        issue.refresh_from_db()
        assert issue.status == DigestIssue.Status.SENDING, issue.pause_reason
    assert waiting.count() == 40
    assert not Delivery.objects.filter(issue=issue, state=Delivery.State.FAILED).exists()
    assert not waiting.filter(attempts__gt=0).exists()
    assert waiting.filter(last_error__startswith="relay unreachable").exists()

    relay.start()  # back where it was, as after a restart of Postfix
    with (
        time_machine.travel(start + datetime.timedelta(minutes=181), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        editorial.resume_stalled()
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SENT
    received = sorted(rcpt for _, rcpt, _ in relay.received)
    assert received == sorted(readers)  # every reader, once
