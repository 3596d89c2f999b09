"""The static storage that keeps its URLs answers exactly as Django's does."""

from __future__ import annotations

import json

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage

from dateline.lib.staticfiles import KeptManifestStaticFilesStorage


def test_kept_urls_are_djangos_and_asked_once(tmp_path):
    manifest = {
        "version": "1.1",
        "hash": "f00",
        "paths": {"dateline/site.css": "dateline/site.0a1b2c.css"},
    }
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    django = ManifestStaticFilesStorage(location=tmp_path, base_url="/static/")
    kept = KeptManifestStaticFilesStorage(location=tmp_path, base_url="/static/")

    assert kept.url("dateline/site.css") == django.url("dateline/site.css")
    assert kept.url("dateline/site.css") == "/static/dateline/site.0a1b2c.css"
    assert kept.url.cache_info().hits == 1  # type: ignore[attr-defined]
    # Another storage (another process, say, after collectstatic) has its own copies.
    assert KeptManifestStaticFilesStorage(location=tmp_path).url.cache_info().currsize == 0  # type: ignore[attr-defined]
