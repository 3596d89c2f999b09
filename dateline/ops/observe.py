"""Request ids, structured logs and request metrics.

* Every response carries ``X-Request-ID``: the one the reverse proxy sent (nginx's
  ``$request_id``) when it looks like one, else a new one. Log records made
  while the request runs carry it too, so one id finds a request in the proxy's
  log, ours and the reader's bug report.
* In production, logs are JSON lines (python-json-logger, LOGGING in settings.py),
  one object per record.
* Each server process counts requests by method and status class, and their
  time, and adds the tally to the cache every few seconds (``Tally``), so the
  metrics endpoint (health.py) sums every process on every machine sharing the
  cache, including the hits the page cache answers before Django.
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponseBase

REQUEST_ID = contextvars.ContextVar("request_id", default="")
VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
FLUSH_SECONDS = 5.0
# Each process's totals live under their own key for a day after its last flush.
PROCESS_TTL = 24 * 3600
REGISTRY_KEY = "metrics:processes"


def request_id_from(header: str | None) -> str:
    return header if header and VALID_ID.match(header) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Gives a record made during a request its ``request_id``; others get none."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Set only when there is one: the JSON formatter writes every attribute it finds.
        if request_id := REQUEST_ID.get():
            record.request_id = request_id
        return True


class Tally:
    """This process's request counts, added to the cache every few seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str]] = Counter()
        self.seconds = 0.0
        self._last_flush = time.monotonic()
        self.key = f"metrics:process:{socket.gethostname()}:{os.getpid()}"

    def record(self, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[
                (method if method in KNOWN_METHODS else "OTHER", f"{status // 100}xx")
            ] += 1
            self.seconds += seconds
            due = time.monotonic() - self._last_flush >= FLUSH_SECONDS
        if due:
            self.flush()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": {f"{m} {s}": n for (m, s), n in self.requests.items()},
                "seconds": self.seconds,
            }

    def flush(self) -> None:
        """Write this process's totals (they only grow) under its own key."""
        with self._lock:
            self._last_flush = time.monotonic()
        try:
            cache.set(self.key, self.snapshot(), PROCESS_TTL)
            known = cache.get(REGISTRY_KEY) or []
            if self.key not in known:
                # Two processes registering at once may lose one; it re-registers next flush.
                cache.set(REGISTRY_KEY, [*known, self.key][-500:], PROCESS_TTL)
        except Exception:  # metrics must never break a request
            logging.getLogger(__name__).warning("Could not store request metrics", exc_info=True)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.seconds = 0.0


KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
TALLY = Tally()


def all_processes() -> dict[str, Any]:
    """Totals over every process that flushed to the cache, this one up to now."""
    TALLY.flush()
    requests: Counter[str] = Counter()
    seconds = 0.0
    for key in cache.get(REGISTRY_KEY) or []:
        snapshot = cache.get(key)
        if not snapshot:
            continue
        requests.update(snapshot["requests"])
        seconds += snapshot["seconds"]
    return {"requests": dict(requests), "seconds": seconds}


class ObserveMiddleware:
    """Outermost: gives the request its id, times it and counts it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        token = REQUEST_ID.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response["X-Request-ID"] = request_id
        TALLY.record(request.method or "GET", response.status_code, time.perf_counter() - started)
        return response
