"""Staff logins: a pause after repeated failures, per account and per address."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "a-long-and-correct-password"


@pytest.fixture
def editor():
    return get_user_model().objects.create_superuser("ed", "ed@example.org", PASSWORD)


def attempt(client: Client, password: str, username: str = "ed", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_the_right_password_signs_in(client, editor):
    response = attempt(client, PASSWORD)
    assert response.status_code == 302


def test_five_failures_lock_the_account_for_that_address_only(client, editor, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert attempt(client, "wrong-guess").status_code == 200  # the form again, with an error
    locked = attempt(client, PASSWORD)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == settings.LOGIN_LOCKOUT_MINUTES * 60
    assert "Too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The owner, elsewhere, is not locked out by someone else's guesses (issue #19).
    owner = Client(REMOTE_ADDR="203.0.113.50")
    assert attempt(owner, PASSWORD).status_code == 302


def test_guesses_from_many_addresses_slow_the_account_down(editor, settings):
    for n in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        attempt(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), "wrong-guess")
    with time_machine.travel(time.time() + 1, tick=False) as clock:
        # One attempt per pace from all addresses together: the first goes through...
        assert attempt(Client(REMOTE_ADDR="198.51.100.90"), "wrong-guess").status_code == 200
        slowed = attempt(Client(REMOTE_ADDR="198.51.100.91"), "wrong-guess")
        assert slowed.status_code == 429
        assert int(slowed["Retry-After"]) == settings.LOGIN_ACCOUNT_PACE_SECONDS
        assert "one attempt every" in slowed.content.decode()
        # ...and the owner gets in at the next one, not fifteen minutes later.
        clock.shift(settings.LOGIN_ACCOUNT_PACE_SECONDS)
        assert attempt(Client(REMOTE_ADDR="203.0.113.50"), PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_each_reader_has_their_own_count(editor, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        attempt(proxy, "wrong-guess", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert attempt(proxy, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert attempt(proxy, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.50").status_code == 302


def test_one_address_guessing_many_accounts_is_stopped(client, editor, settings):
    settings.LOGIN_FAILURES_PER_IP = 3
    for name in ("ana", "bo", "cy"):
        attempt(client, "guess", username=name)
    assert attempt(client, PASSWORD).status_code == 429
    # The account itself is not locked for someone elsewhere.
    assert attempt(Client(REMOTE_ADDR="198.51.100.20"), PASSWORD).status_code == 302


def test_a_successful_login_clears_the_account_count(client, editor, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        attempt(client, "wrong-guess")
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        attempt(client, "wrong-guess")
    assert attempt(client, PASSWORD).status_code == 302


def test_staff_sessions_expire(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 3600
