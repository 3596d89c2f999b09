"""What a cached page depends on besides the site: named scopes and the clock.

A page that shows something changing often (a live blog's posts) names a scope for it,
e.g. ``live:12``; a change there bumps that scope's generation alone, and only the
entries that named it are rendered again: the site generation, and every other page,
stay as they are (docs/decisions/0012-live-coverage-cache.md). A page whose content
changes by the clock (a live blog ending, a banner expiring) says when, and its entry
is not served past that moment.

A view declares both on the request while it renders; the page cache's middleware
stores them in the entry, and its lookup checks them. Each process keeps its copy of
the scope generations it has met and re-reads them all, in one ``get_many``, at most
SCOPE_SECONDS apart (PAGE_CACHE_GENERATION_SECONDS if that is shorter).
"""

from __future__ import annotations

import datetime
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache

SCOPE_PREFIX = "pagecache:scope:"
# Past this many scopes a process forgets those it knows and starts again (each live
# blog ever read is one); the next lookup reads the ones still asked for.
MOST_SCOPES = 1000
# A live reader whose poll falls between a post and this process's next re-read waits a
# whole poll interval more; a short window keeps that rare, for one get_many a tenth.
SCOPE_SECONDS = 0.1

_lock = threading.Lock()
_generations: dict[str, str] = {}
_read_at = -float("inf")


@dataclass
class Rules:
    """What the page being rendered for ``request`` depends on, beyond the site generation."""

    # scope -> its generation when the view named it, read before the view read its data
    scopes: dict[str, str] = field(default_factory=dict)
    # wall-clock seconds (time.time()) at which the page's content changes by itself
    expires: float | None = None
    broken: bool = False  # a scope could not be read: the page is not stored


def rules(request: Any) -> Rules:
    found = getattr(request, "dateline_cache_rules", None)
    if found is None:
        found = Rules()
        request.dateline_cache_rules = found
    return found


def depends_on(request: Any, *scopes: str) -> None:
    """The page shows what these scopes cover: a change in any of them refreshes it.

    Call it before reading what the scope covers: the generation is read now, so a
    change during the render leaves the stored entry stale at once, never fresh for
    an hour with old content.
    """
    generations = read(scopes)
    kept = rules(request)
    if generations is None:
        kept.broken = True
        return
    kept.scopes.update(zip(scopes, generations, strict=True))


def changes_at(request: Any, moment: datetime.datetime | float | None) -> None:
    """The page's content changes by itself at ``moment`` (a datetime or epoch seconds)."""
    if moment is None:
        return
    when = moment.timestamp() if isinstance(moment, datetime.datetime) else float(moment)
    kept = rules(request)
    if kept.expires is None or when < kept.expires:
        kept.expires = when


def read(scopes: tuple[str, ...] | list[str]) -> tuple[str, ...] | None:
    """Each scope's generation as this process last read it; None when the cache is down."""
    global _read_at
    now = time.monotonic()
    known = _generations
    if now - _read_at < _recheck_seconds():
        try:
            return tuple(known[s] for s in scopes)
        except KeyError:  # a scope this process has not met yet
            pass
    with _lock:
        names = set(scopes)
        if len(known) + len(names) <= MOST_SCOPES:
            names |= set(known)
        try:
            found = _fetch(names)
        except Exception:  # a broken cache costs the cache, not the page
            return None
        if len(known) + len(found) > MOST_SCOPES:
            known.clear()
        known.update(found)
        _read_at = now
    return tuple(found[s] for s in scopes)


def _recheck_seconds() -> float:
    return min(SCOPE_SECONDS, settings.PAGE_CACHE_GENERATION_SECONDS)


def _fetch(names: set[str]) -> dict[str, str]:
    keys = {SCOPE_PREFIX + name: name for name in names}
    found = {keys[k]: str(v) for k, v in cache.get_many(list(keys)).items()}
    for name in names - set(found):
        # A scope never bumped (or lost with the cache) starts at a generation of its own.
        cache.add(SCOPE_PREFIX + name, uuid.uuid4().hex, timeout=None)
        value = cache.get(SCOPE_PREFIX + name)
        if value is None:
            raise LookupError(name)
        found[name] = str(value)
    return found


def current(pairs: tuple[tuple[str, str], ...]) -> bool:
    """Whether every (scope, generation) pair an entry was rendered in is still current."""
    if time.monotonic() - _read_at < _recheck_seconds():
        # A cache hit's path: this process's copy, without building anything.
        known = _generations
        if all(known.get(name, "") == generation for name, generation in pairs):
            return True
        if all(name in known for name, _ in pairs):
            return False
    generations = read(tuple(name for name, _ in pairs))
    return generations is not None and all(
        generation == now for (_, generation), now in zip(pairs, generations, strict=True)
    )


def bump(scope: str) -> None:
    """A new generation for ``scope``: the pages that depend on it are rendered afresh."""
    generation = uuid.uuid4().hex
    cache.set(SCOPE_PREFIX + scope, generation, timeout=None)
    with _lock:
        _generations[scope] = generation


def forget() -> None:
    global _read_at
    with _lock:
        _generations.clear()
        _read_at = -float("inf")


def proxy_seconds() -> int:
    """How long a proxy may keep a scoped page: as long as our own processes do.

    No purge follows a scope's change, so a shared cache keeps such a page only as
    long as a server process trusts its copy of the generations (whole seconds: the
    smallest s-maxage is 1).
    """
    return max(1, int(-(-_recheck_seconds() // 1)))
