"""Fixed-window rate limits kept in the shared cache."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def allow(scope: str, who: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt by ``who``; False once they made more than ``limit`` in the window."""
    if limit <= 0:
        return True
    window = int(time.time() // window_seconds)
    digest = hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    key = f"ratelimit:{scope}:{window}:{digest}"
    try:
        count = 1 if cache.add(key, 1, timeout=window_seconds + 5) else cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window_seconds + 5)
        count = 1
    except Exception:
        return True
    return count <= limit
