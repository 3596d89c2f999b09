"""The delivery engine against a real SMTP server: headers, parts, claims, retries."""

from __future__ import annotations

import datetime
import socket

import pytest
from django.db import connection
from django.utils import timezone

from dateline.digests import engine
from dateline.digests.models import Delivery, DigestIssue
from dateline.newsletter import tokens
from dateline.newsletter.models import Subscriber, Suppression
from dateline.newsroom.models import ArticlePage
from tests.digests.helpers import make_issue, reader, subscribe_all
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db


def send(issue: DigestIssue, worker="w1") -> dict[str, int]:
    issue.refresh_from_db()
    if issue.status == DigestIssue.Status.DRAFT:
        engine.approve(issue)
    return engine.send_issue(issue, worker)


@pytest.fixture
def sport(home):
    return make_section(home, "Sport")


def test_reader_gets_one_message_with_the_right_headers(world, mail_server, settings, client):
    top = make_article(world, "Dam agreement signed", priority=ArticlePage.Priority.TOP, photo=True)
    other = make_article(world, "Council approves bus lane", standfirst="Cyclists object.")
    issue = make_issue([top, other])
    subscriber = reader("ana@example.org")

    assert send(issue) == {"sent": 1}

    [message] = mail_server.to("ana@example.org")
    delivery = Delivery.objects.get(issue=issue, subscriber=subscriber)
    assert delivery.state == Delivery.State.SENT and delivery.sent_at
    assert message["Subject"] == "Dam agreement signed"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Reply-To"] and message["Date"]
    assert message["To"] == "ana@example.org"
    assert message["Message-ID"] == f"<{issue.pk}.{delivery.token}@dateline.invalid>"
    assert "weekly.digest.dateline.invalid" in message["List-Id"]
    unsubscribe = tokens.unsubscribe_url(subscriber)
    # The links in the mail leave the digest alone, and count for this issue.
    links = tokens.Links.from_settings(newsletter="digest", issue=issue.pk)
    leave_digest = links.unsubscribe_url(links.manage_token(subscriber))
    assert leave_digest.startswith(unsubscribe)
    assert f"<{leave_digest}>" in message["List-Unsubscribe"]
    assert "<mailto:" in message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    text, html = mail_server.text(message), mail_server.html(message)
    for body in (text, html):
        assert "Dam agreement signed" in body and "Council approves bus lane" in body
        assert leave_digest in body and tokens.manage_url(subscriber) in body
        assert "ana@example.org" in body
    assert "Photo from AP" in html and "<img" in html and 'style="' in html  # inlined CSS
    assert text.index("Dam agreement") < text.index("Council approves")
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SENT

    # The visible link works, and so does the one-click POST to the header's URL.
    assert client.get(unsubscribe.removeprefix(settings.BASE_URL)).status_code == 200
    response = client.post(
        unsubscribe.removeprefix(settings.BASE_URL), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_envelope_sender_is_an_opaque_bounce_address(world, mail_server):
    issue = make_issue([make_article(world)])
    reader("ana@example.org")
    send(issue)
    [envelope] = mail_server.envelopes
    delivery = Delivery.objects.get()
    assert envelope.mail_from == f"bounce+{delivery.token}@dateline.invalid"
    assert "ana" not in envelope.mail_from


def test_readers_get_only_their_sections(world, sport, mail_server):
    make_issue_args = [
        make_article(world, "Dam agreement signed", priority=ArticlePage.Priority.TOP),
        make_article(sport, "Harbour regatta cancelled", standfirst="Wind too strong."),
    ]
    issue = make_issue(make_issue_args)
    reader("world@example.org", world)
    reader("sport@example.org", sport)
    reader("all@example.org")
    send(issue)

    [world_mail] = mail_server.to("world@example.org")
    [sport_mail] = mail_server.to("sport@example.org")
    [all_mail] = mail_server.to("all@example.org")
    assert "regatta" not in mail_server.text(world_mail)
    assert "Dam agreement" not in mail_server.text(sport_mail)
    assert sport_mail["Subject"] == "Harbour regatta cancelled"
    assert "regatta" in mail_server.text(all_mail) and "Dam agreement" in mail_server.text(all_mail)


def test_reader_with_no_story_in_their_sections_is_skipped(world, sport, mail_server):
    issue = make_issue([make_article(world)])
    reader("sport@example.org", sport)
    assert send(issue) == {"skipped": 1}
    assert mail_server.messages == []
    assert Delivery.objects.get().state == Delivery.State.SKIPPED


def test_suppression_is_checked_at_send_time(world, mail_server):
    issue = make_issue([make_article(world)])
    reader("gone@example.org")
    reader("stays@example.org")
    Suppression.objects.create(email="already@example.org", reason="manual")
    reader("already@example.org")
    engine.approve(issue)
    assert Delivery.objects.get(email="already@example.org").state == Delivery.State.SUPPRESSED
    # Suppressed after the issue was approved: still not sent.
    Suppression.objects.create(email="gone@example.org", reason=Suppression.Reason.COMPLAINT)
    assert engine.send_issue(issue, "w1") == {"sent": 1, "suppressed": 1}
    assert mail_server.to("gone@example.org") == []
    assert len(mail_server.to("stays@example.org")) == 1
    assert Delivery.objects.get(email="gone@example.org").state == Delivery.State.SUPPRESSED


def test_unsubscribed_after_approval_is_not_sent(world, mail_server):
    issue = make_issue([make_article(world)])
    subscriber = reader("ana@example.org")
    engine.approve(issue)
    Subscriber.objects.filter(pk=subscriber.pk).update(status=Subscriber.Status.UNSUBSCRIBED)
    engine.send_issue(issue, "w1")
    assert mail_server.messages == []


def test_no_story_twice_across_issues(world, mail_server):
    dam = make_article(world, "Dam agreement signed")
    first = make_issue([dam], days_ago=3)
    reader("ana@example.org")
    send(first)
    lane = make_article(world, "Council approves bus lane", standfirst="Cyclists object.")
    second = make_issue([dam, lane])
    send(second)
    first_mail, second_mail = mail_server.to("ana@example.org")
    assert "Dam agreement" in mail_server.text(first_mail)
    assert "Dam agreement" not in mail_server.text(second_mail)
    assert second_mail["Subject"] == "Council approves bus lane"


def test_story_outside_earlier_sections_still_comes(world, sport, mail_server):
    """Received means it was in the mail: not merely in an earlier issue."""
    regatta = make_article(sport, "Harbour regatta cancelled")
    first = make_issue([make_article(world, "Dam agreement signed"), regatta], days_ago=3)
    subscriber = reader("ana@example.org", world)
    send(first)
    subscriber.sections.set([])
    send(make_issue([regatta]))
    assert "regatta" in mail_server.text(mail_server.to("ana@example.org")[1])


def test_two_workers_never_claim_the_same_delivery(world):
    issue = make_issue([make_article(world)])
    for i in range(7):
        reader(f"r{i}@example.org")
    engine.approve(issue)
    a = engine.claim_batch(issue, "worker-a", 4)
    b = engine.claim_batch(issue, "worker-b", 4)
    c = engine.claim_batch(issue, "worker-c", 4)
    assert len(a) == 4 and len(b) == 3 and c == []
    assert not {d.pk for d in a} & {d.pk for d in b}
    assert Delivery.objects.filter(claimed_by="worker-a", state="sending").count() == 4


def test_abandoned_claims_are_taken_over(world):
    issue = make_issue([make_article(world)])
    reader("ana@example.org")
    engine.approve(issue)
    [claimed] = engine.claim_batch(issue, "crashed", 10)
    assert engine.claim_batch(issue, "other", 10) == []
    Delivery.objects.filter(pk=claimed.pk).update(
        claimed_at=timezone.now() - engine.STALE_CLAIM - datetime.timedelta(seconds=1)
    )
    [taken] = engine.claim_batch(issue, "other", 10)
    assert taken.pk == claimed.pk and taken.claimed_by == "other"


def test_a_claim_goes_on_after_the_given_id(world):
    issue = make_issue([make_article(world)])
    for i in range(6):
        reader(f"r{i}@example.org")
    engine.approve(issue)
    ids = sorted(Delivery.objects.values_list("pk", flat=True))
    assert [d.pk for d in engine.claim_batch(issue, "w", 10, after=ids[3])] == ids[4:]
    assert [d.pk for d in engine.claim_batch(issue, "w", 10)] == ids[:4]


def test_rows_behind_a_runs_cursor_that_become_claimable_are_sent_before_it_ends(
    world, mail_server
):
    # Claims go on from the last row taken (Run.feed); a row behind that point that
    # becomes claimable meanwhile, here a dead worker's, is found by the last pass.
    issue = make_issue([make_article(world)])
    for i in range(9):
        reader(f"r{i}@example.org")
    engine.approve(issue)
    [held] = engine.claim_batch(issue, "dead", 1)
    stale = timezone.now() - engine.STALE_CLAIM - datetime.timedelta(seconds=1)

    def after_each_batch(counts):
        # The dead worker's row goes stale once the run is past it.
        Delivery.objects.filter(pk=held.pk).update(claimed_at=stale)

    totals = engine.send_issue(issue, "w1", batch_size=3, concurrency=1, on_batch=after_each_batch)
    assert totals == {"sent": 9}
    assert [len(mail_server.to(f"r{i}@example.org")) for i in range(9)] == [1] * 9
    assert not Delivery.objects.exclude(state=Delivery.State.SENT).exists()


def test_temporary_failure_is_retried_and_delivered_once(world, mail_server):
    issue = make_issue([make_article(world)])
    reader("greylisted@example.org")
    reader("fine@example.org")
    mail_server.refuse_once["greylisted@example.org"] = "451 4.7.1 Try again later"
    assert send(issue) == {"sent": 1, "queued": 1}
    delivery = Delivery.objects.get(email="greylisted@example.org")
    assert delivery.state == Delivery.State.QUEUED and delivery.attempts == 1
    assert delivery.last_error.startswith("451")
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SENDING
    # Not before the retry time...
    assert engine.send_issue(issue, "w1") == {}
    Delivery.objects.filter(pk=delivery.pk).update(retry_at=timezone.now())
    assert engine.send_issue(issue, "w1") == {"sent": 1}
    assert len(mail_server.to("greylisted@example.org")) == 1
    assert len(mail_server.to("fine@example.org")) == 1
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SENT


def test_user_unknown_bounces_and_suppresses(world, mail_server):
    issue = make_issue([make_article(world)])
    reader("nobody@example.org")
    mail_server.refuse_once["nobody@example.org"] = "550 5.1.1 No such user"
    assert send(issue) == {"bounced": 1}
    assert Suppression.objects.get(email="nobody@example.org").reason == "hard_bounce"
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.SENT


def test_server_down_requeues(world, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    issue = make_issue([make_article(world)])
    reader("ana@example.org")
    assert send(issue) == {"queued": 1}
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.QUEUED and delivery.retry_at


def test_approve_only_active_readers_of_the_cadence(world):
    issue = make_issue([make_article(world)])
    reader("weekly@example.org")
    reader("twice@example.org", cadence="twice_weekly")
    Subscriber.objects.create(email="pending@example.org")
    assert engine.approve(issue) == 1
    assert engine.approve(issue) == 1  # again: no duplicate rows
    assert list(Delivery.objects.values_list("email", flat=True)) == ["weekly@example.org"]


def test_view_in_browser(world, client, mail_server, settings):
    issue = make_issue([make_article(world, "Dam agreement signed")])
    subscriber = reader("ana@example.org")
    send(issue)
    [message] = mail_server.to("ana@example.org")
    from dateline.digests.render import view_url

    url = view_url(issue)
    assert url in mail_server.html(message)
    response = client.get(url.removeprefix(settings.BASE_URL))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dam agreement signed" in page
    assert tokens.manage_token(subscriber) not in page and "ana@example.org" not in page
    assert client.get(f"/digests/{issue.pk}/forged/").status_code == 404


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL: DATABASE_URL=postgres://…"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_on_postgresql_share_without_duplicates(world):
    """Real concurrent transactions: SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL only)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    issue = make_issue([make_article(world)])
    Subscriber.objects.bulk_create(
        Subscriber(email=f"r{i}@example.org", status=Subscriber.Status.ACTIVE) for i in range(300)
    )
    subscribe_all()
    engine.approve(issue)

    def work(worker: str) -> list[int]:
        got: list[int] = []
        try:
            while batch := engine.claim_batch(issue, worker, 7):
                got += [d.pk for d in batch]
        finally:
            connections.close_all()
        return got

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(work, [f"w{i}" for i in range(6)]))
    claimed = [pk for result in results for pk in result]
    assert len(claimed) == len(set(claimed)) == 300


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="HOT updates are PostgreSQL's: DATABASE_URL=…"
)
def test_a_claim_updates_deliveries_in_place_on_postgresql(world):
    """No index entry a claimed row: the claim changes no indexed column and the table
    leaves room in its pages (migration 0009), so PostgreSQL updates each row "HOT"."""
    issue = make_issue([make_article(world)])
    Subscriber.objects.bulk_create(
        Subscriber(email=f"r{i}@example.org", status=Subscriber.Status.ACTIVE) for i in range(300)
    )
    subscribe_all()
    engine.approve(issue)
    counts = (
        "SELECT pg_stat_get_xact_tuples_updated(%s::regclass),"
        " pg_stat_get_xact_tuples_hot_updated(%s::regclass)"
    )
    table = [Delivery._meta.db_table] * 2
    with connection.cursor() as cursor:
        cursor.execute(counts, table)
        updated_before, hot_before = cursor.fetchone()
        assert len(engine.claim_batch(issue, "w1", 300)) == 300
        cursor.execute(counts, table)
        updated, hot = cursor.fetchone()
    assert updated - updated_before == 300
    # Most, not all: a claimed row is a little wider than a queued one (the claim's
    # name and time), and the last rows of a full page may find no room left in it.
    assert hot - hot_before >= 200
