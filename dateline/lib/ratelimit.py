"""Fixed-window rate limits kept in the shared cache.

Ours, not django-ratelimit (no way to clear a count after a good login, wants a
request, refuses the tests' LocMemCache) nor limits (Redis, Memcached, MongoDB or
per-process memory: nothing all processes share on the SQLite default).
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _key(scope: str, who: str, window_seconds: int) -> str:
    window = int(time.time() // window_seconds)
    digest = hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return f"ratelimit:{scope}:{window}:{digest}"


def attempts(scope: str, who: str, window_seconds: int) -> int:
    """How many attempts ``who`` made in the current window, without counting one."""
    try:
        return int(cache.get(_key(scope, who, window_seconds)) or 0)
    except Exception:
        return 0


def forget(scope: str, who: str, window_seconds: int) -> None:
    """Start ``who`` afresh in the current window (e.g. after a successful login)."""
    try:
        cache.delete(_key(scope, who, window_seconds))
    except Exception:
        return


def allow(scope: str, who: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt by ``who``; False once they made more than ``limit`` in the window."""
    if limit <= 0:
        return True
    key = _key(scope, who, window_seconds)
    try:
        count = 1 if cache.add(key, 1, timeout=window_seconds + 5) else cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window_seconds + 5)
        count = 1
    except Exception:
        return True
    if not isinstance(count, int):
        # A cache that is down and told to stay quiet (Redis with IGNORE_EXCEPTIONS)
        # answers None: without it there is nothing to count, so let the attempt
        # through rather than fail the reader (tests/ops/test_faults.py).
        return True
    return count <= limit
