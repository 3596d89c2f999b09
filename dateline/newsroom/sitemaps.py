"""Sitemaps for search engines, a Google News sitemap, and robots.txt pointing at both.

* /sitemap.xml is a sitemap index of /sitemap-fronts.xml (the home page and the
  sections) and /sitemap-articles-1.xml, -2.xml …, every live article, at most
  ARTICLES_PER_FILE to a file: the sitemaps protocol allows 50,000 URLs a file,
  and a newsroom passes that within a few years.
* /news-sitemap.xml is a sitemap index of /news-sitemap-1.xml, -2.xml …, which
  list the articles published in the last two days, at most 1,000 to a file, as
  Google News asks (developers.google.com/search/docs/crawling-indexing/sitemaps/
  news-sitemap).
* Other apps' story pages (live blogs) are listed like articles, in files of their
  own (/sitemap-<name>-1.xml …) and in the news sitemap: they ``register_stories``
  from their AppConfig.ready(), as the newsroom cannot import them (decision 0011).

All URLs are absolute on BASE_URL rather than on the host the request came in on,
so a sitemap fetched through a proxy or an internal address still names the
public site.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.db.models.functions import Length, Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import URLPattern, path, re_path
from django.utils import timezone
from django.views.decorators.http import require_safe
from wagtail.models import Page

from dateline.lib import pagescopes
from dateline.lib.dates import machine_datetime
from dateline.newsroom.feeds import page_path
from dateline.newsroom.models import ArticlePage, HomePage, SectionPage, with_last_modified

# Google News: only articles from the last two days, at most 1,000 per file.
NEWS_WINDOW = datetime.timedelta(days=2)
NEWS_URLS_PER_FILE = 1000

XML = "application/xml"
# Sitemaps are for crawlers; they should not turn up as search results themselves.
NO_INDEX = "noindex, noodp, noarchive"


# /sitemap.xml ------------------------------------------------------------------


class BaseUrlSitemap(Sitemap):
    """A sitemap whose URLs are on BASE_URL, whatever host the request used."""

    def __init__(self, request: HttpRequest) -> None:
        # Wagtail caches the site root paths on the request: one lookup per
        # sitemap instead of one per page.
        self.request = request

    def get_protocol(self, protocol: str | None = None) -> str:
        return settings.BASE_URL.split("://", 1)[0]

    def get_domain(self, site: Any = None) -> str:
        # Everything after the scheme, so a BASE_URL with a path prefix keeps it.
        return settings.BASE_URL.split("://", 1)[1]

    def location(self, item: Page) -> str:
        return page_path(item, self.request) or "/"

    def lastmod(self, item: Any) -> datetime.datetime | None:
        value = self._lastmod(item)
        return value.replace(microsecond=0) if value else None

    def _lastmod(self, item: Any) -> datetime.datetime | None:
        raise NotImplementedError


class FrontSitemap(BaseUrlSitemap):
    """The home page and the section fronts, which change whenever a story is added."""

    def items(self) -> list[Page]:
        home = HomePage.objects.live().public().first()
        sections = SectionPage.objects.live().public().order_by("path")
        return [home, *sections] if home else list(sections)

    def _lastmod(self, item: Page) -> datetime.datetime | None:
        latest = self._latest_story_by_section()
        if isinstance(item, HomePage):
            stories = [d for path, d in latest.items() if path.startswith(item.path)]
        else:
            stories = [latest[item.path]] if item.path in latest else []
        dates = [d for d in (item.last_published_at, *stories) if d]
        return max(dates) if dates else None

    def _latest_story_by_section(self) -> dict[str, datetime.datetime]:
        """The newest article publish per parent path, in one grouped query."""
        if not hasattr(self, "_latest"):
            rows = (
                ArticlePage.objects.live()
                .public()
                .annotate(parent_path=Substr("path", 1, Length("path") - Page.steplen))
                .values("parent_path")
                .annotate(latest=Max("last_published_at"))
                .order_by()
            )
            self._latest = {row["parent_path"]: row["latest"] for row in rows}
        return self._latest


class ArticleSitemap(BaseUrlSitemap):
    def items(self) -> QuerySet[ArticlePage]:
        # Bodies are the bulk of a row and a sitemap never reads them; corrections
        # feed date_modified, prefetched per page of up to 50,000 articles.
        return (
            ArticlePage.objects.live()
            .public()
            .defer_streamfields()
            .prefetch_related("corrections")
            .order_by("-published_at", "-pk")
        )

    def _lastmod(self, item: ArticlePage) -> datetime.datetime | None:
        return item.date_modified


# The sitemaps protocol's limit (sitemaps.org/protocol.html), less a margin for the
# fronts if they ever shared a file.
ARTICLES_PER_FILE = 45_000


@dataclass(frozen=True)
class Stories:
    """Pages of another app listed like articles: in sitemaps of their own and the news one."""

    name: str  # lower-case letters: the files are /sitemap-<name>-1.xml …
    pages: Callable[[], QuerySet[Page]]  # live and public, newest first
    published: Callable[[Any], datetime.datetime | None]  # the news sitemap's date
    modified: Callable[[Any], datetime.datetime | None]  # the sitemap's lastmod
    # The page-cache scope a change to ``modified`` bumps without a new site generation.
    cache_scope: str | None = None


STORIES: dict[str, Stories] = {}


def register_stories(stories: Stories) -> None:
    if not re.fullmatch(r"[a-z]+", stories.name) or stories.name in ("articles", "fronts"):
        raise ValueError(f"Not a name for a sitemap of stories: {stories.name!r}")
    STORIES[stories.name] = stories


class StoriesSitemap(BaseUrlSitemap):
    limit = ARTICLES_PER_FILE

    def __init__(self, request: HttpRequest, stories: Stories) -> None:
        super().__init__(request)
        self.stories = stories

    def items(self) -> QuerySet[Page]:
        return self.stories.pages()

    def _lastmod(self, item: Page) -> datetime.datetime | None:
        return self.stories.modified(item)


@require_safe
def sitemap_index(request: HttpRequest) -> HttpResponse:
    pages = ArticleSitemap(request)
    pages.limit = ARTICLES_PER_FILE
    # Never zero: with no article yet the index still names one (empty) file.
    files = max(1, pages.paginator.num_pages)
    others = []
    for name, stories in STORIES.items():
        paginator = StoriesSitemap(request, stories).paginator
        # Only kinds that have pages: a publication without live blogs lists no file.
        if paginator.count:
            others += [
                f"{settings.BASE_URL}/sitemap-{name}-{n}.xml"
                for n in range(1, paginator.num_pages + 1)
            ]
    return _xml(
        "newsroom/news_sitemap_index.xml",
        {
            "files": [
                f"{settings.BASE_URL}/sitemap-fronts.xml",
                *(f"{settings.BASE_URL}/sitemap-articles-{n}.xml" for n in range(1, files + 1)),
                *others,
            ]
        },
    )


@require_safe
def sitemap_fronts(request: HttpRequest) -> HttpResponse:
    return _urlset(FrontSitemap(request), 1)


@require_safe
def sitemap_articles(request: HttpRequest, number: str) -> HttpResponse:
    # Only canonical numbers: "01" would be a second URL for the same file.
    if not re.fullmatch(r"[1-9][0-9]{0,8}", number):
        raise Http404("No such sitemap")
    articles = ArticleSitemap(request)
    articles.limit = ARTICLES_PER_FILE
    if int(number) > max(1, articles.paginator.num_pages):
        raise Http404("No such sitemap")
    return _urlset(articles, int(number))


@require_safe
def sitemap_stories(request: HttpRequest, name: str, number: str) -> HttpResponse:
    stories = STORIES.get(name)
    if stories is None or not re.fullmatch(r"[1-9][0-9]{0,8}", number):
        raise Http404("No such sitemap")
    if stories.cache_scope:
        pagescopes.depends_on(request, stories.cache_scope)
    sitemap = StoriesSitemap(request, stories)
    if int(number) > sitemap.paginator.num_pages:
        raise Http404("No such sitemap")
    return _urlset(sitemap, int(number))


def _urlset(sitemap: BaseUrlSitemap, number: int) -> HttpResponse:
    urls = sitemap.get_urls(page=number)
    response = _xml("newsroom/sitemap.xml", {"urlset": urls})
    # The newest lastmod, as Django's own sitemap view sends it.
    dates = [url["lastmod"] for url in urls if url["lastmod"]]
    return with_last_modified(response, max(dates) if dates else None)


# /news-sitemap.xml -------------------------------------------------------------


def news_articles() -> QuerySet[ArticlePage]:
    """What the news sitemap lists: live articles first published in the last two days."""
    since = timezone.now() - NEWS_WINDOW
    return (
        ArticlePage.objects.live()
        .public()
        .filter(published_at__gte=since)
        .defer_streamfields()
        # A stable order, so that an article does not move between files while
        # a crawler walks them unless something newer is published.
        .order_by("-published_at", "-pk")
    )


def news_stories() -> list[tuple[Page, datetime.datetime]]:
    """Articles and registered stories first published in the last two days, newest first."""
    since = timezone.now() - NEWS_WINDOW
    found: list[tuple[Page, datetime.datetime]] = [
        (article, article.published_at) for article in news_articles() if article.published_at
    ]
    for stories in STORIES.values():
        for page in stories.pages():
            published = stories.published(page)
            if published is not None and published >= since:
                found.append((page, published))
    # A stable order, so that a story stays in its file until something newer comes.
    found.sort(key=lambda pair: (pair[1], pair[0].pk), reverse=True)
    return found


def _news_file_count(stories: list[Any]) -> int:
    # Never zero: with nothing new in two days the index still names one file,
    # which is an empty urlset (Google accepts it, with a warning in Search Console).
    return max(1, math.ceil(len(stories) / NEWS_URLS_PER_FILE))


def _xml(template: str, context: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(render_to_string(template, context), content_type=XML)
    response["X-Robots-Tag"] = NO_INDEX
    return response


@require_safe
def news_sitemap_index(request: HttpRequest) -> HttpResponse:
    files = [
        f"{settings.BASE_URL}/news-sitemap-{number}.xml"
        for number in range(1, _news_file_count(news_stories()) + 1)
    ]
    return _xml("newsroom/news_sitemap_index.xml", {"files": files})


@require_safe
def news_sitemap_file(request: HttpRequest, number: str) -> HttpResponse:
    # Only canonical numbers: "01" or "1.0" would be a second URL for a file.
    if not re.fullmatch(r"[1-9][0-9]{0,8}", number):
        raise Http404("No such news sitemap")
    index = int(number)
    recent = news_stories()
    if index > _news_file_count(recent):
        raise Http404("No such news sitemap")
    start = (index - 1) * NEWS_URLS_PER_FILE
    urls = [
        {
            "loc": settings.BASE_URL + path,
            "published": machine_datetime(published),
            "title": page.title,
        }
        for page, published in recent[start : start + NEWS_URLS_PER_FILE]
        if (path := page_path(page, request))
    ]
    return _xml(
        "newsroom/news_sitemap.xml",
        {
            "urls": urls,
            "publication_name": settings.PUBLICATION_NAME,
            "publication_language": settings.PUBLICATION_LANGUAGE,
        },
    )


# /robots.txt -------------------------------------------------------------------

# Search is not disallowed: a page of results is indexable under its canonical query,
# and a query that finds nothing says noindex, which a crawler can only read if it may
# fetch the page (docs/decisions/0005-search-pages-indexable.md).
ROBOTS_DISALLOW = ("/admin/", "/django-admin/", "/dev/")


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        *(f"Disallow: {prefix}" for prefix in ROBOTS_DISALLOW),
        "",
        f"Sitemap: {settings.BASE_URL}/sitemap.xml",
        f"Sitemap: {settings.BASE_URL}/news-sitemap.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


urlpatterns: list[URLPattern] = [
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-fronts.xml", sitemap_fronts, name="sitemap-fronts"),
    re_path(
        r"^sitemap-articles-(?P<number>[^/]+)\.xml$", sitemap_articles, name="sitemap-articles"
    ),
    re_path(r"^sitemap-(?P<name>[a-z]+)-(?P<number>[^/]+)\.xml$", sitemap_stories),
    path("news-sitemap.xml", news_sitemap_index, name="news-sitemap"),
    re_path(r"^news-sitemap-(?P<number>[^/]+)\.xml$", news_sitemap_file, name="news-sitemap-file"),
    path("robots.txt", robots_txt, name="robots-txt"),
]
