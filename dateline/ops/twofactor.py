"""Two-factor authentication for staff: an authenticator app (TOTP) and backup codes.

With ``STAFF_TWO_FACTOR`` on (the default in production), a staff member who has
signed in with their password reaches Wagtail's admin only after a code from
their authenticator app (RFC 6238, django-otp). The first time, they set the
app up by scanning a QR code, confirm it with a code, and get ten single-use
backup codes for when the phone is lost. Codes are tried at most
``LOGIN_FAILURES_PER_ACCOUNT`` times per lockout window, like passwords.

A lost phone and lost backup codes: a superuser removes the user's devices in
the Django admin (OTP devices), and the user sets up again at next sign-in.

Setting the app up needs more than the password (``STAFF_TWO_FACTOR_LINK``, on in
production): otherwise whoever learns a password before its owner has set up
an app would set up their own. The set-up page shows no secret until the
signed-in session has opened a set-up link: one mailed to the account's own
address, or printed on the server by ``dateline two-factor-link USER`` for an
account without mail (the first account, before mail works). A link is signed,
expires after ``STAFF_TWO_FACTOR_LINK_HOURS``, works once (it names the
account's state, which setting up changes), and only in a session signed in
as its account, so a leaked link without the password is worth nothing too
(setuplinks.py).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dateline.lib import ratelimit
from dateline.ops.setuplinks import needs_setup, user_for_link
from dateline.ops.tasks import send_setup_link

PROTECTED = ("/admin/", "/django-admin/")
# Reachable between the password and the code.
OPEN = (
    "/admin/login/",
    "/admin/logout/",
    "/admin/password_reset/",
    "/admin/two-factor/",
    "/admin/jsi18n/",
    "/django-admin/login/",
    "/django-admin/logout/",
)
BACKUP_CODES = 10
APP_DEVICE = "Authenticator app"
# The session that opened a valid set-up link: the user's id.
LINK_SESSION_KEY = "dateline_two_factor_link"
LINK_MAILS_PER_HOUR = 3


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6 digits your authenticator app shows, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return "".join(str(self.cleaned_data["code"]).split())


def _masked(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else ""


def _link_opened(request: HttpRequest) -> bool:
    if not settings.STAFF_TWO_FACTOR_LINK:
        return True
    return bool(request.session.get(LINK_SESSION_KEY) == request.user.pk)


class StaffTwoFactorMiddleware:
    """After OTPMiddleware: a staff page needs a verified second factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        user = getattr(request, "user", None)
        if (
            settings.STAFF_TWO_FACTOR
            and path.startswith(PROTECTED)
            and not path.startswith(OPEN)
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
        ):
            name = "two_factor_setup" if needs_setup(user) else "two_factor_verify"
            return HttpResponseRedirect(f"{reverse(name)}?next={request.get_full_path()}")
        return self.get_response(request)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/admin/"
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if safe else "/admin/"


def _allowed_attempt(request: HttpRequest) -> bool:
    window = settings.LOGIN_LOCKOUT_MINUTES * 60
    return ratelimit.allow(
        "two-factor", str(request.user.pk), settings.LOGIN_FAILURES_PER_ACCOUNT, window
    )


def _qr_svg(uri: str) -> SafeString:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    # Our own generated SVG of the device URI: no user input reaches it unescaped.
    return mark_safe(image.to_string(encoding="unicode"))  # nosec


def _new_backup_codes(user: Any) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Backup codes")
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def _ask_for_link(request: HttpRequest) -> HttpResponse:
    user = request.user
    address = getattr(user, "email", "") or ""
    sent = False
    if request.method == "POST" and request.POST.get("send") and address:
        hour = 3600
        if ratelimit.allow("two-factor-link", str(user.pk), LINK_MAILS_PER_HOUR, hour):
            send_setup_link.enqueue(user.pk)
            sent = True
        else:
            messages.warning(request, "Several links were sent in the last hour: check your mail.")
    return render(
        request,
        "ops/two_factor_link.html",
        {"address": _masked(address), "sent": sent, "next": _next(request)},
    )


@login_required(login_url="/admin/login/")
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """A set-up link, opened in a session signed in as its account, unlocks the set-up."""
    user = user_for_link(token)
    if user is None or user.pk != request.user.pk:
        return render(request, "ops/two_factor_link_problem.html", status=400)
    request.session[LINK_SESSION_KEY] = user.pk
    return HttpResponseRedirect(reverse("two_factor_setup"))


@login_required(login_url="/admin/login/")
def setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not needs_setup(user):
        return HttpResponseRedirect(reverse("two_factor_verify"))
    if not _link_opened(request):
        return _ask_for_link(request)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": APP_DEVICE}
    )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not _allowed_attempt(request):
            form.add_error("code", "Too many wrong codes. Wait a few minutes, then try again.")
        elif device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            request.session.pop(LINK_SESSION_KEY, None)
            otp_login(request, device)
            codes = _new_backup_codes(user)
            return render(
                request, "ops/two_factor_codes.html", {"codes": codes, "next": _next(request)}
            )
        else:
            form.add_error("code", "That code is not the one your app shows now. Try the next one.")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "ops/two_factor_setup.html",
        {
            "form": form,
            "qr": _qr_svg(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next(request),
        },
    )


@login_required(login_url="/admin/login/")
def verify(request: HttpRequest) -> HttpResponse:
    if needs_setup(request.user):
        return HttpResponseRedirect(reverse("two_factor_setup"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not _allowed_attempt(request):
            form.add_error("code", "Too many wrong codes. Wait a few minutes, then try again.")
        elif device := match_token(request.user, form.cleaned_data["code"]):
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(request, f"Backup code used: {left} left.")
            return HttpResponseRedirect(_next(request))
        else:
            form.add_error("code", "That code is not right. Check the time on your phone.")
    return render(request, "ops/two_factor_verify.html", {"form": form, "next": _next(request)})


urlpatterns = [
    path("setup/", setup, name="two_factor_setup"),
    path("verify/", verify, name="two_factor_verify"),
    path("link/<str:token>/", open_link, name="two_factor_link"),
]
