"""Staff two-step sign-in for the tests: the password, and a code from the app."""

from __future__ import annotations

import time

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "a-long-and-correct-password"


def sign_in(client: Client) -> None:
    response = client.post("/admin/login/", {"username": "ed", "password": PASSWORD})
    assert response.status_code == 302


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():0{device.digits}d}"
