"""Staff sign in with a password and a code from an authenticator app (or a backup code)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.ops.twofactor import PASSWORD, code_for, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    settings.STAFF_TWO_FACTOR = True


@pytest.fixture
def editor():
    return get_user_model().objects.create_superuser("ed", "ed@example.org", PASSWORD)


def set_up(client: Client) -> list[str]:
    client.get("/admin/two-factor/setup/")
    device = TOTPDevice.objects.get(user__username="ed")
    response = client.post(
        "/admin/two-factor/setup/", {"code": code_for(device), "next": "/admin/"}
    )
    assert response.status_code == 200
    return re.findall(r"<li><code>(\d{8})</code></li>", response.content.decode())


def test_the_admin_asks_for_setup_after_the_password(client, editor):
    sign_in(client)
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/two-factor/setup/?next=/admin/pages/")
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "data-secret" in page
    device = TOTPDevice.objects.get(user=editor)
    assert not device.confirmed


def test_setup_confirms_the_app_and_gives_backup_codes(client, editor):
    sign_in(client)
    client.get("/admin/two-factor/setup/")
    wrong = client.post("/admin/two-factor/setup/", {"code": "000000"})
    assert "not the one your app shows" in wrong.content.decode()
    codes = set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=editor).confirmed
    assert client.get("/admin/").status_code == 200


def test_each_sign_in_needs_a_code(client, editor):
    sign_in(client)
    codes = set_up(client)
    client.logout()

    sign_in(client)
    assert client.get("/admin/")["Location"].startswith("/admin/two-factor/verify/")
    bad = client.post("/admin/two-factor/verify/", {"code": "123456"})
    assert bad.status_code == 200 and "not right" in bad.content.decode()
    assert client.get("/admin/").status_code == 302
    device = TOTPDevice.objects.get(user=editor)
    good = client.post(
        "/admin/two-factor/verify/", {"code": code_for(device, 1), "next": "/admin/"}
    )
    assert good.status_code == 302 and good["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200

    # A backup code works once.
    client.logout()
    sign_in(client)
    assert client.post("/admin/two-factor/verify/", {"code": codes[0]}).status_code == 302
    client.logout()
    sign_in(client)
    assert client.post("/admin/two-factor/verify/", {"code": codes[0]}).status_code == 200


def test_guessing_codes_is_stopped(client, editor, settings):
    sign_in(client)
    set_up(client)
    client.logout()
    sign_in(client)
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        client.post("/admin/two-factor/verify/", {"code": "111111"})
    device = TOTPDevice.objects.get(user=editor)
    locked = client.post("/admin/two-factor/verify/", {"code": code_for(device, 2)})
    assert "Too many wrong codes" in locked.content.decode()
    assert client.get("/admin/").status_code == 302


def test_an_outside_next_is_ignored(client, editor):
    sign_in(client)
    set_up(client)
    client.logout()
    sign_in(client)
    device = TOTPDevice.objects.get(user=editor)
    response = client.post(
        # The next step's code: the one set-up used cannot be used twice.
        "/admin/two-factor/verify/",
        {"code": code_for(device, 1), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/admin/"


def test_off_in_development(client, editor, settings):
    settings.STAFF_TWO_FACTOR = False
    sign_in(client)
    assert client.get("/admin/").status_code == 200
