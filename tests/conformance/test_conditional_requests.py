"""Conditional requests by RFC 9110 section 13 on pages, feeds and sitemaps.

Each case is asked three ways: answered from the page cache (the WSGI fast path),
rendered afresh (the page cache's middleware), and for a reader with a session
cookie, whose pages are never cached (Django's ConditionalGetMiddleware).
"""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from dateline.newsroom import pageviews
from tests.conformance.helpers import Site, forget_cached_pages, url_of
from tests.helpers.wsgi import wsgi_get

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_test_connection")]

DAY = 24 * 3600
TARGETS = ["article", "section", "feed", "sitemap"]
MODES = ["cached", "uncached", "personal"]


def conditions(etag: str, last_modified: str) -> dict[str, tuple[dict[str, str], int]]:
    """Request headers and the status RFC 9110 asks for, by case."""
    modified = parse_http_date(last_modified)
    return {
        "exact": ({"HTTP_IF_NONE_MATCH": etag}, 304),
        "weak": ({"HTTP_IF_NONE_MATCH": "W/" + etag}, 304),
        "list": ({"HTTP_IF_NONE_MATCH": f'"elsewhere", W/"older", {etag}'}, 304),
        "star": ({"HTTP_IF_NONE_MATCH": "*"}, 304),
        "no match": ({"HTTP_IF_NONE_MATCH": '"elsewhere", "older"'}, 200),
        "since equal": ({"HTTP_IF_MODIFIED_SINCE": last_modified}, 304),
        "since later": ({"HTTP_IF_MODIFIED_SINCE": http_date(modified + DAY)}, 304),
        "since earlier": ({"HTTP_IF_MODIFIED_SINCE": http_date(modified - DAY)}, 200),
        # If-Modified-Since counts only without If-None-Match (section 13.1.3).
        "no match, since later": (
            {"HTTP_IF_NONE_MATCH": '"elsewhere"', "HTTP_IF_MODIFIED_SINCE": http_date(modified)},
            200,
        ),
    }


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("target", TARGETS)
def test_conditional_requests(
    site: Site, target: str, mode: str, django_assert_num_queries: Any
) -> None:
    url = url_of(site, target)
    extra = {"HTTP_COOKIE": "sessionid=someone"} if mode == "personal" else {}
    # The clock stands still: an article's comment form carries the second it was
    # rendered, and each render here should be the page the first one was.
    with time_machine.travel(timezone.now(), tick=False):
        check_each_case(url, mode, extra, django_assert_num_queries)


def check_each_case(url: str, mode: str, extra: dict[str, str], assert_queries: Any) -> None:
    full = wsgi_get(url, **extra)
    assert full.status == 200
    etag, last_modified = full.headers["etag"], full.headers["last-modified"]
    wrong = []
    for case, (headers, expected) in conditions(etag, last_modified).items():
        if mode == "uncached":
            forget_cached_pages()
        if mode == "cached":
            with assert_queries(0):
                answer = wsgi_get(url, **headers)
        else:
            answer = wsgi_get(url, **extra, **headers)
        if answer.status != expected:
            wrong.append(f"{case}: {answer.status}, not {expected} ({headers})")
        elif expected == 304:
            assert answer.body == b""
            assert answer.headers["etag"] == etag
            assert answer.headers["last-modified"] == last_modified
        else:
            assert answer.body == full.body
    assert not wrong, f"{url} ({mode}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("mode", ["cached", "uncached"])
def test_a_304_is_not_a_page_view(site: Site, settings: Any, mode: str) -> None:
    settings.PAGE_VIEW_COUNTING = "server"
    # A still clock, so that a fresh render is the page the first one was (see above).
    with time_machine.travel(timezone.now(), tick=False):
        views_after_304(site, mode)


def views_after_304(site: Site, mode: str) -> None:
    first = wsgi_get(site.article.url)
    assert pageviews.pending() == {site.article.pk: 1}
    if mode == "uncached":
        forget_cached_pages()
    again = wsgi_get(site.article.url, HTTP_IF_NONE_MATCH=first.headers["etag"])
    assert again.status == 304
    assert pageviews.pending() == {site.article.pk: 1}
    assert wsgi_get(site.article.url).status == 200
    assert pageviews.pending() == {site.article.pk: 2}


def test_articles_say_when_they_last_changed(site: Site) -> None:
    response = wsgi_get(site.article.url)
    assert site.article.date_modified is not None
    assert parse_http_date(response.headers["last-modified"]) == int(
        site.article.date_modified.timestamp()
    )


def test_a_failed_if_match_is_a_412_from_the_cache_too(site: Site) -> None:
    assert wsgi_get(site.article.url).status == 200
    answer = wsgi_get(site.article.url, HTTP_IF_MATCH='"elsewhere"')
    assert answer.status == 412
    assert answer.body == b""


def test_if_match_is_evaluated_before_a_matching_if_none_match(site: Site) -> None:
    # RFC 9110 13.2.2: a failed If-Match is a 412 even when If-None-Match names the page.
    etag = wsgi_get(site.article.url).headers["etag"]
    answer = wsgi_get(site.article.url, HTTP_IF_MATCH='"elsewhere"', HTTP_IF_NONE_MATCH=etag)
    assert answer.status == 412


def test_a_compressed_copy_is_revalidated_by_its_own_tag(site: Site) -> None:
    full = wsgi_get(site.article.url, HTTP_ACCEPT_ENCODING="br")
    assert full.headers["content-encoding"] == "br"
    again = wsgi_get(
        site.article.url, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=full.headers["etag"]
    )
    assert again.status == 304
    assert again.headers["etag"] == full.headers["etag"]
