"""A full-page cache for anonymous readers, answered before Django is entered.

Two halves share one cache entry format:

* ``PageCacheMiddleware`` (outermost Django middleware) stores every cacheable
  200 response for an anonymous GET, with its ETag and the article it shows.
* ``PageCacheApp`` wraps the WSGI application and answers a repeat request from
  the cache straight away: no request object, middleware, session or URL
  resolving. That path is what lets a cached page come close to a static file.

Both answer conditional requests by RFC 9110's rules, through Django's own
``get_conditional_response`` (If-None-Match lists, ``*`` and weak comparison;
If-Modified-Since against the page's Last-Modified only when no If-None-Match
came). A 304 is not a page view: the reader has the page already.

Invalidation is by generation: every entry records the generation it was
rendered in, and publishing, changing or unpublishing anything readers can see
starts a new generation. A publish therefore refreshes the home page, section
fronts, feeds and related lists along with the page itself; a busy newsroom pays
for that with a few extra renders, never with a stale page. See
docs/decisions/0002-page-cache.md.

Each server process keeps its most-read entries and its copy of the generation
in memory, and re-reads the shared generation every
PAGE_CACHE_GENERATION_SECONDS: a publish reaches every process within that
time, and a hit usually touches neither Redis nor the disk.

A page may also depend on named scopes (a live blog's posts) and on the clock
(lib/pagescopes.py): a live post renews the pages of its scope, not the site.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import parse_http_date_safe

from dateline.lib import compression, pagescopes

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
ENTRY_PREFIX = "pagecache:page:"
# Requests carrying these cookies belong to someone (an editor, a commenter with
# a flash message); their pages are never taken from or put into the cache.
PERSONAL_COOKIES = ("sessionid", "messages")
NEVER_CACHED = ("/admin/", "/django-admin/", "/dev/")
# Query parameters that change what a page shows. Links from newsletters and social
# sites add tracking parameters that change nothing, so those share the page's
# entry; any other parameter makes the request uncacheable rather than letting a
# crawler fill the cache with variants.
PAGE_PARAMETERS = frozenset({"page", "q", "sort"})
TRACKING_PARAMETERS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "dclid"})
LOCAL_ENTRIES = 256
# A request carrying none of these is answered without looking at validators.
PRECONDITIONS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)
# What a 304 repeats of the 200 it stands for (RFC 9110 section 15.4.5).
NOT_MODIFIED_HEADERS = frozenset(
    {"cache-control", "content-location", "date", "etag", "expires", "last-modified", "vary"}
)
# Headers that depend on the request, not the page: never stored, added when serving
# (a page first rendered for a plain-http request is also served to https readers).
PER_REQUEST_HEADERS = frozenset({"strict-transport-security", "content-length"})

StartResponse = Callable[..., Any]


def _no_view(article_id: int) -> None:
    return None


def _no_tally(method: str, status: int, seconds: float) -> None:
    return None


def _fresh_request_id(header: str | None) -> str:
    return uuid.uuid4().hex


@dataclass
class Hooks:
    """What the cache asks of the apps, which ``register`` it in their ``AppConfig.ready()``.

    lib imports no Dateline app (docs/decisions/0011-layers.md): the newsroom gives
    the view counter (a page served is a view, hit or not), ops the request tally and
    the request-id reader for hits. Until they register, the cache counts nothing and
    a hit carries a fresh id.
    """

    count_view: Callable[[int], None] = _no_view
    tally: Callable[[str, int, float], None] = _no_tally
    request_id: Callable[[str | None], str] = _fresh_request_id


HOOKS = Hooks()


def register(
    *,
    count_view: Callable[[int], None] | None = None,
    tally: Callable[[str, int, float], None] | None = None,
    request_id: Callable[[str | None], str] | None = None,
) -> None:
    """Give the page cache an app's view counter, request tally or request-id reader."""
    if count_view is not None:
        HOOKS.count_view = count_view
    if tally is not None:
        HOOKS.tally = tally
    if request_id is not None:
        HOOKS.request_id = request_id


_lock = threading.Lock()
_local_entries: OrderedDict[str, dict[str, Any]] = OrderedDict()
_local_generation: tuple[float, str] | None = None


def cache_query(query: str) -> str | None:
    """The query string as the cache sees it, or None when the page must not be cached."""
    if not query:
        return ""
    kept = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if not name.startswith("utm_") and name not in TRACKING_PARAMETERS
    ]
    if any(name not in PAGE_PARAMETERS for name, _ in kept):
        return None
    return urlencode(sorted(kept))


def entry_key(host: str, path: str, query: str) -> str:
    digest = hashlib.sha1(f"{host}\n{path}\n{query}".encode(), usedforsecurity=False)
    return ENTRY_PREFIX + digest.hexdigest()


def current_generation() -> str | None:
    """The shared generation, as this process last read it; None when the cache is down."""
    global _local_generation
    now = time.monotonic()
    known = _local_generation
    if known is not None and now - known[0] < settings.PAGE_CACHE_GENERATION_SECONDS:
        return known[1]
    try:
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            generation = cache.get(GENERATION_KEY)
    except Exception:  # a broken cache costs the cache, not the page
        generation = None
    if generation is None:
        return None
    _local_generation = (now, str(generation))
    return str(generation)


