"""Brotli and gzip for text responses, with one ETag per encoding.

The page cache (dateline.lib.pagecache) compresses a page once, when it stores it,
and picks a body per request with ``choose``; ``CompressionMiddleware`` compresses
what Django answers otherwise (a reader with a session, the admin, an uncacheable
query string) and hands a freshly stored page its precompressed bodies.

Our own middleware rather than a library's: django-compression-middleware (no
release since 2023) compresses every content type, photos and PDFs included, and
Django's GZipMiddleware has no brotli. Gzip for Django's own answers goes through
Django's compress_string, which pads against BREACH; CSRF tokens are masked anyway.

ETags (RFC 9110 section 8.8.3): each encoding is its own representation, so its
tag gets a suffix (``"abc-br"``, ``"abc-gzip"``). Incoming If-None-Match tags lose
the suffix before anything compares them, so a cache holding any encoding of the
page still gets its 304.
"""

from __future__ import annotations

import functools
import gzip
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import brotli
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_sequence, compress_string

# Best first. Quality 5 compresses a 60 KB page in a few milliseconds, within a
# few per cent of quality 9's size (quality 11 takes a third of a second).
ENCODINGS = ("br", "gzip")
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
# Below this, the headers cost more than compression saves.
MIN_LENGTH = 256
COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/ld+json",
    "application/manifest+json",
    "application/javascript",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/xhtml+xml",
    "image/svg+xml",
)
_SUFFIX = re.compile(r'-(?:br|gzip)"')


def compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=BROTLI_QUALITY)
    # mtime=0: the same page always compresses to the same bytes.
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def compress_all(body: bytes) -> dict[str, bytes]:
    """The body in every encoding that makes it smaller."""
    if len(body) < MIN_LENGTH:
        return {}
    encoded = {encoding: compress(body, encoding) for encoding in ENCODINGS}
    return {encoding: data for encoding, data in encoded.items() if len(data) < len(body)}


def compressible(content_type: str) -> bool:
    return content_type.lower().startswith(COMPRESSIBLE)


@functools.lru_cache(maxsize=256)
def choose(accept_encoding: str) -> str:
    """The encoding to answer with ("" for none), by the q-values of RFC 9110 12.5.3.

    Kept per header value: browsers send a handful of distinct ones.
    """
    weights: dict[str, float] = {}
    for item in accept_encoding[:300].split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        weight = 1.0
        params = params.strip().replace(" ", "")
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        if name:
            weights[name] = weight
    star = weights.get("*", 0.0)
    best, best_weight = "", 0.0
    for encoding in ENCODINGS:
        weight = weights.get(encoding, star)
        if weight > best_weight:
            best, best_weight = encoding, weight
    return best


def tag_for(etag: str, encoding: str) -> str:
    """The ETag of one encoding of a representation whose identity ETag is ``etag``."""
    if not encoding or not etag.endswith('"'):
        return etag
    return f'{etag[:-1]}-{encoding}"'


def plain_tags(if_none_match: str) -> str:
    """An If-None-Match value with the encodings' suffixes taken off its tags."""
    return _SUFFIX.sub('"', if_none_match)


def unsuffixed_environ(environ: dict[str, Any]) -> dict[str, Any]:
    """The WSGI environ with If-None-Match as the identity tags (a copy when changed)."""
    value = environ.get("HTTP_IF_NONE_MATCH")
    if not value or "-" not in value:
        return environ
    return {**environ, "HTTP_IF_NONE_MATCH": plain_tags(value)}


def _brotli_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    compressor = brotli.Compressor(quality=BROTLI_QUALITY)
    for chunk in chunks:
        if out := compressor.process(chunk):
            yield out
    yield compressor.finish()


def _gzip_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    yield from compress_sequence(chunks)


class CompressionMiddleware:
    """Compress text responses for clients that accept br or gzip.

    Sits above the conditional and page-cache middleware: they compare and store
    identity bodies and identity ETags; this changes the body and its tag last.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        sent = request.META.get("HTTP_IF_NONE_MATCH")
        if sent:
            request.META["HTTP_IF_NONE_MATCH"] = plain_tags(sent)
        response = self.get_response(request)
        if sent is not None:
            request.META["HTTP_IF_NONE_MATCH"] = sent
        encoding = choose(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        if response.status_code == 304:
            # The tag of the representation the client holds, if it named ours.
            etag = response.get("ETag")
            if etag and encoding and sent and tag_for(etag, encoding) in sent:
                response["ETag"] = tag_for(etag, encoding)
            return response
        if response.has_header("Content-Encoding") or not compressible(
            response.get("Content-Type", "")
        ):
            return response
        if response.streaming:
            patch_vary_headers(response, ("Accept-Encoding",))
            if not encoding:
                return response
            stream = _brotli_stream if encoding == "br" else _gzip_stream
            response.streaming_content = stream(response.streaming_content)  # type: ignore[attr-defined]
            del response["Content-Length"]
        else:
            content: bytes = response.content  # type: ignore[attr-defined]
            if len(content) < MIN_LENGTH:
                return response
            patch_vary_headers(response, ("Accept-Encoding",))
            if not encoding:
                return response
            # The page cache has compressed a page it has just stored: use those bytes.
            ready: dict[str, bytes] = getattr(response, "dateline_encoded", None) or {}
            body = ready.get(encoding) or (
                compress(content, "br") if encoding == "br" else compress_string(content)
            )
            if len(body) >= len(content):
                return response
            response.content = body  # type: ignore[attr-defined]
            response["Content-Length"] = str(len(body))
        response["Content-Encoding"] = encoding
        if etag := response.get("ETag"):
            response["ETag"] = tag_for(etag, encoding)
        return response
