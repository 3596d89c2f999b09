"""/static/ and /media/ through Django, so their files carry the security headers too.

The app server's own file handler (granian's) can add no headers: files went out
without ``X-Content-Type-Options: nosniff`` and, worse for uploads, without a
Content-Security-Policy, so an uploaded file opened on its own could be taken
for a page. Here static files get the site's headers and media the strictest
policy: nothing loads, nothing runs (``sandbox``). Busy sites serve both from
the proxy in front, with the same headers (bench/nginx/dateline-proxy.conf.template).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.views.static import serve

# For an uploaded file viewed on its own: an image or video may show, nothing else.
MEDIA_POLICY = (
    "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox"
)
FILE_MAX_AGE = 86400


def static_file(request: HttpRequest, path: str) -> HttpResponseBase:
    response = serve(request, path, document_root=str(settings.STATIC_ROOT))
    response["Cache-Control"] = f"public, max-age={FILE_MAX_AGE}"
    return response


def media_file(request: HttpRequest, path: str) -> HttpResponseBase:
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["Content-Security-Policy"] = MEDIA_POLICY
    response["Cache-Control"] = f"public, max-age={FILE_MAX_AGE}"
    return response
