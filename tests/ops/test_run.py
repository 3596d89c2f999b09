"""`dateline run` starts the newsroom's processes together and stops them together."""

from __future__ import annotations

import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import time
import urllib.request

from tests.ops.processes import free_port, wait_for


def port_is_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def check_static_files(port: int) -> None:
    """In development too: hashed names, a compressed copy, validators, a long life."""
    # Without the demo the home page is Wagtail's welcome page: no stylesheet.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/newsletter/", timeout=10) as page:
        html = page.read().decode()
    found = re.search(r"/static/dateline/site\.[0-9a-f]{12}\.css", html)
    assert found, "the stylesheet's name is not hashed"
    asked = urllib.request.Request(
        f"http://127.0.0.1:{port}{found.group()}",
        headers={"Accept-Encoding": "gzip, deflate, br, zstd"},
    )
    with urllib.request.urlopen(asked, timeout=10) as css:
        headers = css.headers
    assert headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in headers["Vary"]
    assert "immutable" in headers["Cache-Control"]
    assert headers["ETag"] and headers["Last-Modified"]


def start_run(var_dir, port: int, smtp_port: int) -> subprocess.Popen[str]:
    """`dateline run` without the demo, on SQLite in ``var_dir``, its output readable."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST")
    }
    environ.update(
        DATELINE_VAR_DIR=str(var_dir),
        PORT=str(port),
        OUTBOX_SMTP_PORT=str(smtp_port),
        PYTHONUNBUFFERED="1",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "dateline.cli", "run", "--no-demo", "--workers", "1"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_it_serves_the_site_and_ctrl_c_stops_everything(tmp_path):
    port, smtp_port = free_port(), free_port()
    run = start_run(tmp_path, port, smtp_port)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/", timeout=90) == 200
        assert wait_for(f"http://127.0.0.1:{port}/dev/outbox/", timeout=10) == 200
        check_static_files(port)
        # The outbox's SMTP side (where digests go in development) keeps what it gets.
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as client:
            client.sendmail(
                "bounce+1@example.org",
                ["ana@example.org"],
                b"Subject: Sent over SMTP in development\r\n\r\nHello.\r\n",
            )
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/dev/outbox/", timeout=10) as page:
            assert b"Sent over SMTP in development" in page.read()
        run.send_signal(signal.SIGINT)
        output, _ = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, output
    assert f"Dateline is running: http://127.0.0.1:{port}/" in output
    assert f"http://127.0.0.1:{port}/admin/" in output
    assert "Stopped." in output
    assert "did not stop in time" not in output
    assert port_is_closed(port) and port_is_closed(smtp_port)
    assert (tmp_path / "dateline.sqlite3").exists()


def test_the_banner_shows_once_the_site_answers(tmp_path):
    # A newcomer opens the address as soon as it is printed: the web server took up to
    # half a minute more to listen, and the browser said "connection refused".
    port = free_port()
    run = start_run(tmp_path, port, free_port())
    try:
        assert run.stdout is not None
        for line in run.stdout:
            if "Dateline is running" in line:
                break
        else:
            raise AssertionError("no banner")
        assert not port_is_closed(port), "the banner came before the site listened"
    finally:
        run.send_signal(signal.SIGINT)
        try:
            run.communicate(timeout=30)
        finally:
            if run.poll() is None:
                run.kill()


def test_ctrl_c_while_the_site_starts_stops_every_process(tmp_path):
    # Ctrl-C before the banner (here: once the outbox listens, while the web server
    # starts) left the children running and holding the terminal.
    port, smtp_port = free_port(), free_port()
    run = start_run(tmp_path, port, smtp_port)
    try:
        deadline = time.monotonic() + 90
        while port_is_closed(smtp_port):
            assert run.poll() is None and time.monotonic() < deadline, "the outbox never listened"
            time.sleep(0.05)
        run.send_signal(signal.SIGINT)
        output, _ = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, output
    assert "Traceback" not in output
    assert "Stopped." in output
    time.sleep(0.5)
    assert port_is_closed(port) and port_is_closed(smtp_port)
