"""The client's address behind a trusted proxy, and only a trusted one (issue #19)."""

from __future__ import annotations

import pytest
from django.test import Client

from dateline.lib.clientip import client_ip_from
from dateline.newsletter.models import ConsentRecord
from tests.newsletter.helpers import form_data

PROXY = "10.0.0.5"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "fd00::/8"]
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    meta = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    assert client_ip_from(meta) == "203.0.113.9"


def test_an_untrusted_sender_cannot_choose_its_address(behind_proxy):
    meta = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    assert client_ip_from(meta) == "203.0.113.9"


def test_the_address_the_trusted_proxy_saw_is_the_client(behind_proxy):
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    assert client_ip_from(meta) == "198.51.100.1"


def test_what_the_client_wrote_into_the_header_is_not_believed(behind_proxy):
    # nginx appends what it saw to whatever the client sent: read from the right.
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "127.0.0.1, 198.51.100.1"}
    assert client_ip_from(meta) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked(behind_proxy):
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.1, 10.0.0.9"}
    assert client_ip_from(meta) == "198.51.100.1"


def test_garbage_in_the_header_leaves_the_last_address_read(behind_proxy):
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "not-an-address"}
    assert client_ip_from(meta) == PROXY


def test_the_forwarded_header_when_chosen(behind_proxy, settings):
    settings.TRUSTED_PROXY_HEADER = "Forwarded"
    meta = {
        "REMOTE_ADDR": PROXY,
        "HTTP_FORWARDED": 'for=192.0.2.60;proto=https, for="[2001:db8::17]:4711"',
        "HTTP_X_FORWARDED_FOR": "198.51.100.1",
    }
    assert client_ip_from(meta) == "2001:db8::17"


@pytest.mark.django_db
def test_readers_behind_one_proxy_have_their_own_signup_limits(behind_proxy, settings, mail_server):
    settings.NEWSLETTER_SIGNUPS_PER_IP = 2
    client = Client(REMOTE_ADDR=PROXY)

    def sign_up(email: str, reader: str) -> int:
        return client.post(
            "/newsletter/", form_data(email), HTTP_X_FORWARDED_FOR=reader
        ).status_code

    assert [sign_up(f"a{i}@example.org", "198.51.100.1") for i in range(3)] == [303, 303, 429]
    # Another reader through the same proxy is not in the abuser's bucket.
    assert sign_up("b@example.org", "198.51.100.2") == 303
    record = ConsentRecord.objects.get(email="b@example.org")
    assert record.signup_ip == "198.51.100.2"


@pytest.mark.django_db
def test_an_untrusted_sender_cannot_dodge_the_signup_limit(behind_proxy, settings, mail_server):
    settings.NEWSLETTER_SIGNUPS_PER_IP = 2
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [
        client.post(
            "/newsletter/", form_data(f"a{i}@example.org"), HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"
        ).status_code
        for i in range(3)
    ]
    assert codes == [303, 303, 429]
