"""feedparser's own test corpus, fetched before the test run (``make test`` does it).

The corpus ships in feedparser's source distribution, not in the wheel. The Makefile
runs this file once per feedparser version: pip downloads the sdist of the installed
version from the package registry and its tests/ folder is unpacked under var/ (never
committed). The test suite only reads it, so a run never reaches the network.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERSION = version("feedparser")
CACHE = ROOT / "var" / "feedparser-corpus" / VERSION
TESTS = CACHE / "tests"


def fetch() -> Path:
    if TESTS.is_dir():
        return TESTS
    with tempfile.TemporaryDirectory() as download:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                f"feedparser=={VERSION}",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--quiet",
                "-d",
                download,
            ],
            check=True,
            timeout=300,
        )
        archive = Path(download) / f"feedparser-{VERSION}.tar.gz"
        prefix = f"feedparser-{VERSION}/"
        unpacking = CACHE.with_name(CACHE.name + ".unpacking")
        with tarfile.open(archive) as tar:
            members = [
                m for m in tar.getmembers() if m.name.startswith(prefix + "tests/") and m.isfile()
            ]
            for member in members:
                member.name = member.name[len(prefix) :]
            tar.extractall(unpacking, members=members, filter="data")
        # Renamed into place whole: an interrupted fetch leaves no half corpus behind.
        unpacking.rename(CACHE)
    return TESTS


if __name__ == "__main__":
    print(f"feedparser {VERSION}'s corpus: {fetch()}")