def invalidate(scope: str | None = None) -> None:
    """Start a new generation: every page cached so far will be rendered afresh.

    With ``scope``, only the pages that declared it (pagescopes.depends_on) are.
    """
    global _local_generation
    if scope is not None:
        pagescopes.bump(scope)
        return
    generation = uuid.uuid4().hex
    cache.set(GENERATION_KEY, generation, timeout=None)
    _local_generation = (time.monotonic(), generation)


def forget_local() -> None:
    """Drop this process's copies (tests, after emptying the shared cache)."""
    global _local_generation
    with _lock:
        _local_entries.clear()
        _local_generation = None
    pagescopes.forget()


def _remember(key: str, entry: dict[str, Any]) -> None:
    with _lock:
        _local_entries[key] = entry
        _local_entries.move_to_end(key)
        while len(_local_entries) > LOCAL_ENTRIES:
            _local_entries.popitem(last=False)


def lookup(host: str, path: str, query: str) -> dict[str, Any] | None:
    """A current entry for this request, from memory or from the shared cache."""
    generation = current_generation()
    if generation is None:
        return None
    key = entry_key(host, path, query)
    with _lock:
        entry = _local_entries.get(key)
    if entry is not None and entry["generation"] == generation and _still_current(entry):
        return entry
    try:
        entry = cache.get(key)
    except Exception:  # a broken cache costs the cache, not the page
        return None
    # "variants": an entry stored before compression came has none; render afresh.
    if (
        entry is None
        or entry["generation"] != generation
        or "variants" not in entry
        or not _still_current(entry)
    ):
        return None
    _remember(key, entry)
    return entry


def _still_current(entry: dict[str, Any]) -> bool:
    """Whether the entry's scopes are unchanged and the clock has not changed its page."""
    expires = entry.get("expires")
    if expires is not None and time.time() >= expires:
        return False
    scopes = entry.get("scopes")
    return not scopes or pagescopes.current(scopes)


def _has_personal_cookie(cookie_header: str) -> bool:
    return any(f"{name}=" in cookie_header for name in PERSONAL_COOKIES)


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def _variants(
    headers: list[tuple[str, str]], etag: str, body: bytes, encoded: dict[str, bytes]
) -> dict[str, tuple[bytes, list[tuple[str, str]]]]:
    """Each encoding's body with its whole header list, made once when storing."""
    variants = {"": (body, [*headers, ("ETag", etag), ("Content-Length", str(len(body)))])}
    for encoding, data in encoded.items():
        variants[encoding] = (
            data,
            [
                *headers,
                ("ETag", compression.tag_for(etag, encoding)),
                ("Content-Encoding", encoding),
                ("Content-Length", str(len(data))),
            ],
        )
    return variants


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        query = cache_query(request.META.get("QUERY_STRING", ""))
        if query is None or not self._request_cacheable(request):
            return self.get_response(request)
        # Read before rendering: a publish during the render makes this entry stale
        # on arrival instead of fresh for an hour.
        generation = current_generation()
        response = self.get_response(request)
        rules = getattr(request, "dateline_cache_rules", None) or pagescopes.Rules()
        if generation is None or rules.broken or not self._response_cacheable(response):
            return response
        assert isinstance(response, HttpResponse)
        etag = _etag(response.content)
        response["ETag"] = etag
        # A scoped page changes without a purge: browsers revalidate it every time (a 304
        # when unchanged) and a proxy keeps it only as long as our processes trust theirs.
        browser, proxy = (
            (0, pagescopes.proxy_seconds())
            if rules.scopes
            else (settings.PAGE_CACHE_BROWSER_SECONDS, settings.PAGE_CACHE_PROXY_SECONDS)
        )
        timeout = settings.PAGE_CACHE_SECONDS
        if rules.expires is not None:
            left = rules.expires - time.time()
            browser, proxy = min(browser, max(0, int(left))), min(proxy, max(0, int(left)))
            timeout = min(timeout, max(1, int(left) + 1))
        patch_cache_control(response, public=True, max_age=browser, s_maxage=proxy)
        # Compressed once here, not on every hit; the hit picks a body by Accept-Encoding.
        body = response.content
        encoded = (
            compression.compress_all(body)
            if compression.compressible(response.get("Content-Type", ""))
            else {}
        )
        if encoded:
            patch_vary_headers(response, ("Accept-Encoding",))
            response.dateline_encoded = encoded  # type: ignore[attr-defined]
        headers = [
            (k, v)
            for k, v in response.items()
            if k.lower() not in PER_REQUEST_HEADERS and k.lower() != "etag"
        ]
        last_modified = response.get("Last-Modified")
        entry: dict[str, Any] = {
            "generation": generation,
            "status": response.status_code,
            "variants": _variants(headers, etag, body, encoded),
            "etag": etag,
            "last_modified": last_modified and parse_http_date_safe(last_modified),
            "article_id": getattr(request, "dateline_article_id", None),
            "scopes": tuple(sorted(rules.scopes.items())),
            "expires": rules.expires,
        }
        key = entry_key(request.get_host(), request.path_info, query)
        # A page rendered just as the clock changed it is not kept.
        if rules.expires is None or rules.expires > time.time():
            try:
                cache.set(key, entry, timeout)
            except Exception:  # a broken cache costs the cache, not the page
                logger.warning("Could not store %s in the page cache", request.path_info)
            else:
                _remember(key, entry)
        answer = (
            get_conditional_response(
                request, etag=etag, last_modified=entry["last_modified"], response=response
            )
            or response
        )
        if answer.status_code == 200 and (article_id := entry["article_id"]):
            HOOKS.count_view(article_id)
        return answer

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


