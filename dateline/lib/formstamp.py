"""Signed form timestamps: a bot that posts at once, or replays an old form, is refused.

The stamp is the time the form was rendered, signed with SECRET_KEY so it cannot
be made up. Pages served from the cache carry the time of their render, which
only makes them older: the maximum age allows for that.
"""

from __future__ import annotations

import time

from django.core import signing

_signer = signing.Signer(salt="dateline.formstamp")


def make_stamp(now: float | None = None) -> str:
    return _signer.sign(str(int(now if now is not None else time.time())))


def stamp_age(stamp: str, now: float | None = None) -> float | None:
    """Seconds since the form was rendered, or None for a missing or forged stamp."""
    try:
        issued = int(_signer.unsign(stamp or ""))
    except (signing.BadSignature, ValueError):
        return None
    return (now if now is not None else time.time()) - issued


def stamp_ok(stamp: str, min_seconds: float, max_seconds: float) -> bool:
    age = stamp_age(stamp)
    return age is not None and min_seconds <= age <= max_seconds
