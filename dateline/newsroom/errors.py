"""Styled error pages that cannot themselves fail."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

from dateline.lib.security import INLINE_STYLE_POLICY


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponse(
        loader.render_to_string("404.html", {"request_path": request.path}, request), status=404
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    response = HttpResponseServerError(loader.get_template("500.html").render({}))
    # Self-contained, with its styles inline (dateline.lib.security).
    response["Content-Security-Policy"] = INLINE_STYLE_POLICY
    return response
