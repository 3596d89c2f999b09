"""Publishing purges the reverse proxy's copies of everything that shows the story."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


class ProxyStandIn(BaseHTTPRequestHandler):
    purged: list[tuple[str, str]] = []

    def do_PURGE(self) -> None:
        self.purged.append((self.headers.get("Host", ""), self.path))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy(settings) -> Iterator[list[tuple[str, str]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ProxyStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ProxyStandIn.purged = []
    settings.WAGTAILFRONTENDCACHE = {
        "proxy": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_port}",
        }
    }
    yield ProxyStandIn.purged
    server.shutdown()


def test_publishing_purges_the_page_its_section_home_and_feeds(world, proxy):
    make_article(world, "Ferry talks resume after storm")
    paths = {path for _, path in proxy}
    assert "/world-news/ferry-talks-resume-after-storm/" in paths
    assert "/world-news/" in paths
    assert "/" in paths
    assert {"/feeds/rss.xml", "/feeds/world-news/rss.xml", "/news-sitemap.xml"} <= paths
    assert {"/sitemap.xml", "/sitemap-fronts.xml", "/sitemap-articles-1.xml"} <= paths


def test_unpublishing_purges_too(world, proxy):
    article = make_article(world, "Ferry talks resume after storm")
    proxy.clear()
    article.unpublish()
    assert "/world-news/ferry-talks-resume-after-storm/" in {path for _, path in proxy}
