import datetime

import pytest
from django.utils import timezone

from dateline.scheduler.jobs import all_jobs
from dateline.wire.jobs import poll_wire_providers
from dateline.wire.models import WireItem
from dateline.wire.transports import claim_due
from tests.wire.conftest import FeedServer, fixture
from tests.wire.helpers import make_provider

pytestmark = pytest.mark.django_db


def test_the_scheduler_has_a_wire_job():
    assert "poll-wire-providers" in {job.name for job in all_jobs()}


def test_due_providers_are_polled_and_others_wait(feed_server: FeedServer):
    feed_server.files["/due"] = (fixture("northwind.rss"), '"1"')
    feed_server.files["/later"] = (fixture("harborline.atom"), '"2"')
    due = make_provider("Northwind Press", url=feed_server.url("/due"))
    later = make_provider(
        "Harbor Line Wire",
        url=feed_server.url("/later"),
        format="atom",
        next_poll_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    make_provider("Paused Wire", url=feed_server.url("/due"), active=False)
    poll_wire_providers()  # tasks run inline in tests
    assert WireItem.objects.filter(provider=due).count() == 3
    assert WireItem.objects.filter(provider=later).count() == 0
    assert [hit["path"] for hit in feed_server.hits] == ["/due"]


def test_a_due_provider_is_claimed_once():
    provider = make_provider(url="http://127.0.0.1:9/x")
    now = timezone.now()
    assert claim_due(now) == [provider.pk]
    assert claim_due(now) == []
