"""Staff logins: failed attempts counted per account and per address, then a pause.

After ``LOGIN_FAILURES_PER_ACCOUNT`` failed logins for one user name, or
``LOGIN_FAILURES_PER_IP`` from one address, within ``LOGIN_LOCKOUT_MINUTES``,
the login forms (Wagtail's and Django's admin) answer 429 without checking the
password until the window ends, so guessing is slow and a locked-out account
does not tell a guesser whether the password was right. A successful login
clears the account's count. Counts live in the shared cache (ratelimit.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string

from dateline.lib import ratelimit

logger = logging.getLogger(__name__)

LOGIN_PATHS = ("/admin/login/", "/django-admin/login/")


def _window() -> int:
    return int(settings.LOGIN_LOCKOUT_MINUTES) * 60


def _account(name: str) -> str:
    return name.strip().lower()


def _address(request: HttpRequest | None) -> str:
    return (request.META.get("REMOTE_ADDR") or "unknown") if request is not None else "unknown"


def locked_out(request: HttpRequest, username: str) -> bool:
    window = _window()
    return (
        ratelimit.attempts("login-account", _account(username), window)
        >= settings.LOGIN_FAILURES_PER_ACCOUNT
        or ratelimit.attempts("login-address", _address(request), window)
        >= settings.LOGIN_FAILURES_PER_IP
    )


@receiver(user_login_failed, dispatch_uid="dateline-login-failed")
def count_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    window = _window()
    username = str(credentials.get("username", ""))
    ratelimit.allow("login-account", _account(username), 10**6, window)
    ratelimit.allow("login-address", _address(request), 10**6, window)


@receiver(user_logged_in, dispatch_uid="dateline-login-succeeded")
def clear_failures(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    ratelimit.forget("login-account", _account(user.get_username()), _window())


class LoginThrottleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method == "POST" and request.path_info in LOGIN_PATHS:
            username = request.POST.get("username", "")
            if locked_out(request, username):
                logger.warning(
                    "Login refused: too many failures for this account or address (%s)",
                    _address(request),
                )
                minutes = settings.LOGIN_LOCKOUT_MINUTES
                response = HttpResponse(
                    render_to_string("ops/login_locked.html", {"minutes": minutes}, request),
                    status=429,
                )
                response["Retry-After"] = str(minutes * 60)
                return response
        return self.get_response(request)
