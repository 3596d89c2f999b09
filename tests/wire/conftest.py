from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class FeedServer:
    """A real HTTP server in a thread serving fixture files with ETag and Last-Modified.

    ``files`` maps a path to (bytes, etag), ``redirects`` a path to where it points;
    ``hits`` records each request's method,
    path and conditional headers; ``status`` forces an error answer for a path.
    """

    LAST_MODIFIED = "Mon, 16 Nov 2026 12:00:00 GMT"

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.status: dict[str, int] = {}
        self.redirects: dict[str, str] = {}
        self.hits: list[dict[str, str]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append(
                    {
                        "path": self.path,
                        "if_none_match": self.headers.get("If-None-Match", ""),
                        "if_modified_since": self.headers.get("If-Modified-Since", ""),
                    }
                )
                if self.path in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[self.path])
                    self.end_headers()
                    return
                if self.path in server.status:
                    self.send_error(server.status[self.path])
                    return
                if self.path not in server.files:
                    self.send_error(404)
                    return
                body, etag = server.files[self.path]
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", server.LAST_MODIFIED)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server():
    server = FeedServer()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _feeds_on_this_machine(settings, tmp_path):
    """The test feed server listens on 127.0.0.1, and drop folders are made in tmp_path:
    tests/wire/test_egress.py shows what production refuses."""
    settings.WIRE_ALLOW_PRIVATE_ADDRESSES = True
    settings.WIRE_DROP_ROOT = tmp_path
