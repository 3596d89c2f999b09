"""`dateline run` in production, as docs/deployment.md starts it, on an empty database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import urllib.request

from tests.ops.processes import free_port, wait_for


def test_an_empty_production_site_has_no_demo_login_and_says_what_to_do(tmp_path):
    port = free_port()
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST", "DEBUG")
    }
    environ.update(
        DATELINE_ENV="production",
        SECRET_KEY="a-production-secret-key-for-this-test-only-0123456789",
        BASE_URL="https://news.example.org",
        DATELINE_VAR_DIR=str(tmp_path),
        PORT=str(port),
        PYTHONUNBUFFERED="1",
    )
    run = subprocess.Popen(
        # No --no-demo: production must refuse the demo by itself.
        [sys.executable, "-m", "dateline.cli", "run", "--workers", "1"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/admin/login/", timeout=240) == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=10) as page:
            login_page = page.read().decode()
        run.send_signal(signal.SIGINT)
        output, _ = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, output
    assert "dateline-demo" not in output
    assert "No staff account yet" in output
    assert "dateline createsuperuser" in output
    assert "This newsroom has no accounts yet" in login_page
    assert "dateline createsuperuser" in login_page
    with sqlite3.connect(tmp_path / "dateline.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM auth_user").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM newsroom_articlepage").fetchone() == (0,)
