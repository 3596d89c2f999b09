"""Request ids, structured logs and request metrics.

* Every response carries ``X-Request-ID``: the one the reverse proxy sent (nginx's
  ``$request_id``) when it looks like one, else a new one. Log records made
  while the request runs carry it too, so one id finds a request in the proxy's
  log, ours and the reader's bug report.
* In production, logs are JSON lines (python-json-logger, LOGGING in settings.py),
  one object per record.
* Requests are counted by method and status class, with their time, in
  prometheus_client counters, including the hits the page cache answers before
  Django. Under ``dateline serve`` the worker processes share a folder
  (``PROMETHEUS_MULTIPROC_DIR``, prometheus_client's multiprocess mode), so the
  metrics endpoint (health.py) sums every process of the server.
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.http import HttpRequest, HttpResponseBase
from prometheus_client import CollectorRegistry, Counter, disable_created_metrics

from dateline.lib.vardir import var_dir

REQUEST_ID = contextvars.ContextVar("request_id", default="")
VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_from(header: str | None) -> str:
    return header if header and VALID_ID.match(header) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Gives a record made during a request its ``request_id``; others get none."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Set only when there is one: the JSON formatter writes every attribute it finds.
        if request_id := REQUEST_ID.get():
            record.request_id = request_id
        return True


# Our own registry, not prometheus_client's global one: that one also describes the
# scraping process alone (its CPU, memory), which says little when workers share the load.
REGISTRY = CollectorRegistry(auto_describe=False)
# Counters have no creation time in multiprocess mode; none in one process either, alike.
disable_created_metrics()
REQUESTS = Counter(
    "dateline_http_requests",
    "HTTP requests answered, page-cache hits included.",
    ["method", "status"],
    registry=REGISTRY,
)
SECONDS = Counter(
    "dateline_http_request_seconds",
    "Time spent answering requests answered by Django.",
    registry=REGISTRY,
)
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Label children bound once per (method, status): labels() on every request would cost
# more than the count itself on the page cache's hit path (bench/metrics).
_BOUND: dict[tuple[str, int], Counter] = {}


def _bind(method: str, status: int) -> Counter:
    known = method in KNOWN_METHODS
    child = REQUESTS.labels(method if known else "OTHER", f"{status // 100}xx")
    if known:  # a client's made-up methods would grow the dict without end
        _BOUND[method, status] = child
    return child


def record(method: str, status: int, seconds: float) -> None:
    """Count one answered request (registered as the page cache's tally too)."""
    child = _BOUND.get((method, status)) or _bind(method, status)
    child.inc()
    if seconds:
        SECONDS.inc(seconds)


def multiprocess_dir() -> str | None:
    """Where every worker process of this server writes its counts, when one was set."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def prepare_multiprocess_dir(port: int) -> Path:
    """A folder for the server's counts, emptied of an earlier run's before it starts.

    ``PROMETHEUS_MULTIPROC_DIR`` when the operator set it, else ``var/metrics/<port>``
    (one per server, so two on one machine do not mix). Left behind at the end: the
    server execs granian and cannot clean up after it; the next start does.
    """
    folder = Path(multiprocess_dir() or var_dir() / "metrics" / str(port))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    return folder


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
        record(request.method or "GET", response.status_code, time.perf_counter() - started)
        return response
