"""/static/ and /media/ carry security headers too (issue #19)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    (settings.STATIC_ROOT / "dateline").mkdir(parents=True)
    (settings.STATIC_ROOT / "dateline" / "site.css").write_text("body { color: #111 }")
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    # What an upload could be made to look like: markup that would run if sniffed as a page.
    (settings.MEDIA_ROOT / "note.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )


def test_static_files_are_not_sniffed(client, files):
    response = client.get("/static/dateline/site.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response
    assert "max-age=" in response["Cache-Control"]


def test_an_uploaded_file_opened_on_its_own_runs_nothing(client, files):
    response = client.get("/media/note.svg")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy
    assert "script-src" not in policy


def test_a_missing_file_is_a_404(client, files):
    assert client.get("/media/nothing-here.jpg").status_code == 404


def test_granian_no_longer_serves_files_itself(settings):
    from dateline.ops.management.commands.serve import granian_argv

    assert not any(a.startswith("--static-path") for a in granian_argv("127.0.0.1", 8000, 1, False))
