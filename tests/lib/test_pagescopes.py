"""Page-cache entries that depend on a scope or on the clock (dateline/lib/pagescopes.py).

Driven through the page cache's middleware with views of the test's own, so that what
a view declares is all the entry depends on.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import time_machine
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from dateline.lib import pagecache, pagescopes

pytestmark = pytest.mark.django_db


def render(path: str, view: Callable[[HttpRequest], HttpResponse]) -> HttpResponse:
    response = pagecache.PageCacheMiddleware(view)(RequestFactory().get(path))
    assert isinstance(response, HttpResponse)
    return response


def cached(path: str) -> bool:
    return pagecache.lookup("testserver", path, "") is not None


def scoped(*scopes: str, body: bytes = b"<p>page</p>") -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        pagescopes.depends_on(request, *scopes)
        return HttpResponse(body)

    return view


def test_a_scope_bump_renews_its_pages_only() -> None:
    site_generation = pagecache.current_generation()
    render("/blog/", scoped("live:1"))
    render("/other-blog/", scoped("live:2"))
    render("/article/", scoped())
    pagecache.invalidate(scope="live:1")
    assert not cached("/blog/")
    assert cached("/other-blog/")
    assert cached("/article/")
    assert pagecache.current_generation() == site_generation


def test_a_site_generation_still_renews_scoped_pages() -> None:
    render("/blog/", scoped("live:1"))
    pagecache.invalidate()
    assert not cached("/blog/")


def test_a_change_during_the_render_leaves_the_entry_stale_at_once() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        pagescopes.depends_on(request, "live:1")
        pagecache.invalidate(scope="live:1")  # a post lands while the page renders
        return HttpResponse(b"<p>without the post</p>")

    render("/blog/", view)
    assert not cached("/blog/")


def test_every_scope_named_must_be_current() -> None:
    render("/both/", scoped("live:1", "live:lists"))
    assert cached("/both/")
    pagecache.invalidate(scope="live:lists")
    assert not cached("/both/")


def test_a_process_reads_all_its_scopes_in_one_request_per_period(settings, monkeypatch) -> None:
    render("/a/", scoped("live:1"))
    render("/b/", scoped("live:2"))
    calls: list[list[str]] = []
    get_many = cache.get_many

    def counting(keys, *args, **kwargs):
        calls.append(sorted(keys))
        return get_many(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", counting)
    settings.PAGE_CACHE_GENERATION_SECONDS = 3600
    for _ in range(5):
        assert cached("/a/") and cached("/b/")
    assert calls == []  # within the period: this process's copy
    settings.PAGE_CACHE_GENERATION_SECONDS = 0
    assert cached("/a/")
    assert calls == [sorted(pagescopes.SCOPE_PREFIX + s for s in ("live:1", "live:2"))]


def test_a_scoped_page_is_revalidated_by_browsers_and_kept_a_second_by_proxies() -> None:
    response = render("/blog/", scoped("live:1"))
    assert {"public", "max-age=0", "s-maxage=1"} <= {
        d.strip() for d in response["Cache-Control"].split(",")
    }


def test_an_entry_is_not_served_past_the_moment_its_page_changes() -> None:
    start = time.time()

    def view(request: HttpRequest) -> HttpResponse:
        pagescopes.changes_at(request, start + 120)
        pagescopes.changes_at(request, start + 60)  # the earliest moment counts
        return HttpResponse(b"<p>until a minute from now</p>")

    with time_machine.travel(start, tick=False):
        render("/timed/", view)
        assert cached("/timed/")
    # Still in this process's memory and in the shared cache (stored for 61 s), and
    # refused by both.
    with time_machine.travel(start + 60.5, tick=False):
        assert cache.get(pagecache.entry_key("testserver", "/timed/", "")) is not None
        assert not cached("/timed/")
        pagecache.forget_local()
        assert not cached("/timed/")


def test_a_page_rendered_as_its_moment_passed_is_not_kept() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        pagescopes.changes_at(request, time.time() - 1)
        return HttpResponse(b"<p>already changed</p>")

    render("/late/", view)
    assert not cached("/late/")


def test_with_the_cache_down_a_scoped_page_is_served_and_not_kept(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", broken)
    response = render("/blog/", scoped("live:1", body=b"<p>still served</p>"))
    assert response.content == b"<p>still served</p>"
    monkeypatch.undo()
    assert not cached("/blog/")


def test_the_proxy_lifetime_has_its_own_setting(settings) -> None:
    settings.PAGE_CACHE_PROXY_SECONDS = 2
    response = render("/article/", scoped())
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "max-age=60", "s-maxage=2"} <= directives
    # Our own entry still lives PAGE_CACHE_SECONDS: the proxy's 304s come from it.
    assert cached("/article/")
