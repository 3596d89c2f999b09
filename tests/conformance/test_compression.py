"""Compression of text answers (br, gzip) and static files, by RFC 9110's rules.

Pages are asked three ways, as in test_conditional_requests.py: from the page cache,
rendered afresh, and for a reader with a session cookie (never cached).
"""

from __future__ import annotations

import gzip
import json
import re
from typing import Any
from wsgiref.util import setup_testing_defaults

import brotli
import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from dateline.lib import compression, staticfiles
from tests.conformance.helpers import Site, forget_cached_pages, url_of
from tests.helpers.wsgi import Response, wsgi_get

pytestmark = pytest.mark.usefixtures("keep_test_connection")

TARGETS = ["article", "section", "feed", "sitemap", "home", "manifest"]
MODES = ["cached", "uncached", "personal"]
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}
# What browsers send: Chromium first, then Firefox's older form and a gzip-only client.
ASKED = {"br": "gzip, deflate, br, zstd", "gzip": "gzip;q=1.0, identity; q=0.5, *;q=0"}


def path_of(site: Site, target: str) -> str:
    extra = {"home": "/", "manifest": "/manifest.webmanifest"}
    return extra.get(target) or url_of(site, target)


def vary(response: Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",")}


@pytest.mark.django_db
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("target", TARGETS)
def test_compressed_answers_are_the_identity_bytes(site: Site, target: str, mode: str) -> None:
    url = path_of(site, target)
    extra = {"HTTP_COOKIE": "sessionid=someone"} if mode == "personal" else {}
    # A still clock: every render of the page is the same page (forms carry a time).
    with time_machine.travel(timezone.now(), tick=False):
        plain = wsgi_get(url, **extra)
        assert plain.status == 200
        assert "content-encoding" not in plain.headers
        assert "accept-encoding" in vary(plain)
        etags = {"": plain.headers["etag"]}
        for encoding, asked in ASKED.items():
            if mode == "uncached":
                forget_cached_pages()
            answer = wsgi_get(url, HTTP_ACCEPT_ENCODING=asked, **extra)
            assert answer.status == 200
            assert answer.headers["content-encoding"] == encoding
            assert "accept-encoding" in vary(answer)
            assert DECODE[encoding](answer.body) == plain.body
            assert len(answer.body) < len(plain.body)
            assert int(answer.headers["content-length"]) == len(answer.body)
            etags[encoding] = answer.headers["etag"]
        # Each encoding is its own representation, with a tag of its own (RFC 9110 8.8.3) ...
        assert len(set(etags.values())) == 3, etags
        # ... and a client holding any of them is told its copy is current.
        for held in etags.values():
            for encoding, asked in {"": "", **ASKED}.items():
                if mode == "uncached":
                    forget_cached_pages()
                answer = wsgi_get(url, HTTP_IF_NONE_MATCH=held, HTTP_ACCEPT_ENCODING=asked, **extra)
                assert answer.status == 304, (held, asked)
                assert answer.body == b""
                if held == etags[encoding]:
                    assert answer.headers["etag"] == held


@pytest.mark.django_db
def test_a_cached_page_is_compressed_once_when_stored(site: Site, monkeypatch: Any) -> None:
    calls: list[str] = []
    original = compression.compress

    def counting(body: bytes, encoding: str) -> bytes:
        calls.append(encoding)
        return original(body, encoding)

    monkeypatch.setattr(compression, "compress", counting)
    first = wsgi_get(site.article.url, HTTP_ACCEPT_ENCODING="br")
    assert "x-cache" not in first.headers
    assert sorted(calls) == ["br", "gzip"]
    for _ in range(3):
        hit = wsgi_get(site.article.url, HTTP_ACCEPT_ENCODING="gzip, br")
        assert hit.headers["x-cache"] == "hit"
        assert hit.headers["content-encoding"] == "br"
    assert sorted(calls) == ["br", "gzip"]
    assert brotli.decompress(hit.body) == brotli.decompress(first.body)


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("", ""),
        ("identity", ""),
        ("gzip", "gzip"),
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=0, gzip", "gzip"),
        ("br;q=0.5, gzip;q=0.8", "gzip"),
        ("*", "br"),
        ("*;q=0, identity", ""),
        ("BR", "br"),
        ("gzip;q=bad", ""),
    ],
)
def test_the_encoding_follows_the_q_values(accept: str, chosen: str) -> None:
    assert compression.choose(accept) == chosen


@pytest.fixture
def collected(settings: Any, tmp_path: Any) -> Any:
    """The static files as `dateline serve` collects them, with production's storage."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "dateline.lib.staticfiles.KeptManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


def static_get(app: Any, url: str, **environ: Any) -> Response:
    env: dict[str, Any] = {"REQUEST_METHOD": "GET", "PATH_INFO": url, **environ}
    setup_testing_defaults(env)
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        captured.update(status=status, headers=headers)

    chunks = app(env, start_response)
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return Response(captured["status"], captured["headers"], body)


def test_static_files_are_hashed_compressed_and_validated(collected: Any) -> None:
    from django.contrib.staticfiles.storage import staticfiles_storage

    url = staticfiles_storage.url("dateline/site.css")
    assert re.fullmatch(r"/static/dateline/site\.[0-9a-f]{12}\.css", url), url
    manifest = json.loads((collected / "staticfiles.json").read_text())
    assert manifest["paths"]["dateline/site.css"] == url.removeprefix("/static/")

    def never_django(environ: Any, start_response: Any) -> Any:
        raise AssertionError(f"{environ['PATH_INFO']} reached Django")

    app = staticfiles.static_files(never_django)
    plain = static_get(app, url)
    assert plain.status == 200
    assert plain.body == (collected / url.removeprefix("/static/")).read_bytes()
    assert "immutable" in plain.headers["cache-control"]
    assert "max-age=315360000" in plain.headers["cache-control"]
    assert plain.headers["x-content-type-options"] == "nosniff"
    assert plain.headers["etag"] and plain.headers["last-modified"]
    assert "accept-encoding" in vary(plain)
    for encoding, asked in ASKED.items():
        answer = static_get(app, url, HTTP_ACCEPT_ENCODING=asked)
        assert answer.headers["content-encoding"] == encoding
        assert DECODE[encoding](answer.body) == plain.body
    again = static_get(app, url, HTTP_IF_NONE_MATCH=plain.headers["etag"])
    assert again.status == 304
    assert again.body == b""


def test_static_names_are_hashed_in_development_too(collected: Any, settings: Any) -> None:
    from django.contrib.staticfiles.storage import staticfiles_storage

    # Django's manifest storage gives the plain name under DEBUG; `dateline run` is DEBUG.
    settings.DEBUG = True
    url = staticfiles_storage.url("dateline/site.css")
    assert re.fullmatch(r"/static/dateline/site\.[0-9a-f]{12}\.css", url), url


def test_a_second_collect_keeps_the_compressed_copies(collected: Any, monkeypatch: Any) -> None:
    from whitenoise.compress import Compressor

    compressed: list[int] = []

    def counting(data: bytes) -> bytes:
        compressed.append(len(data))
        return brotli.compress(data)

    monkeypatch.setattr(Compressor, "compress_brotli", staticmethod(counting))
    # `dateline serve` collects at every start: only files Django wrote afresh (the
    # stylesheets and scripts whose references it rewrites) are compressed again.
    call_command("collectstatic", interactive=False, verbosity=0)
    assert len(compressed) < 300  # several hundred on the first collect
