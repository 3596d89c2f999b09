from __future__ import annotations

import re
import time
from typing import Any

from dateline.lib.formstamp import make_live_stamp

LINK = re.compile(r"https?://\S+/newsletter/(confirm|manage|unsubscribe)/[^/\s]+/")


def form_data(email: str, **extra: Any) -> dict[str, Any]:
    """What a person's browser posts: the live stamp fetched as the form loaded, a minute ago."""
    data: dict[str, Any] = {
        "email": email,
        "cadence": "weekly",
        "stamp": make_live_stamp(time.time() - 60),
        "website": "",
        "source": "/world-news/ferry-talks-resume-after-storm/",
    }
    data.update(extra)
    return data


def link_in(text: str, kind: str = "confirm") -> str:
    for match in LINK.finditer(text):
        if match.group(1) == kind:
            return match.group(0)
    raise AssertionError(f"no {kind} link in: {text}")


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]
