"""Providers cannot take the worker to the server's own network or disk (issue #19)."""

from __future__ import annotations

import logging
import os

import pytest

from dateline.wire.models import Provider, WireItem
from dateline.wire.transports import poll
from tests.wire.conftest import FeedServer, fixture
from tests.wire.helpers import ADD_PROVIDER, make_provider, provider_form

pytestmark = pytest.mark.django_db

SECRET = b"dateline_internal_secret_metric 42\n"


@pytest.fixture
def production_rules(settings):
    settings.WIRE_ALLOW_PRIVATE_ADDRESSES = False


def test_a_feed_on_the_servers_own_address_is_not_fetched(
    feed_server: FeedServer, production_rules, caplog
):
    feed_server.files["/metrics"] = (SECRET, '"m"')
    provider = make_provider(url=feed_server.url("/metrics"))
    with caplog.at_level(logging.INFO):
        assert poll(provider) is None
    assert feed_server.hits == []  # refused before a byte was sent
    provider.refresh_from_db()
    assert "private or local network" in provider.last_error
    assert "WIRE_ALLOW_PRIVATE_ADDRESSES" in provider.last_error


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://[::1]:9/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/feed",
        "http://192.168.1.10/feed",
        "http://localhost:9/feed",
    ],
)
def test_the_admin_refuses_internal_feed_addresses(staff, production_rules, url):
    response = staff.post(ADD_PROVIDER, provider_form(url=url))
    assert response.status_code == 200
    assert "private or local network" in response.content.decode()
    assert not Provider.objects.exists()


def test_a_redirect_into_the_network_is_not_followed(feed_server: FeedServer, settings):
    # The feed server plays a public feed that redirects to an internal one: let the
    # first connection through, then check the second as production would.
    from dateline.wire import egress

    feed_server.files["/metrics"] = (SECRET, '"m"')
    feed_server.redirects = {"/public": feed_server.url("/metrics")}
    connections = []
    real_check = egress._check

    def first_one_public(address: str) -> None:
        connections.append(address)
        if len(connections) > 1:
            settings.WIRE_ALLOW_PRIVATE_ADDRESSES = False
        real_check(address)

    egress._check = first_one_public
    try:
        provider = make_provider(url=feed_server.url("/public"))
        assert poll(provider) is None
    finally:
        egress._check = real_check
    assert [hit["path"] for hit in feed_server.hits] == ["/public"]
    assert not WireItem.objects.exists()


def test_a_drop_folder_outside_the_root_is_refused(tmp_path, settings, staff):
    settings.WIRE_DROP_ROOT = tmp_path / "wire-drop"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "precious.json").write_text("{}")
    for folder in (str(outside), "../elsewhere", "/etc"):
        response = staff.post(
            ADD_PROVIDER, provider_form(transport="folder", url="", folder=folder)
        )
        assert "Drop folders go inside" in response.content.decode()
    assert not Provider.objects.exists()
    # Made some other way (an old row, the shell): the poll refuses and moves nothing.
    provider = make_provider(transport="folder", format="ninjs", folder=str(outside))
    assert poll(provider) is None
    assert (outside / "precious.json").exists()
    provider.refresh_from_db()
    assert "WIRE_DROP_ROOT" in provider.last_error


def test_a_folder_inside_the_root_may_be_named_relatively(tmp_path, settings, staff):
    settings.WIRE_DROP_ROOT = tmp_path
    (tmp_path / "meridian").mkdir()
    (tmp_path / "meridian" / "one.json").write_bytes(fixture("meridian.json"))
    response = staff.post(
        ADD_PROVIDER, provider_form(transport="folder", url="", folder="meridian", format="ninjs")
    )
    assert response.status_code == 302
    report = poll(Provider.objects.get())
    assert report is not None and report.created >= 1


def test_a_link_out_of_the_drop_folder_is_not_followed(tmp_path, settings):
    settings.WIRE_DROP_ROOT = tmp_path / "wire-drop"
    folder = settings.WIRE_DROP_ROOT / "meridian"
    folder.mkdir(parents=True)
    secret = tmp_path / "secret.json"
    secret.write_bytes(fixture("meridian.json"))
    os.symlink(secret, folder / "link.json")
    provider = make_provider(transport="folder", format="ninjs", folder="meridian")
    report = poll(provider)
    assert report is not None and report.created == 0
    assert secret.exists() and (folder / "link.json").is_symlink()


def test_what_a_feed_says_never_reaches_the_log(feed_server: FeedServer, caplog):
    feed_server.files["/items"] = (
        b"<rss><channel><item><guid>dateline_internal_secret_metric</guid></item></channel></rss>",
        '"i"',
    )
    feed_server.files["/json"] = (SECRET, '"j"')
    with caplog.at_level(logging.DEBUG):
        poll(make_provider("Item Feed", url=feed_server.url("/items")))
        poll(make_provider("Bad Feed", url=feed_server.url("/json"), format="ninjs"))
    assert "Polling Bad Feed failed: the feed is unreadable" in caplog.text
    assert "dateline_internal_secret_metric" not in caplog.text
    # The admin still sees why, on the provider and its report.
    assert Provider.objects.get(name="Bad Feed").last_error.startswith("not JSON")
