import datetime

import pytest
from django.utils import timezone

from dateline.wire.models import Provider, WireItem
from dateline.wire.transports import poll
from tests.wire.conftest import FeedServer, fixture
from tests.wire.helpers import make_provider

pytestmark = pytest.mark.django_db


def test_a_poll_stores_the_feed_and_remembers_its_etag(feed_server: FeedServer):
    feed_server.files["/northwind.rss"] = (fixture("northwind.rss"), '"v1"')
    provider = make_provider(url=feed_server.url("/northwind.rss"))
    report = poll(provider)
    assert report is not None and report.created == 3
    provider.refresh_from_db()
    assert provider.etag == '"v1"'
    assert provider.last_modified == FeedServer.LAST_MODIFIED
    assert provider.failures == 0
    assert WireItem.objects.filter(provider=provider).count() == 3


def test_the_next_poll_is_conditional_and_a_304_changes_nothing(feed_server: FeedServer):
    feed_server.files["/northwind.rss"] = (fixture("northwind.rss"), '"v1"')
    provider = make_provider(url=feed_server.url("/northwind.rss"))
    poll(provider)
    second = poll(provider)
    assert second is not None and second.created == 0 and second.unchanged == 0
    assert feed_server.hits[1]["if_none_match"] == '"v1"'
    assert feed_server.hits[1]["if_modified_since"] == FeedServer.LAST_MODIFIED
    assert WireItem.objects.count() == 3


def test_a_changed_feed_is_fetched_again(feed_server: FeedServer):
    feed_server.files["/feed"] = (fixture("northwind.rss"), '"v1"')
    provider = make_provider(url=feed_server.url("/feed"))
    poll(provider)
    feed_server.files["/feed"] = (fixture("harborline.atom"), '"v2"')
    provider.format = Provider.Format.ATOM
    report = poll(provider)
    assert report is not None and report.created == 2
    provider.refresh_from_db()
    assert provider.etag == '"v2"'


def test_errors_back_off_and_a_provider_that_keeps_failing_shows_as_failing(
    feed_server: FeedServer,
):
    feed_server.status["/down"] = 503
    provider = make_provider(url=feed_server.url("/down"), poll_interval=60)
    now = timezone.now()
    waits = []
    for _ in range(3):
        assert poll(provider, now=now) is None
        provider.refresh_from_db()
        waits.append((provider.next_poll_at - now).total_seconds())
    assert waits == [120, 240, 480]
    assert provider.failures == 3
    assert provider.is_failing and provider.status == "failing"
    assert "HTTP 503" in provider.last_error


def test_a_success_after_failures_resets_the_health(feed_server: FeedServer):
    feed_server.files["/feed"] = (fixture("northwind.rss"), '"v1"')
    provider = make_provider(url=feed_server.url("/feed"), failures=5, last_error="HTTP 503")
    now = timezone.now()
    poll(provider, now=now)
    provider.refresh_from_db()
    assert provider.failures == 0 and provider.last_error == ""
    assert provider.next_poll_at == now + datetime.timedelta(seconds=provider.poll_interval)


def test_an_unreachable_host_is_a_failure_not_a_crash():
    provider = make_provider(url="http://127.0.0.1:9/feed")
    assert poll(provider) is None
    provider.refresh_from_db()
    assert provider.failures == 1 and "could not fetch" in provider.last_error


def test_a_malformed_feed_fails_its_provider_but_not_the_others(feed_server: FeedServer):
    feed_server.files["/broken"] = (fixture("broken.rss"), '"b"')
    feed_server.files["/good"] = (fixture("harborline.atom"), '"g"')
    broken = make_provider("Broken Wire", url=feed_server.url("/broken"))
    good = make_provider("Harbor Line Wire", url=feed_server.url("/good"), format="atom")
    assert poll(broken) is None
    assert poll(good) is not None
    broken.refresh_from_db()
    assert "not a readable feed" in broken.last_error
    assert WireItem.objects.filter(provider=good).count() == 2
