"""Staff logins: a pause after repeated failures, per account and per address."""

from __future__ import annotations

import pytest
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


def test_five_failures_lock_the_account_even_for_the_right_password(client, editor, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert attempt(client, "wrong-guess").status_code == 200  # the form again, with an error
    locked = attempt(client, PASSWORD)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == settings.LOGIN_LOCKOUT_MINUTES * 60
    assert "Too many failed attempts" in locked.content.decode()
    # Another address is locked out of this account too: the count is the account's.
    other = Client(REMOTE_ADDR="203.0.113.50")
    assert attempt(other, PASSWORD).status_code == 429
    assert "_auth_user_id" not in other.session


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
