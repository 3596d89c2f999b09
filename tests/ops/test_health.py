"""/healthz, /readyz, /metrics, request ids, JSON logs and the security headers."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.utils.module_loading import import_string

from dateline.lib.security import ADMIN_POLICY, INLINE_STYLE_POLICY, SITE_POLICY
from dateline.ops import observe
from dateline.ops.observe import RequestIdFilter
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def counted(method: str, status: str) -> float:
    """Requests counted in this process so far (counters only grow: tests take deltas)."""
    sample = observe.REGISTRY.get_sample_value(
        "dateline_http_requests_total", {"method": method, "status": status}
    )
    return sample or 0.0


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_checks_database_cache_and_tasks(client):
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "ok"
    assert body["checks"]["tasks"]["status"] == "ok"


def test_readyz_with_the_cache_down_is_degraded_not_down(client, settings):
    # A real Redis client pointed at a port nothing listens on.
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "IGNORE_EXCEPTIONS": True},
        },
    }
    # (Django's test signals rebuild the cache handlers when CACHES changes.)
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["checks"]["cache"]["status"] == "degraded"


def test_readyz_without_the_database_says_503():
    # A separate process whose DATABASE_URL points at a port nothing listens on.
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "DJANGO_SETTINGS_MODULE": "dateline.settings",
    }
    env.pop("REDIS_URL", None)
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/readyz', HTTP_HOST='127.0.0.1');"
        "print(json.dumps({'status': r.status_code, 'body': json.loads(r.content)}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 503
    assert result["body"]["checks"]["database"]["status"] == "down"


def test_metrics_count_requests_and_report_the_newsletter(client, world, settings):
    article = make_article(world, "Dam agreement signed")
    before = counted("GET", "4xx")
    client.get(article.url)
    client.get(article.url)  # answered by the page cache's middleware
    client.get("/no-such-page/")
    text = client.get("/metrics").content.decode()
    assert "# TYPE dateline_http_requests_total counter" in text
    assert 'dateline_http_requests_total{method="GET",status="2xx"}' in text
    assert f'dateline_http_requests_total{{method="GET",status="4xx"}} {before + 1}' in text
    assert "dateline_task_queue_depth" in text
    assert "dateline_digest_send_rate 0" in text


def test_metrics_read_by_prometheus_own_parser(client, world):
    # prometheus_client's text parser, as a scraper reads the page.
    from prometheus_client.parser import text_string_to_metric_families

    from dateline.newsletter.models import Subscriber

    Subscriber.objects.create(email="ana@example.org", status=Subscriber.Status.ACTIVE)
    client.get("/no-such-page/")
    client.head("/healthz")
    families = {f.name: f for f in text_string_to_metric_families(client.get("/metrics").text)}
    assert families["dateline_http_requests"].type == "counter"
    requests = {
        (s.labels["method"], s.labels["status"]): s.value
        for s in families["dateline_http_requests"].samples
    }
    assert requests[("GET", "4xx")] == counted("GET", "4xx") >= 1
    assert requests[("HEAD", "2xx")] == counted("HEAD", "2xx") >= 1
    [seconds] = families["dateline_http_request_seconds"].samples
    assert seconds.name == "dateline_http_request_seconds_total" and seconds.value > 0
    assert families["dateline_task_queue_depth"].type == "gauge"
    subscribers = {s.labels["status"]: s.value for s in families["dateline_subscribers"].samples}
    assert subscribers["active"] == Subscriber.objects.filter(status="active").count() >= 1
    assert families["dateline_digest_send_rate"].samples[0].value == 0


def test_metrics_speak_openmetrics_when_asked(client):
    response = client.get("/metrics", HTTP_ACCEPT="application/openmetrics-text; version=1.0.0")
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")


def test_cache_hits_answered_before_django_are_counted(world):
    from dateline.lib.pagecache import PageCacheApp
    from dateline.wsgi import django_application

    article = make_article(world, "Dam agreement signed")
    app = PageCacheApp(django_application)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": article.url,
        "HTTP_HOST": "localhost",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
    }
    heard: list[tuple[str, list[tuple[str, str]]]] = []
    before = counted("GET", "2xx")

    def start_response(status, headers, exc_info=None):
        heard.append((status, headers))

    # As Django's test client does: the WSGI handler would otherwise close the test's
    # database connection at the end of each request (PostgreSQL notices).
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        for _ in range(3):
            b"".join(app(dict(environ), start_response))
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    hits = [dict(h) for status, h in heard if dict(h).get("X-Cache") == "hit"]
    assert hits, "the page cache answered nothing"
    assert all(len(h["X-Request-ID"]) == 32 for h in hits)
    assert hits[0]["X-Request-ID"] != hits[-1]["X-Request-ID"] or len(hits) == 1
    assert counted("GET", "2xx") - before == 3


def test_metrics_need_the_token_or_this_machine(world, settings):
    settings.METRICS_TOKEN = "s3cret-metrics"
    assert Client().get("/metrics").status_code == 403
    ok = Client(HTTP_AUTHORIZATION="Bearer s3cret-metrics").get("/metrics")
    assert ok.status_code == 200 and ok["Content-Type"].startswith("text/plain")
    settings.METRICS_TOKEN = ""
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 403
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 200


def test_request_ids_come_from_the_proxy_or_are_made(client):
    given = client.get("/healthz", HTTP_X_REQUEST_ID="a1b2c3d4e5f6a7b8")
    assert given["X-Request-ID"] == "a1b2c3d4e5f6a7b8"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert made["X-Request-ID"] != "<script>" and len(made["X-Request-ID"]) == 32


def json_log_line(record: logging.LogRecord, settings) -> dict:
    """``record`` as the JSON formatter that LOGGING configures writes it."""
    spec = dict(settings.LOGGING["formatters"]["json"])
    formatter = import_string(spec.pop("()"))(**spec)
    RequestIdFilter().filter(record)
    return json.loads(formatter.format(record))


def test_json_log_lines_carry_the_request_id(settings):
    record = logging.LogRecord(
        "dateline", logging.WARNING, __file__, 1, "Relay %s", ("down",), None
    )
    token = observe.REQUEST_ID.set("req-12345678")
    try:
        line = json_log_line(record, settings)
    finally:
        observe.REQUEST_ID.reset(token)
    assert set(line) == {"time", "level", "logger", "message", "request_id"}
    assert line["message"] == "Relay down" and line["request_id"] == "req-12345678"
    assert (line["level"], line["logger"]) == ("WARNING", "dateline")


def test_json_log_lines_outside_a_request_and_with_a_traceback(settings):
    try:
        raise ValueError("the relay said no")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("dateline", logging.ERROR, __file__, 1, "Crash", (), exc_info)
    line = json_log_line(record, settings)
    assert set(line) == {"time", "level", "logger", "message", "exception"}
    assert "ValueError: the relay said no" in line["exception"]
    assert line["time"][:2] == "20" and line["time"][-5] in "+-"  # ISO 8601 with the offset


def test_security_headers_on_pages_admin_and_mail_like_pages(client, world, admin_client):
    article = make_article(world, "Dam agreement signed")
    page = client.get(article.url)
    assert page["Content-Security-Policy"].startswith(SITE_POLICY)
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "camera=()" in page["Permissions-Policy"]
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"]
    again = client.get(article.url)  # from the page cache: the same headers
    assert again["Content-Security-Policy"] == page["Content-Security-Policy"]
    assert admin_client.get("/admin/")["Content-Security-Policy"] == ADMIN_POLICY
    from django.test import RequestFactory

    from dateline.newsroom.errors import server_error

    assert server_error(RequestFactory().get("/"))["Content-Security-Policy"] == (
        INLINE_STYLE_POLICY
    )