_MAX_AGE = re.compile(r"(max-age|s-maxage)=(\d+)")


def _left_for(headers: list[tuple[str, str]], expires: float) -> list[tuple[str, str]]:
    """The headers with Cache-Control's ages cut to what is left before ``expires``."""
    left = max(0, int(expires - time.time()))
    return [
        (k, _MAX_AGE.sub(lambda m: f"{m[1]}={min(int(m[2]), left)}", v))
        if k.lower() == "cache-control"
        else (k, v)
        for k, v in headers
    ]


def _revalidates(environ: dict[str, Any], entry: dict[str, Any]) -> bool:
    """Whether the request is a plain revalidation naming one of the entry's own tags.

    The common conditional request (a poll, a browser's reload) answered without the
    request object Django's general evaluation needs. RFC 9110 13.2.2: with no If-Match
    or If-Unmodified-Since, a matching If-None-Match on a GET or HEAD is a 304, and
    If-Modified-Since is then not looked at. Any other shape takes the general path.
    """
    if "HTTP_IF_MATCH" in environ or "HTTP_IF_UNMODIFIED_SINCE" in environ:
        return False
    value = environ.get("HTTP_IF_NONE_MATCH", "").strip()
    if value.startswith("W/"):  # weak comparison: the W/ prefix does not count
        value = value[2:]
    tags = entry.get("tags")
    if tags is None:
        etag = entry["etag"]
        tags = entry["tags"] = frozenset(
            compression.tag_for(etag, encoding) for encoding in entry["variants"]
        )
    return value in tags


def _not_modified(headers: list[tuple[str, str]], environ: dict[str, Any]) -> list[tuple[str, str]]:
    """What a 304 repeats of the 200 it stands for, with this request's HSTS."""
    return [(k, v) for k, v in headers if k.lower() in NOT_MODIFIED_HEADERS] + request_headers(
        environ
    )


def _is_https(environ: dict[str, Any]) -> bool:
    # As HttpRequest.is_secure(): the proxy's header when one is trusted, else the scheme.
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, value = proxy_header
        forwarded = environ.get(name)
        if forwarded is not None:
            return bool(forwarded.split(",", 1)[0].strip() == value)
    return bool(environ.get("wsgi.url_scheme") == "https")


def request_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    """What SecurityMiddleware would add for this request: HSTS on https."""
    seconds = settings.SECURE_HSTS_SECONDS
    if not seconds or not _is_https(environ):
        return []
    value = f"max-age={seconds}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return [("Strict-Transport-Security", value)]


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
            query = cache_query(environ.get("QUERY_STRING", ""))
            host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
            entry = lookup(host, path, query) if query is not None else None
            if entry is not None:
                return self._answer(entry, environ, start_response)
        return self.application(environ, start_response)

    @staticmethod
    def _answer(
        entry: dict[str, Any], environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        variants = entry["variants"]
        encoding = compression.choose(environ.get("HTTP_ACCEPT_ENCODING", ""))
        body, headers = variants.get(encoding) or variants[""]
        if entry.get("expires") is not None:
            headers = _left_for(headers, entry["expires"])
        if any(name in environ for name in PRECONDITIONS):
            if _revalidates(environ, entry):
                HOOKS.tally(environ.get("REQUEST_METHOD", "GET"), 304, 0.0)
                start_response("304 Not Modified", _not_modified(headers, environ))
                return [b""]
            # Django's evaluation wants a request object: made only for these requests.
            # It compares identity tags; any encoding's tag stands for the page.
            conditional = get_conditional_response(
                WSGIRequest(compression.unsuffixed_environ(environ)),
                etag=entry["etag"],
                last_modified=entry.get("last_modified"),
            )
            if conditional is not None:
                status = conditional.status_code
                kept = [("Content-Length", "0")]
                if status == 304:
                    kept = _not_modified(headers, environ)
                HOOKS.tally(environ.get("REQUEST_METHOD", "GET"), status, 0.0)
                start_response(f"{status} {conditional.reason_phrase}", kept)
                return [b""]
        if entry["article_id"]:
            HOOKS.count_view(entry["article_id"])
        HOOKS.tally(environ.get("REQUEST_METHOD", "GET"), 200, 0.0)
        start_response(
            "200 OK",
            [
                *headers,
                *request_headers(environ),
                ("X-Cache", "hit"),
                ("X-Request-ID", HOOKS.request_id(environ.get("HTTP_X_REQUEST_ID"))),
            ],
        )
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
