"""Keeps pages that show one commenter's own state out of every shared cache."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers, patch_cache_control


class PersonalPageMiddleware:
    """A page rendered with a commenter's held or editable comments is theirs alone.

    The thread's template tag sets ``request.dateline_personal`` when it showed
    anything from the commenter's cookie; the page cache then refuses the response
    (``private``), and so does any proxy in front.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if getattr(request, "dateline_personal", False):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
