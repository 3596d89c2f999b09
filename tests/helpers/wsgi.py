"""Requests through the real WSGI entry point (dateline/wsgi.py: static files, the page
cache, then Django), as a server would make them."""

from __future__ import annotations

from typing import Any
from wsgiref.util import setup_testing_defaults


class Response:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = int(status.split()[0])
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body


def wsgi_get(path: str, method: str = "GET", **environ: Any) -> Response:
    from dateline.wsgi import application

    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "HTTP_HOST": "testserver",
        **environ,
    }
    setup_testing_defaults(env)
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        captured.update(status=status, headers=headers)

    chunks = application(env, start_response)
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return Response(captured["status"], captured["headers"], body)
