"""Setting up two-step sign-in takes a one-time link, not the password alone (issue #19)."""

from __future__ import annotations

import datetime
import io
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.ops.twofactor import PASSWORD, code_for, sign_in

pytestmark = pytest.mark.django_db

SETUP = "/admin/two-factor/setup/"
LINK = re.compile(r"http://[^/\s]+(/admin/two-factor/link/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _links_on(settings):
    settings.STAFF_TWO_FACTOR = True
    settings.STAFF_TWO_FACTOR_LINK = True


@pytest.fixture
def editor():
    return get_user_model().objects.create_superuser("ed", "ed@example.org", PASSWORD)


def mailed_link(client: Client, mailoutbox) -> str:
    response = client.post(SETUP, {"send": "1"})
    assert "We sent the link to e•••@example.org" in response.content.decode()
    (message,) = mailoutbox
    assert message.to == ["ed@example.org"]
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_the_password_alone_shows_no_secret_and_confirms_nothing(client, editor):
    sign_in(client)
    page = client.get(SETUP).content.decode()
    assert "<svg" not in page and "data-secret" not in page
    assert "Email me the set-up link" in page
    assert not TOTPDevice.objects.filter(user=editor).exists()
    # A code posted anyway sets nothing up and the admin stays closed.
    client.post(SETUP, {"code": "123456"})
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert client.get("/admin/")["Location"].startswith(SETUP)


def test_the_mailed_link_opens_the_setup_once(client, editor, mailoutbox):
    sign_in(client)
    link = mailed_link(client, mailoutbox)
    opened = client.get(link)
    assert opened.status_code == 302 and opened["Location"] == SETUP
    assert "data-secret" in client.get(SETUP).content.decode()
    device = TOTPDevice.objects.get(user=editor)
    done = client.post(SETUP, {"code": code_for(device), "next": "/admin/"})
    assert "backup codes" in done.content.decode().lower()
    assert client.get("/admin/").status_code == 200
    # Used: setting the app up changed what the link names.
    assert client.get(link).status_code == 400


def test_a_link_is_no_use_to_another_signed_in_account(client, editor, mailoutbox):
    sign_in(client)
    link = mailed_link(client, mailoutbox)
    get_user_model().objects.create_superuser("mo", "mo@example.org", PASSWORD)
    intruder = Client()
    assert (
        intruder.post("/admin/login/", {"username": "mo", "password": PASSWORD}).status_code == 302
    )
    assert intruder.get(link).status_code == 400
    assert "data-secret" not in intruder.get(SETUP).content.decode()


def test_a_link_without_a_session_asks_for_the_password_first(client, editor, mailoutbox):
    sign_in(client)
    link = mailed_link(client, mailoutbox)
    stranger = Client()
    response = stranger.get(link)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_link_expires(client, editor, mailoutbox, settings):
    settings.STAFF_TWO_FACTOR_LINK_HOURS = 1  # within the session's own lifetime
    sign_in(client)
    link = mailed_link(client, mailoutbox)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
        hours=settings.STAFF_TWO_FACTOR_LINK_HOURS, minutes=1
    )
    with time_machine.travel(later):
        assert client.get(link).status_code == 400


def test_a_tampered_link_is_refused(client, editor, mailoutbox):
    sign_in(client)
    link = mailed_link(client, mailoutbox)
    assert client.get(link.replace(":", "x", 1)).status_code == 400


def test_links_by_mail_are_limited(client, editor, mailoutbox):
    sign_in(client)
    for _ in range(5):
        client.post(SETUP, {"send": "1"})
    assert len(mailoutbox) == 3


def test_an_account_without_an_address_is_told_to_ask_an_administrator(client, editor):
    editor.email = ""
    editor.save()
    sign_in(client)
    page = client.get(SETUP).content.decode()
    assert "dateline two-factor-link ed" in page


def test_the_command_prints_a_link_for_the_first_account(client, editor):
    out = io.StringIO()
    call_command("two_factor_link", "ed", stdout=out)
    link = LINK.search(out.getvalue())
    assert link
    sign_in(client)
    assert client.get(link.group(1))["Location"] == SETUP
    assert "data-secret" in client.get(SETUP).content.decode()
