import io

import pytest
from django.core.management import CommandError, call_command

from dateline.wire.models import WireItem
from tests.wire.conftest import FeedServer, fixture
from tests.wire.helpers import make_provider

pytestmark = pytest.mark.django_db


def test_ingest_polls_every_active_provider_and_reports_problems(feed_server: FeedServer):
    feed_server.files["/np"] = (fixture("northwind.rss"), '"1"')
    make_provider(url=feed_server.url("/np"))
    make_provider("Paused Wire", url=feed_server.url("/np"), active=False)
    out = io.StringIO()
    call_command("ingest", stdout=out)
    assert "Northwind Press: 3 new" in out.getvalue()
    assert "skipped: no headline and no text" in out.getvalue()
    assert "Paused Wire" not in out.getvalue()
    assert WireItem.objects.count() == 3


def test_ingest_names_a_failure_and_exits_non_zero(feed_server: FeedServer):
    feed_server.status["/down"] = 500
    make_provider("Broken Wire", url=feed_server.url("/down"))
    with pytest.raises(CommandError, match="1 of 1 providers failed"):
        call_command("ingest", "broken wire", stdout=io.StringIO(), stderr=io.StringIO())


def test_ingest_refuses_an_unknown_or_email_provider():
    make_provider("Velmar Radio Wire", transport="email")
    with pytest.raises(CommandError, match="No provider called 'Nobody'"):
        call_command("ingest", "Nobody")
    with pytest.raises(CommandError, match="wire-email"):
        call_command("ingest", "Velmar Radio Wire")
