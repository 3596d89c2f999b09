"""Staff logins: failed attempts counted per account and address, then a pause.

Locking by account alone would let anyone lock the editor-in-chief out on a big
news day with five wrong passwords. So, as django-axes' combination mode does:

* ``LOGIN_FAILURES_PER_ACCOUNT`` failures for one user name *from one address*
  within ``LOGIN_LOCKOUT_MINUTES`` lock that account out *for that address*;
* ``LOGIN_FAILURES_PER_IP`` failures from one address, whatever the names, lock
  the address out;
* once an account has had ``LOGIN_FAILURES_PER_ACCOUNT`` failures from anywhere,
  it is slowed down, not locked: one attempt per ``LOGIN_ACCOUNT_PACE_SECONDS``
  from all addresses together, so guessing from many addresses stays slow while
  its owner still gets in.

A locked or slowed login answers 429 without checking the password, so a
guesser learns nothing. A successful login clears the account's counts. The
address is the client's behind a trusted proxy (dateline/lib/clientip.py);
counts live in the shared cache (ratelimit.py).

Not django-axes itself: it locks by combinations but has no slowing down by
account alone, and would bring its own authentication backend, tables and IP
resolution (django-ipware) beside TRUSTED_PROXIES.
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
from dateline.lib.http import client_ip

logger = logging.getLogger(__name__)

LOGIN_PATHS = ("/admin/login/", "/django-admin/login/")


def _window() -> int:
    return int(settings.LOGIN_LOCKOUT_MINUTES) * 60


def _account(name: str) -> str:
    return name.strip().lower()


def _address(request: HttpRequest | None) -> str:
    return (client_ip(request) or "unknown") if request is not None else "unknown"


def _pair(request: HttpRequest | None, username: str) -> str:
    return f"{_account(username)}\n{_address(request)}"


def refusal(request: HttpRequest, username: str) -> int:
    """Seconds to wait before this attempt may be checked; 0 when it may be now."""
    window = _window()
    if (
        ratelimit.attempts("login-pair", _pair(request, username), window)
        >= settings.LOGIN_FAILURES_PER_ACCOUNT
        or ratelimit.attempts("login-address", _address(request), window)
        >= settings.LOGIN_FAILURES_PER_IP
    ):
        return window
    account = _account(username)
    pace = settings.LOGIN_ACCOUNT_PACE_SECONDS
    if ratelimit.attempts(
        "login-account", account, window
    ) >= settings.LOGIN_FAILURES_PER_ACCOUNT and not ratelimit.allow(
        "login-account-pace", account, 1, pace
    ):
        return pace
    return 0


@receiver(user_login_failed, dispatch_uid="dateline-login-failed")
def count_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    window = _window()
    username = str(credentials.get("username", ""))
    ratelimit.allow("login-pair", _pair(request, username), 10**6, window)
    ratelimit.allow("login-account", _account(username), 10**6, window)
    ratelimit.allow("login-address", _address(request), 10**6, window)


@receiver(user_logged_in, dispatch_uid="dateline-login-succeeded")
def clear_failures(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    ratelimit.forget("login-account", _account(user.get_username()), _window())
    ratelimit.forget("login-pair", _pair(request, user.get_username()), _window())


class LoginThrottleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method == "POST" and request.path_info in LOGIN_PATHS:
            username = request.POST.get("username", "")
            if wait := refusal(request, username):
                logger.warning(
                    "Login refused for %d s: too many failures for this account or address (%s)",
                    wait,
                    _address(request),
                )
                response = HttpResponse(
                    render_to_string(
                        "ops/login_locked.html",
                        {"minutes": max(1, wait // 60), "seconds": wait, "paced": wait < 60},
                        request,
                    ),
                    status=429,
                )
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)
