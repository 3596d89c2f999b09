"""The anonymous page cache, driven through the real WSGI entry point."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from wagtail.models import PageViewRestriction

from dateline.lib import pagecache
from dateline.newsroom import pageviews
from dateline.newsroom.models import PageViewDay
from dateline.ops import observe
from tests.factories import make_article
from tests.helpers.wsgi import wsgi_get

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_test_connection")]


@pytest.fixture
def article(world):
    return make_article(world, photo=True)


def test_a_repeat_view_is_answered_from_the_cache_without_queries(
    article, django_assert_num_queries
):
    first = wsgi_get(article.url)
    assert first.status == 200
    assert "x-cache" not in first.headers
    with django_assert_num_queries(0):
        second = wsgi_get(article.url)
    assert second.status == 200
    assert second.headers["x-cache"] == "hit"
    assert second.body == first.body
    assert second.headers["etag"] == first.headers["etag"]


def test_responses_carry_cache_headers(article):
    response = wsgi_get(article.url)
    assert "public" in response.headers["cache-control"]
    assert "max-age=60" in response.headers["cache-control"]
    assert response.headers["etag"].startswith('"')


@time_machine.travel("2026-11-20 08:00:00", tick=False)
def test_it_answers_a_matching_etag_with_304_on_both_paths(article):
    # The clock stands still: the newsletter box's form stamp changes every second.
    etag = wsgi_get(article.url).headers["etag"]
    cached = wsgi_get(article.url, HTTP_IF_NONE_MATCH=etag)
    assert cached.status == 304
    assert cached.body == b""
    pagecache.invalidate()
    rendered = wsgi_get(article.url, HTTP_IF_NONE_MATCH=etag)
    assert rendered.status == 304


def test_publishing_a_story_refreshes_the_home_page(world, article):
    before = wsgi_get("/")
    assert wsgi_get("/").headers.get("x-cache") == "hit"
    make_article(world, "Lighthouse keepers vote to strike")
    after = wsgi_get("/")
    assert "x-cache" not in after.headers
    assert b"Lighthouse keepers vote to strike" in after.body
    assert b"Lighthouse keepers vote to strike" not in before.body


def test_unpublishing_a_story_removes_it_from_cached_pages(world, article):
    assert article.title.encode() in wsgi_get("/").body
    article.unpublish()
    assert wsgi_get(article.url).status == 404
    assert article.title.encode() not in wsgi_get("/").body


def test_an_editor_with_a_session_never_gets_the_cached_page(article):
    wsgi_get(article.url)
    response = wsgi_get(article.url, HTTP_COOKIE="sessionid=abc")
    assert "x-cache" not in response.headers


def test_errors_and_posts_are_not_cached(home):
    wsgi_get("/no-such-page/")
    assert wsgi_get("/no-such-page/").status == 404
    assert "x-cache" not in wsgi_get("/no-such-page/").headers
    assert "x-cache" not in wsgi_get("/", method="POST").headers


def test_head_gets_headers_without_a_body(article):
    wsgi_get(article.url)
    response = wsgi_get(article.url, method="HEAD")
    assert response.headers["x-cache"] == "hit"
    assert response.body == b""


def test_views_are_counted_on_cached_hits_too(article, settings):
    settings.PAGE_VIEW_FLUSH_SECONDS = 3600
    for _ in range(3):
        wsgi_get(article.url)
    assert pageviews.pending().get(article.pk) == 3
    assert pageviews.flush() == 3
    assert PageViewDay.objects.get(page_id=article.pk).views == 3
    wsgi_get(article.url)
    pageviews.flush()
    assert PageViewDay.objects.get(page_id=article.pk).views == 4


def test_a_hit_carries_the_proxys_request_id_as_django_would(article):
    # ops registers its request-id reader with the page cache (OpsConfig.ready).
    wsgi_get(article.url)
    hit = wsgi_get(article.url, HTTP_X_REQUEST_ID="a1b2c3d4e5f6a7b8")
    assert hit.headers["x-cache"] == "hit"
    assert hit.headers["x-request-id"] == "a1b2c3d4e5f6a7b8"


def test_without_the_apps_hooks_the_cache_counts_nothing(article, monkeypatch, settings):
    # lib imports no app: what it counts, it counts through what the apps registered.
    settings.PAGE_VIEW_FLUSH_SECONDS = 3600
    monkeypatch.setattr(pagecache, "HOOKS", pagecache.Hooks())
    wsgi_get(article.url)
    tallied = observe.REGISTRY.get_sample_value(
        "dateline_http_requests_total", {"method": "GET", "status": "2xx"}
    )
    hit = wsgi_get(article.url, HTTP_X_REQUEST_ID="a1b2c3d4e5f6a7b8")
    assert hit.headers["x-cache"] == "hit"
    assert article.pk not in pageviews.pending()
    assert (
        observe.REGISTRY.get_sample_value(
            "dateline_http_requests_total", {"method": "GET", "status": "2xx"}
        )
        == tallied
    )
    assert hit.headers["x-request-id"] != "a1b2c3d4e5f6a7b8"
    assert len(hit.headers["x-request-id"]) == 32


def test_a_broken_cache_costs_the_cache_not_the_page(article, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache is down")

    class BrokenCache:
        get = set = add = get_many = broken

    wsgi_get(article.url)
    pagecache.forget_local()
    monkeypatch.setattr(pagecache, "cache", BrokenCache())
    response = wsgi_get(article.url)
    assert response.status == 200
    assert article.title.encode() in response.body


def test_cache_hits_keep_the_security_headers(article):
    first = wsgi_get(article.url)
    hit = wsgi_get(article.url)
    assert hit.headers["x-cache"] == "hit"
    for header in ("x-frame-options", "x-content-type-options", "referrer-policy"):
        assert hit.headers[header] == first.headers[header]


def test_tracking_parameters_share_the_pages_entry(article):
    wsgi_get(article.url)
    response = wsgi_get(article.url, QUERY_STRING="utm_source=newsletter&utm_medium=email")
    assert response.headers.get("x-cache") == "hit"


def test_unknown_parameters_are_never_cached(article):
    for _ in range(2):
        response = wsgi_get(article.url, QUERY_STRING="x=1")
        assert response.status == 200
        assert "x-cache" not in response.headers


def test_another_process_sees_a_publish_within_the_generation_lifetime(world, article, settings):
    settings.PAGE_CACHE_GENERATION_SECONDS = 3600
    wsgi_get("/")
    # Another process publishes: the shared generation changes, this process's copy not.
    pagecache.cache.set(pagecache.GENERATION_KEY, "from-another-process", timeout=None)
    assert wsgi_get("/").headers.get("x-cache") == "hit"
    settings.PAGE_CACHE_GENERATION_SECONDS = 0
    assert "x-cache" not in wsgi_get("/").headers


def test_restricting_a_section_takes_its_cached_articles_away_at_once(world, article):
    wsgi_get(article.url)
    assert wsgi_get(article.url).headers["x-cache"] == "hit"

    restriction = PageViewRestriction.objects.create(
        page=world, restriction_type=PageViewRestriction.LOGIN
    )
    hidden = wsgi_get(article.url)
    assert hidden.status == 302
    assert "login" in hidden.headers["location"]
    assert wsgi_get(world.url).status == 302

    restriction.delete()
    assert wsgi_get(article.url).status == 200


@pytest.fixture
def hsts(settings):
    """An https site: Django's SecurityMiddleware reads these when it is built."""
    from dateline.wsgi import django_application

    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    django_application.load_middleware()
    yield
    settings.SECURE_HSTS_SECONDS = 0
    settings.SECURE_PROXY_SSL_HEADER = None
    django_application.load_middleware()


