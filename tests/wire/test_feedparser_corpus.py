"""feedparser's own corpus of well-formed and ill-formed feeds, through our parsers.

The Makefile fetches the corpus before the run (tests/wire/feedparser_corpus.py), so
the suite itself never reaches the network.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dateline.wire.formats import FORMATS, FeedError, parse, sniff_format
from tests.wire.feedparser_corpus import CACHE, TESTS


def corpus() -> Path:
    if not TESTS.is_dir():
        pytest.fail(
            f"feedparser's corpus is not in {TESTS}: `make test` fetches it, or run "
            "`.venv/bin/python tests/wire/feedparser_corpus.py`"
        )
    return TESTS


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
