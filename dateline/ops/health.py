"""/healthz (the process answers), /readyz (its database, cache and task queue) and /metrics.

``/readyz`` answers 503 only when the database cannot be reached: without the
cache (Redis down) pages are still served, just slower, and a load balancer
that took every server out because of it would turn a slowdown into an outage;
the cache and a task queue nobody works on are reported as ``degraded``.

``/metrics`` is written by prometheus_client: the request counters of
observe.py and, read at scrape time, the newsroom's gauges. It is for the operator: with
``METRICS_TOKEN`` set it needs ``Authorization: Bearer <token>``; without, it
answers only clients on this machine (the proxy config refuses it publicly).
"""

from __future__ import annotations

import datetime
import hmac
import time
import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from dateline.digests.models import Delivery, DigestIssue
from dateline.lib.http import client_ip
from dateline.newsletter.models import Subscriber
from dateline.ops import observe

# A task waiting longer than this means no worker is taking tasks.
STALE_TASK = datetime.timedelta(minutes=10)
LOOPBACK = frozenset({"127.0.0.1", "::1"})


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return {"status": "down", "error": str(error).splitlines()[0][:200]}
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 2)}


def _check_cache() -> dict[str, Any]:
    key, value = "readyz:probe", uuid.uuid4().hex
    try:
        cache.set(key, value, 30)
        ok = cache.get(key) == value
    except Exception as error:  # any cache failure is "degraded"
        return {"status": "degraded", "error": str(error)[:200]}
    return {"status": "ok"} if ok else {"status": "degraded", "error": "the cache kept nothing"}


def _ready_tasks() -> Any:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready()


def _check_tasks() -> dict[str, Any]:
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        return {"status": "ok", "backend": "inline"}
    try:
        ready = _ready_tasks()
        depth = ready.count()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    except DatabaseError as error:
        return {"status": "down", "error": str(error).splitlines()[0][:200]}
    result: dict[str, Any] = {"status": "ok", "depth": depth}
    if oldest is not None and timezone.now() - oldest > STALE_TASK:
        result.update(status="degraded", error="tasks wait: is `dateline worker` running?")
    return result


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    checks = {"database": _check_database(), "cache": _check_cache(), "tasks": _check_tasks()}
    statuses = {c["status"] for c in checks.values()}
    overall = "down" if "down" in statuses else "degraded" if "degraded" in statuses else "ok"
    status = 503 if checks["database"]["status"] == "down" else 200
    return JsonResponse({"status": overall, "checks": checks}, status=status)


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    # The client behind a trusted proxy, not the proxy on this machine.
    return client_ip(request) in LOOPBACK


class NewsroomCollector(Collector):
    """What the database says at scrape time: the task queue, digests and subscribers."""

    def collect(self) -> Iterator[Metric]:
        depth = _check_tasks().get("depth", 0)
        yield GaugeMetricFamily("dateline_task_queue_depth", "Tasks ready to run.", value=depth)

        recent = timezone.now() - datetime.timedelta(days=30)
        deliveries = GaugeMetricFamily(
            "dateline_digest_deliveries",
            "Deliveries of the issues of the last 30 days, by state.",
            labels=["state"],
        )
        by_state = (
            Delivery.objects.filter(issue__slot_at__gte=recent)
            .values("state")
            .annotate(n=Count("id"))
            .order_by("state")
        )
        for row in by_state:
            deliveries.add_metric([row["state"]], row["n"])
        yield deliveries

        sending = DigestIssue.objects.filter(
            status__in=[DigestIssue.Status.APPROVED, DigestIssue.Status.SENDING]
        )
        last_minute = Delivery.objects.filter(
            issue__in=sending,
            state=Delivery.State.SENT,
            sent_at__gte=timezone.now() - datetime.timedelta(seconds=60),
        ).count()
        yield GaugeMetricFamily(
            "dateline_digest_send_rate",
            "Messages accepted by the relay per second, over the last minute.",
            value=round(last_minute / 60, 2),
        )

        subscribers = GaugeMetricFamily(
            "dateline_subscribers", "Newsletter subscribers by status.", labels=["status"]
        )
        by_status = Subscriber.objects.values("status").annotate(n=Count("id")).order_by("status")
        for row in by_status:
            subscribers.add_metric([row["status"]], row["n"])
        yield subscribers


def scrape_registry() -> CollectorRegistry:
    """The request counts of every worker process of this server, and the newsroom's."""
    registry = CollectorRegistry(auto_describe=False)
    if observe.multiprocess_dir():
        MultiProcessCollector(registry)
    else:  # one process (tests, `dateline runserver`): its own counts are all there is
        registry.register(observe.REGISTRY)
    registry.register(NewsroomCollector())
    return registry


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    # Prometheus' text format, or OpenMetrics when the scraper asks for it.
    encoder, content_type = choose_encoder(request.META.get("HTTP_ACCEPT", ""))
    return HttpResponse(encoder(scrape_registry()), content_type=content_type)
