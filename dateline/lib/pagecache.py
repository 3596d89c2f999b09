"""A full-page cache for anonymous readers, answered before Django is entered.

Two halves share one cache entry format:

* ``PageCacheMiddleware`` (innermost Django middleware) stores every cacheable
  200 response for an anonymous GET, with its ETag and the article it shows.
* ``PageCacheApp`` wraps the WSGI application and answers a repeat request from
  the cache straight away: no request object, middleware, session or URL
  resolving. That path is what lets a cached page come close to a static file.

Invalidation is by generation: every entry records the generation it was
rendered in, and publishing, changing or unpublishing anything readers can see
starts a new generation. A publish therefore refreshes the home page, section
fronts, feeds and related lists along with the page itself; a busy newsroom pays
for that with a few extra renders, never with a stale page. See
docs/decisions/0002-page-cache.md.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control

GENERATION_KEY = "pagecache:generation"
ENTRY_PREFIX = "pagecache:page:"
# Requests carrying these cookies belong to someone (an editor, a commenter with
# a flash message); their pages are never taken from or put into the cache.
PERSONAL_COOKIES = ("sessionid", "messages")
NEVER_CACHED = ("/admin/", "/django-admin/", "/dev/")

StartResponse = Callable[..., Any]


def entry_key(host: str, path: str, query: str) -> str:
    digest = hashlib.sha1(f"{host}\n{path}\n{query}".encode(), usedforsecurity=False)
    return ENTRY_PREFIX + digest.hexdigest()


def current_generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return str(generation)


def invalidate() -> None:
    """Start a new generation: every page cached so far will be rendered afresh."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _has_personal_cookie(cookie_header: str) -> bool:
    return any(f"{name}=" in cookie_header for name in PERSONAL_COOKIES)


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not self._request_cacheable(request):
            return self.get_response(request)
        # Read before rendering: a publish during the render makes this entry stale
        # on arrival instead of fresh for an hour.
        generation = current_generation()
        response = self.get_response(request)
        if not self._response_cacheable(response):
            return response
        assert isinstance(response, HttpResponse)
        etag = _etag(response.content)
        response["ETag"] = etag
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PAGE_CACHE_BROWSER_SECONDS,
            s_maxage=settings.PAGE_CACHE_SECONDS,
        )
        headers = [(k, v) for k, v in response.items() if k.lower() != "content-length"]
        entry: dict[str, Any] = {
            "generation": generation,
            "status": response.status_code,
            "headers": headers,
            "body": response.content,
            "etag": etag,
            "article_id": getattr(request, "dateline_article_id", None),
        }
        cache.set(
            entry_key(request.get_host(), request.path_info, request.META.get("QUERY_STRING", "")),
            entry,
            settings.PAGE_CACHE_SECONDS,
        )
        if article_id := entry["article_id"]:
            from dateline.newsroom import pageviews

            pageviews.record(article_id)
        conditional = get_conditional_response(request, etag=etag, response=response)
        return conditional if conditional is not None else response

    @staticmethod
    def _request_cacheable(request: HttpRequest) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and not request.path_info.startswith(NEVER_CACHED)
            and not _has_personal_cookie(request.META.get("HTTP_COOKIE", ""))
        )

    @staticmethod
    def _response_cacheable(response: HttpResponseBase) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if not isinstance(response, HttpResponse):
            return False
        cache_control = response.get("Cache-Control", "").lower()
        return not any(w in cache_control for w in ("private", "no-store", "no-cache"))


class PageCacheApp:
    """WSGI wrapper answering cached anonymous GETs without entering Django."""

    def __init__(self, application: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]):
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO", "")
        if (
            method in ("GET", "HEAD")
            and not path.startswith(NEVER_CACHED)
            and not _has_personal_cookie(environ.get("HTTP_COOKIE", ""))
        ):
            host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
            key = entry_key(host, path, environ.get("QUERY_STRING", ""))
            try:
                found = cache.get_many([key, GENERATION_KEY])
            except Exception:
                found = {}
            entry = found.get(key)
            if entry and entry["generation"] == found.get(GENERATION_KEY):
                return self._answer(entry, environ, start_response)
        return self.application(environ, start_response)

    @staticmethod
    def _answer(
        entry: dict[str, Any], environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        if entry["article_id"]:
            from dateline.newsroom import pageviews

            pageviews.record(entry["article_id"])
        if environ.get("HTTP_IF_NONE_MATCH", "") in (entry["etag"], "W/" + entry["etag"]):
            keep = ("etag", "cache-control", "vary")
            headers = [(k, v) for k, v in entry["headers"] if k.lower() in keep]
            start_response("304 Not Modified", headers)
            return [b""]
        body: bytes = entry["body"]
        start_response(
            "200 OK", [*entry["headers"], ("Content-Length", str(len(body))), ("X-Cache", "hit")]
        )
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
