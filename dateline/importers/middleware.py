"""Old query-string URLs (WordPress's ``/?p=123``) answered with their redirect.

Wagtail's RedirectMiddleware only looks at requests that would be 404s, and
``/?p=123`` is the home page with a query string: a 200. So a request to the site's
root with a query string is checked against the redirects first; any other request
costs nothing here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from wagtail.contrib.redirects.models import Redirect


class OldQueryRedirectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path_info == "/"
            and request.META.get("QUERY_STRING")
            and (request.method in ("GET", "HEAD"))
        ):
            found = (
                Redirect.objects.filter(
                    old_path=Redirect.normalise_path(request.get_full_path()), is_permanent=True
                )
                .select_related("redirect_page")
                .first()
            )
            if found is not None and (link := found.link):
                return HttpResponsePermanentRedirect(link)
        return self.get_response(request)
