"""--fetch: images over HTTP from the old site, served here by a real http.server."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from pathlib import Path

import pytest

from dateline.importers import wordpress
from dateline.importers.core import ImportFailed
from dateline.importers.fetch import Fetcher, FetchFailed
from dateline.importers.models import ImportedItem
from dateline.newsroom.models import ArticlePage, Photo
from tests.importers.conftest import EXPORT, MAPPING

pytestmark = pytest.mark.django_db
OLD = "https://old.calder.example/wp-content/uploads"


class Handler(http.server.SimpleHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        if self.path == "/slow.jpg":
            time.sleep(2)
        if self.path == "/broken.jpg":
            self.send_response(200)
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"not a jpg")
            return
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def old_site(tmp_path, media):
    """The old site's uploads at http://127.0.0.1:PORT/wp-content/uploads/..."""
    root = tmp_path / "site"
    (root / "wp-content").mkdir(parents=True)
    (root / "wp-content" / "uploads").symlink_to(media)
    handler = type("Site", (Handler,), {"requests": []})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def export_at(tmp_path: Path, base: str) -> Path:
    target = tmp_path / "export.xml"
    target.write_text(EXPORT.read_text().replace(OLD, f"{base}/wp-content/uploads"))
    return target


def article(post_id: str) -> ArticlePage:
    item = ImportedItem.objects.get(source="wordpress", kind="post", source_id=post_id)
    return ArticlePage.objects.get(pk=item.object_id)


def test_images_fetched_deduplicated_and_failures_reported(home, tmp_path, old_site):
    base, handler = old_site
    export = export_at(tmp_path, base)
    report = wordpress.run(export, mapping=MAPPING, fetch=True, fetch_private=True)
    # As from --media: ferry.jpg and ferry-copy.jpg are one picture (by content hash).
    assert Photo.objects.count() == 4
    lead = article("101").lead_image
    assert lead.credit == "Tomas Reyland"
    photos = [b for b in article("101").body if b.block_type == "photo"]
    assert photos[1].value["image"].pk == lead.pk
    # The resized copy is found through its original.
    assert "/wp-content/uploads/2024/03/quay.jpg" in handler.requests
    missing = "\n".join(report.missing_images)
    assert "missing-plan.jpg (HTTP 404 from" in missing
    # The story with a missing image is imported without it.
    assert article("102").live
    assert report.photos_stored == 4

    # Again: nothing new, and the photos are not stored twice.
    again = wordpress.run(export, mapping=MAPPING, fetch=True, fetch_private=True)
    assert again.created == 0 and Photo.objects.count() == 4


def test_private_addresses_refused_unless_allowed(home, tmp_path, old_site):
    base, handler = old_site
    report = wordpress.run(export_at(tmp_path, base), mapping=MAPPING, fetch=True)
    assert handler.requests == []  # refused before a byte was sent
    assert Photo.objects.count() == 0
    assert "on a private or local network" in "\n".join(report.missing_images)
    assert report.created == 4  # the stories still come in, without their photos


def test_fetcher_limits(old_site, tmp_path, media):
    base, _ = old_site
    fetcher = Fetcher(allow_private=True, max_bytes=100, timeout=(2, 0.5))
    with pytest.raises(FetchFailed, match="larger than"):
        fetcher.get(f"{base}/wp-content/uploads/2024/03/ferry.jpg")
    with pytest.raises(FetchFailed, match="no answer in time"):
        fetcher.get(f"{base}/slow.jpg")
    for url in ("file:///etc/passwd", "ftp://example.org/a.jpg", "gopher://x/"):
        with pytest.raises(FetchFailed, match="not an http or https address"):
            fetcher.get(url)
    with pytest.raises(FetchFailed, match="relative address"):
        fetcher.get("/wp-content/uploads/a.jpg")
    assert Fetcher(base, allow_private=True).address("/a.jpg") == f"{base}/a.jpg"
    assert Fetcher(base).address("__GHOST_URL__/content/images/a.jpg") == (
        f"{base}/content/images/a.jpg"
    )
    with pytest.raises(FetchFailed, match="private or local"):
        Fetcher().get(f"{base}/wp-content/uploads/2024/03/ferry.jpg")


def test_not_an_image_is_reported(home, tmp_path, old_site):
    base, _ = old_site
    export = tmp_path / "export.xml"
    export.write_text(EXPORT.read_text().replace(f"{OLD}/2024/03/ropes.jpg", f"{base}/broken.jpg"))
    report = wordpress.run(export, mapping=MAPPING, fetch=True, fetch_private=True)
    assert "broken.jpg (not an image)" in "\n".join(report.missing_images)


def test_media_and_fetch_together_refused(home, media):
    with pytest.raises(ImportFailed, match="not both"):
        wordpress.run(EXPORT, media=media, mapping=MAPPING, fetch=True)