def test_a_page_first_rendered_over_http_gets_hsts_when_served_over_https(article, hsts):
    plain = wsgi_get(article.url)
    assert "strict-transport-security" not in plain.headers
    hit = wsgi_get(article.url, HTTP_X_FORWARDED_PROTO="https")
    assert hit.headers["x-cache"] == "hit"
    assert hit.headers["strict-transport-security"] == "max-age=31536000"
    revalidated = wsgi_get(
        article.url, HTTP_X_FORWARDED_PROTO="https", HTTP_IF_NONE_MATCH=hit.headers["etag"]
    )
    assert revalidated.status == 304
    assert revalidated.headers["strict-transport-security"] == "max-age=31536000"


def test_a_page_first_rendered_over_https_gives_no_hsts_to_plain_http(article, hsts):
    first = wsgi_get(article.url, HTTP_X_FORWARDED_PROTO="https")
    assert first.headers["strict-transport-security"] == "max-age=31536000"
    hit = wsgi_get(article.url)
    assert hit.headers["x-cache"] == "hit"
    assert "strict-transport-security" not in hit.headers


@pytest.mark.parametrize("cached", [False, True], ids=["rendered", "from the cache"])
@pytest.mark.parametrize(
    ("peer", "https"), [("10.0.0.7", True), ("203.0.113.9", False)], ids=["proxy", "stranger"]
)
def test_only_a_trusted_proxy_says_the_reader_used_https(
    settings, article, hsts, peer, https, cached
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    if cached:
        wsgi_get(article.url)
    answer = wsgi_get(article.url, REMOTE_ADDR=peer, HTTP_X_FORWARDED_PROTO="https")
    assert answer.status == 200
    assert (answer.headers.get("x-cache") == "hit") is cached
    # HSTS goes only on https answers (SecurityMiddleware, and the cache on its hits).
    assert ("strict-transport-security" in answer.headers) is https
