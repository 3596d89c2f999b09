"""HTTP helpers every app's views share: the client's address, JSON answers, CSRF checks.

One place, so that apps import each other's views for none of them
(docs/decisions/0011-layers.md). The address itself is worked out in clientip.py.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware

from dateline.lib.clientip import client_ip

__all__ = ["client_ip", "csrf_refusal", "is_one_click", "json_answer", "wants_json"]


def wants_json(request: HttpRequest) -> bool:
    """The page's script asked for JSON (``Accept``) rather than a page."""
    return "application/json" in request.headers.get("Accept", "")


def json_answer(ok: bool, message: str, *, status: int = 200, **more: Any) -> JsonResponse:
    """``{"ok": …, "message": …}`` and any ``more``: what a page's script is told of its POST."""
    return JsonResponse({"ok": ok, "message": message, **more}, status=status)


def _csrf_checked(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def csrf_refusal(request: HttpRequest) -> HttpResponseBase | None:
    """The middleware's CSRF check for a csrf_exempt view: a 403 response, or None if it passes.

    The callback handed to the middleware must not be the exempt view itself, or
    the middleware sees its csrf_exempt mark and waves every request through.
    """
    middleware = CsrfViewMiddleware(_csrf_checked)
    return middleware.process_view(request, _csrf_checked, (), {})


def is_one_click(request: HttpRequest) -> bool:
    """RFC 8058: a POST whose body carries List-Unsubscribe=One-Click."""
    return request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click"
