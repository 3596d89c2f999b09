"""feedparser's own corpus of well-formed and ill-formed feeds, through our parsers.

The corpus ships in feedparser's source distribution, not in the wheel, so the first
run downloads the sdist of the installed version from PyPI with pip and unpacks its
tests/ folder under var/ (never committed); later runs reuse it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from importlib.metadata import version
from pathlib import Path

import pytest

from dateline.wire.parsers import FORMATS, FeedError, parse, sniff_format

ROOT = Path(__file__).resolve().parents[2]
VERSION = version("feedparser")
CACHE = ROOT / "var" / "feedparser-corpus" / VERSION


def corpus() -> Path:
    tests = CACHE / "tests"
    if tests.is_dir():
        return tests
    download = CACHE.parent / "sdist"
    download.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
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
            str(download),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    archive = download / f"feedparser-{VERSION}.tar.gz"
    if result.returncode or not archive.exists():
        message = f"could not download feedparser {VERSION}'s sdist: {result.stderr[-500:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with tarfile.open(archive) as tar:
        prefix = f"feedparser-{VERSION}/tests/"
        members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.isfile()]
        for member in members:
            member.name = member.name[len(f"feedparser-{VERSION}/") :]
        tar.extractall(CACHE, members=members, filter="data")
    return tests


@pytest.fixture(scope="module")
def feeds() -> list[Path]:
    files = [
        p for p in sorted(corpus().rglob("*")) if p.is_file() and p.suffix not in (".py", ".pyc")
    ]
    assert len(files) > 2000, "the corpus looks incomplete"
    return files


def test_every_feed_in_feedparsers_corpus_parses_without_a_crash(feeds):
    crashes = []
    read = refused = items = 0
    for path in feeds:
        data = path.read_bytes()
        for fmt in {sniff_format(data), *FORMATS}:
            try:
                result = parse(data, fmt)
            except FeedError:
                refused += 1  # a whole feed refused with a reason is not a crash
                continue
            except Exception as exc:  # anything else is one
                crashes.append(f"{path.relative_to(CACHE)} as {fmt}: {type(exc).__name__}: {exc}")
                continue
            read += 1
            items += len(result.items)
            crashes += [
                f"{path.relative_to(CACHE)} as {fmt}: {p.reason}"
                for p in result.problems
                if p.kind == "error"
            ]
    assert crashes == []
    # The corpus is mostly real feeds: most of it must actually be read as such.
    assert read > len(feeds) * 0.8
    assert items > 1000
    assert refused > 0
