"""Answers every reader request asks the database for, kept per server process.

Before a page is rendered Wagtail asks which Site the host belongs to, fetches that
site's home page to route from, and checks the page and each of its ancestors for
view restrictions: four queries that give the same answer to every request. They
change only when an editor edits a site, publishes or moves a page, or restricts
one, and each of those starts a new page-cache generation (newsroom/signals.py).
So each process keeps the answers for as long as the generation it read them in
lasts, and asks again after a change reaches it (PAGE_CACHE_GENERATION_SECONDS).

The same holds for an article and what its page loads (authors, sources, tags, its
section and lead photo, its related stories): HomePage.route and
ArticlePage.related_stories keep them the same way, so a render the page cache cannot
answer (a reader with a session cookie, an unknown query string) asks the database
only for the comments. Edits to an author or a photo start a new generation too.

With the cache down there is no generation to trust: every request asks the
database, as Wagtail does on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from wagtail.models import Page, PageViewRestriction, Site

from dateline.lib import pagecache

_lock = threading.Lock()
# generation -> {name: answer} for for_generation(); only the current generation is kept.
_answers: dict[str, dict[str, Any]] = {}
# Past this many answers a generation stops keeping new ones (a flood of made-up Host
# headers where ALLOWED_HOSTS lets them through must not grow memory).
MOST_ANSWERS = 1000
# How many answers of each kind the current generation holds (see for_generation).
_kinds: dict[str, int] = {}
T = TypeVar("T")


def _current() -> str | None:
    return pagecache.current_generation()


def site_for(request: HttpRequest) -> Site | None:
    """The request's Site with its home page loaded, as Site.find_for_request finds it."""
    hostname = split_domain_port(request._get_raw_host())[0]  # type: ignore[attr-defined]

    def find() -> Site | None:
        site = Site._find_for_request(request)
        if site is not None:
            # Load the home page (and its specific class) once, not on every request:
            # Wagtail routes from site.root_page.localized.specific.
            site.root_page.specific  # noqa: B018 - the attribute access caches it
        return site

    return for_generation(f"site {hostname}:{request.get_port()}", find)


def for_generation(name: str, compute: Callable[[], T], most: int = MOST_ANSWERS) -> T:
    """``compute()``, asked once per page-cache generation in this process.

    At most ``most`` answers of one kind (the name's first word) are kept: an article
    with what its page loaded weighs some 40 KB, and a crawler walking the archive
    must not make each process keep them all.
    """
    generation = _current()
    if generation is None:
        return compute()
    known = _answers.get(generation)
    if known is not None and name in known:
        return known[name]
    answer = compute()
    kind = name.partition(" ")[0]
    with _lock:
        if generation not in _answers:
            _answers.clear()
            _answers[generation] = {}
            _kinds.clear()
        kept = _kinds.get(kind, 0)
        if kept < most and len(_answers[generation]) < MOST_ANSWERS:
            _answers[generation][name] = answer
            _kinds[kind] = kept + 1
    return answer


def restrictions_exist() -> bool:
    """Whether any page on any site is restricted (login, password or groups).

    Most publications restrict nothing; then no page needs its ancestors checked.
    """
    return for_generation("restricted", PageViewRestriction.objects.exists)


class QuickViewRestrictions:
    """For reader page models: their view restrictions without a query when there are none.

    Wagtail checks the restrictions of every page it serves, and of its ancestors.
    """

    def get_view_restrictions(self) -> QuerySet[PageViewRestriction]:
        if not restrictions_exist():
            return PageViewRestriction.objects.none()
        return Page.get_view_restrictions(self)


def public(queryset: Any) -> Any:
    """``queryset.public()``, without its restrictions query when nothing is restricted."""
    return queryset.public() if restrictions_exist() else queryset


def serve(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's page view, handed the request's Site from this process's copy.

    A view rather than a middleware: only requests for pages ask, so /readyz, the
    admin and the APIs never touch the database for it.
    """
    # Imported here: wagtail.views needs the models loaded, and models.py imports us.
    from wagtail import views as wagtail_views

    request._wagtail_site = site_for(request)  # type: ignore[attr-defined]
    return wagtail_views.serve(request, path)
