"""Static files: hashed names, precompressed copies, served by WhiteNoise.

``collectstatic`` writes each file under a name with its content's hash and beside it
a .br and a .gz copy (WhiteNoise's storage, with the Brotli package). WhiteNoise
answers /static/ in front of the page cache with Vary: Accept-Encoding, an ETag and
Last-Modified, and a year's ``immutable`` lifetime for hashed names. Why WhiteNoise
and not granian's own file handler: docs/decisions/0010-static-files-whitenoise.md.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

YEAR = 365 * 24 * 3600
# ManifestStaticFilesStorage's names: "site.3f2a9c1b7e4d.css" (12 hex digits).
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.[^/]+$")


class KeptCompressor(Compressor):
    """WhiteNoise's compressor, leaving copies made by an earlier collectstatic.

    `dateline serve` collects at every start: compressing every text file again
    (brotli at quality 11) took 20 s of each start on a busy machine. WhiteNoise gives
    each copy its source's mtime, so a copy with the same mtime is of the same file.
    """

    def compress(self, path: str) -> list[str]:
        mtime = os.stat(path).st_mtime
        kept = [
            path + suffix
            for suffix in (".br", ".gz")
            # utime through a float: equal to the microsecond, not the nanosecond.
            if os.path.exists(path + suffix) and abs(os.stat(path + suffix).st_mtime - mtime) < 1e-3
        ]
        return kept or list(super().compress(path))


class KeptManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage, remembering each URL it has built.

    The manifest is read once, when the process starts, so a name's hashed URL cannot
    change while it runs; Django still looks it up, quotes and joins it on every
    ``{% static %}``: six times a page, a quarter of a millisecond of each render.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # force=True: hashed names under DEBUG too (Django gives plain names then), so
        # development has the long-lived, validated URLs production has.
        self.url = functools.lru_cache(maxsize=512)(functools.partial(super().url, force=True))

    def create_compressor(self, **kwargs: Any) -> Compressor:
        return KeptCompressor(**kwargs)


def immutable(path: str, url: str) -> bool:
    return bool(HASHED_NAME.search(url))


def static_headers(headers: Any, path: str, url: str) -> None:
    """Headers every static file carries besides WhiteNoise's own."""
    headers["X-Content-Type-Options"] = "nosniff"


def static_files(application: Callable[..., Any]) -> WhiteNoise:
    """The WSGI application with /static/ answered from STATIC_ROOT before it."""
    files = WhiteNoise(
        application,
        # Unhashed names (favicon.ico, robots' files) may change with a release.
        max_age=3600,
        immutable_file_test=immutable,
        add_headers_function=static_headers,
    )
    # Read once, at start: `dateline serve` collects the files before the workers start.
    if settings.STATIC_ROOT and os.path.isdir(settings.STATIC_ROOT):
        files.add_files(str(settings.STATIC_ROOT), prefix=settings.STATIC_URL)
    return files
