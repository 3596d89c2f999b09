"""Production mode refuses unsafe settings with a message an operator can act on."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def start(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DATELINE_ENV")
    }
    environ.update(DATELINE_VAR_DIR=str(tmp_path), **env)
    environ.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.run(
        [sys.executable, "-m", "dateline.cli", "check"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_settings(tmp_path, **env: str) -> dict:
    """The settings module as a fresh process with this environment reads it."""
    import json

    environ = {k: v for k, v in os.environ.items() if not k.startswith("MEDIA_S3")}
    environ.update(DATELINE_VAR_DIR=str(tmp_path), **env)
    code = (
        "import json, dateline.settings as s;"
        "print(json.dumps({'STORAGES': s.STORAGES, 'MEDIA_URL': s.MEDIA_URL,"
        " 'NEWSLETTER_CLICK_TRACKING': s.NEWSLETTER_CLICK_TRACKING}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = start(tmp_path, DATELINE_ENV="production")
    assert result.returncode != 0
    assert "refuses to start in production without SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_debug_on(tmp_path):
    result = start(tmp_path, DATELINE_ENV="production", SECRET_KEY="x" * 50, DEBUG="true")
    assert result.returncode != 0
    assert "with DEBUG on" in result.stderr


def test_production_refuses_the_development_secret_key(tmp_path):
    (tmp_path / "dev-secret-key").write_text("a-development-key-" * 3)
    result = start(tmp_path, DATELINE_ENV="production", SECRET_KEY="a-development-key-" * 3)
    assert result.returncode != 0
    assert "development secret key" in result.stderr


def test_production_starts_with_a_real_key(tmp_path):
    result = start(tmp_path, DATELINE_ENV="production", SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("bad", ["sometimes", "2"])
def test_a_malformed_boolean_is_named_in_the_error(tmp_path, bad):
    result = start(tmp_path, DEBUG=bad)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_media_can_live_in_s3_compatible_storage(tmp_path):
    settings = load_settings(
        tmp_path,
        MEDIA_S3_BUCKET="dateline-media",
        MEDIA_S3_ENDPOINT_URL="https://s3.example.net",
        MEDIA_S3_CUSTOM_DOMAIN="media.example.org",
    )
    default = settings["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "dateline-media"
    assert default["OPTIONS"]["endpoint_url"] == "https://s3.example.net"
    assert default["OPTIONS"]["querystring_auth"] is False
    assert settings["MEDIA_URL"] == "https://media.example.org/"
    local = load_settings(tmp_path)
    assert local["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")


def test_an_unknown_way_of_counting_views_is_refused(tmp_path):
    done = start(tmp_path, PAGE_VIEW_COUNTING="pixel")
    assert done.returncode != 0
    assert 'PAGE_VIEW_COUNTING must be "server" or "beacon", not "pixel"' in done.stderr


def test_the_development_key_is_made_once_and_never_read_half_written(tmp_path, monkeypatch):
    # Two workers started at once on a new var/ folder: one read the key file while the
    # other was still writing it, and died on an empty SECRET_KEY (seen in test_workers).
    from dateline.lib import vardir

    path = tmp_path / "dev-secret-key"
    link = os.link

    def another_process_is_first(source, target):
        assert not path.exists()  # never there before it is whole
        path.write_text("theirs-" * 8)
        link(source, target)

    monkeypatch.setattr(vardir.os, "link", another_process_is_first)
    assert vardir.kept_secret(path) == "theirs-" * 8
    assert [p.name for p in tmp_path.iterdir()] == ["dev-secret-key"]
    monkeypatch.setattr(vardir.os, "link", link)
    assert vardir.kept_secret(path) == "theirs-" * 8
    mine = vardir.kept_secret(tmp_path / "other")
    assert len(mine) > 40 and vardir.kept_secret(tmp_path / "other") == mine


def test_importing_the_settings_writes_nothing_and_the_command_makes_var(tmp_path):
    var = tmp_path / "var"
    environ = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATELINE_ENV")}
    environ.update(DATELINE_VAR_DIR=str(var))
    code = "import dateline.settings as s; print(len(s.SECRET_KEY))"
    done = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 40  # a key for that process alone
    assert not var.exists()
    assert start(tmp_path / "var").returncode == 0
    key = (var / "dev-secret-key").read_text()
    # Kept: the next process reads the same key.
    done = subprocess.run(
        [sys.executable, "-c", "import dateline.settings as s; print(s.SECRET_KEY)"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == key.strip()


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "LIVE_POLL_SECONDS must be at least 1"), ("soon", "must be a whole number")],
)
def test_a_live_poll_interval_that_is_not_whole_seconds_is_refused(tmp_path, value, message):
    result = start(tmp_path, LIVE_POLL_SECONDS=value)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("env", "counted"),
    [
        ({}, True),
        ({"DIGEST_CLICK_TRACKING": "0"}, False),  # a site that turned it off under the old name
        ({"DIGEST_CLICK_TRACKING": "0", "NEWSLETTER_CLICK_TRACKING": "1"}, True),
        ({"NEWSLETTER_CLICK_TRACKING": "0"}, False),
    ],
)
def test_click_counting_is_on_unless_turned_off_by_either_name(tmp_path, env, counted):
    environ = {"DIGEST_CLICK_TRACKING": "", "NEWSLETTER_CLICK_TRACKING": "", **env}
    assert load_settings(tmp_path, **environ)["NEWSLETTER_CLICK_TRACKING"] is counted
