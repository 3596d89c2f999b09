"""Signed form timestamps: a bot that posts at once, or replays an old form, is refused.

A stamp is a time signed with SECRET_KEY so it cannot be made up. There are two kinds:

* a page stamp, the time a page with a form was rendered. A page served from the
  cache carries the time of its render, so a page stamp says how old the form may
  be at most, never how long ago the reader loaded it;
* a live stamp, the time a reader's browser asked for it: only ever in an answer
  that is not cached (a no-store page, or the newsletter's stamp endpoint that
  newsletter.js calls when a cached page loads). Its age is the time since the
  reader loaded the form, which is what a time trap needs.
"""

from __future__ import annotations

import time

from django.core import signing

_signer = signing.Signer(salt="dateline.formstamp")
_live_signer = signing.Signer(salt="dateline.formstamp.live")


def make_stamp(now: float | None = None) -> str:
    """A page stamp, for a page that may be served from the cache."""
    return _signer.sign(str(int(now if now is not None else time.time())))


def make_live_stamp(now: float | None = None) -> str:
    """A live stamp: only for an answer that no cache keeps."""
    return _live_signer.sign(str(int(now if now is not None else time.time())))


def _issued(stamp: str) -> tuple[int, bool] | None:
    for signer, live in ((_live_signer, True), (_signer, False)):
        try:
            return int(signer.unsign(stamp or "")), live
        except (signing.BadSignature, ValueError):
            continue
    return None


def stamp_age(stamp: str, now: float | None = None) -> float | None:
    """Seconds since the stamp was made (either kind), or None for a missing or forged one."""
    issued = _issued(stamp)
    if issued is None:
        return None
    return (now if now is not None else time.time()) - issued[0]


def is_live(stamp: str) -> bool:
    issued = _issued(stamp)
    return issued is not None and issued[1]


OK, REFUSED, UNPROVEN = "ok", "refused", "unproven"


def check_stamp(stamp: str, min_seconds: float, max_seconds: float) -> str:
    """OK for a live stamp between the two ages; UNPROVEN for a page stamp not too
    old (no one can tell when its reader loaded the form); REFUSED otherwise."""
    issued = _issued(stamp)
    if issued is None:
        return REFUSED
    age = time.time() - issued[0]
    if age > max_seconds:
        return REFUSED
    if not issued[1]:
        return UNPROVEN
    return OK if age >= min_seconds else REFUSED
