"""signup.expire_unconfirmed and its scheduler job: addresses nobody confirmed are forgotten."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from dateline.newsletter.models import ConsentRecord, Subscriber
from dateline.newsletter.signup import expire_unconfirmed
from dateline.scheduler.jobs import all_jobs, run_due_jobs
from tests.newsletter.helpers import form_data, link_in, path_of

pytestmark = pytest.mark.django_db

START = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)


def days(n: float) -> datetime.datetime:
    return START + datetime.timedelta(days=n)


def ask(client, email: str, when: datetime.datetime) -> None:
    with time_machine.travel(when, tick=False):
        assert client.post("/newsletter/", form_data(email)).status_code == 303


@pytest.fixture(autouse=True)
def _pending_days(settings):
    settings.NEWSLETTER_PENDING_DAYS = 7
    settings.NEWSLETTER_CONFIRM_HOURS = 72


def test_unconfirmed_subscribers_are_deleted_after_the_pending_period(client, mail_server):
    ask(client, "old@example.org", days(0))
    ask(client, "recent@example.org", days(3))
    with time_machine.travel(days(7) - datetime.timedelta(minutes=1), tick=False):
        assert expire_unconfirmed() == 0
    with time_machine.travel(days(7) + datetime.timedelta(minutes=1), tick=False):
        assert expire_unconfirmed() == 1
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["recent@example.org"]


def test_their_consent_records_stay_as_expired(client, mail_server):
    ask(client, "old@example.org", days(0))
    ask(client, "old@example.org", days(1))  # the first request is superseded
    with time_machine.travel(days(9), tick=False):
        expire_unconfirmed()
    assert not Subscriber.objects.exists()
    records = ConsentRecord.objects.order_by("signup_at")
    assert [r.status for r in records] == ["expired", "expired"]
    for record in records:
        assert record.email == "old@example.org"
        assert record.subscriber is None
        assert record.signup_ip == "127.0.0.1"
        assert record.consent_text.version == 1


def test_active_and_unsubscribed_subscribers_are_left_alone(client, mail_server):
    with time_machine.travel(days(0), tick=False):
        active = Subscriber.objects.create(
            email="active@example.org", status=Subscriber.Status.ACTIVE, confirmed_at=days(0)
        )
        gone = Subscriber.objects.create(
            email="gone@example.org",
            status=Subscriber.Status.UNSUBSCRIBED,
            confirmed_at=days(0),
            unsubscribed_at=days(0),
        )
    with time_machine.travel(days(30), tick=False):
        assert expire_unconfirmed() == 0
    assert set(Subscriber.objects.all()) == {active, gone}


def test_asking_again_renews_the_pending_period(client, mail_server):
    ask(client, "slow@example.org", days(0))
    ask(client, "slow@example.org", days(6))
    newest = path_of(link_in(mail_server.text(mail_server.to("slow@example.org")[-1])))
    with time_machine.travel(days(8), tick=False):
        assert expire_unconfirmed() == 0
        # The link from day 6 works until day 9: it must not be gone on day 8.
        assert client.post(newest).status_code == 200
    assert Subscriber.objects.get().is_active


def test_a_link_of_an_expired_signup_says_it_expired(client, mail_server):
    ask(client, "old@example.org", days(0))
    link = path_of(link_in(mail_server.text(mail_server.to("old@example.org")[0])))
    with time_machine.travel(days(8), tick=False):
        expire_unconfirmed()
        response = client.get(link)
    assert response.status_code == 410
    html = response.content.decode()
    assert "This link has expired" in html
    assert ">Send me a new link</button>" in html


def test_the_address_can_sign_up_again_after_expiry(client, mail_server):
    ask(client, "old@example.org", days(0))
    with time_machine.travel(days(8), tick=False):
        expire_unconfirmed()
    ask(client, "old@example.org", days(8))
    link = path_of(link_in(mail_server.text(mail_server.to("old@example.org")[-1])))
    with time_machine.travel(days(8) + datetime.timedelta(hours=1), tick=False):
        assert client.post(link).status_code == 200
    assert Subscriber.objects.get().is_active


def test_the_scheduler_runs_the_expiry(client, mail_server):
    job = next(j for j in all_jobs() if j.name == "expire-unconfirmed-subscribers")
    assert job.every <= 24 * 3600
    ask(client, "old@example.org", days(0))
    with time_machine.travel(days(8), tick=False):
        assert timezone.now() == days(8)
        assert "expire-unconfirmed-subscribers" in run_due_jobs([job])
    assert not Subscriber.objects.exists()
    assert ConsentRecord.objects.get().status == ConsentRecord.Status.EXPIRED
