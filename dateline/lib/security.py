"""Security headers on every response: a Content-Security-Policy and a Permissions-Policy.

The reader site runs no inline script, so its policy allows scripts only from
our own origin and needs no nonces, which would not survive the page cache
anyway: a cached page is one set of bytes for everyone. A response that needs
something else sets its own ``Content-Security-Policy`` (the digest's "view in
browser" page, styled inline as mail is; the self-contained 500 page), and this
middleware leaves it alone. Wagtail's admin and the development outbox get only
``frame-ancestors``, as their own pages are not ours to vouch for.

A preview (Wagtail renders the reader page for the editor, ``request.is_preview``) gets
the reader policy, but may be framed by our own admin: its preview panel is an iframe.
Reader pages themselves keep ``frame-ancestors 'none'``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

SITE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Lead photos may come from a media host (S3, a CDN); embeds bring their posters.
        "img-src 'self' data: https:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' https:",
        # Embedded videos and posts (Wagtail embeds) are iframes from their providers.
        "frame-src https:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
ADMIN_POLICY = "frame-ancestors 'self'"
PREVIEW_FRAMING = "frame-ancestors 'self'"
# Inline styles, nothing else: mail-like pages and the 500 page.
INLINE_STYLE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
        "browsing-topics",
    )
)
OWN_PAGES_ONLY = ("/admin/", "/django-admin/", "/dev/")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.site_policy = SITE_POLICY
        if settings.BASE_URL.startswith("https://"):
            self.site_policy += "; upgrade-insecure-requests"
        self.preview_policy = self.site_policy.replace("frame-ancestors 'none'", PREVIEW_FRAMING)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            if request.path_info.startswith(OWN_PAGES_ONLY):
                policy = ADMIN_POLICY
            elif getattr(request, "is_preview", False):
                policy = self.preview_policy
            else:
                policy = self.site_policy
            response["Content-Security-Policy"] = policy
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
