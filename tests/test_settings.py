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
