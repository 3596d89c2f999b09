"""Reader pages that are not Wagtail pages: search, authors, tags and the web app manifest."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from taggit.models import Tag

from dateline.newsroom import pageviews
from dateline.newsroom.models import ArticlePage, Author, live_articles, paginate

# Longer queries are cut, not refused: a pasted paragraph still finds its story.
MAX_QUERY_LENGTH = 200
# Quotes, brackets, stars and colons are query syntax to SQLite's FTS5 and to
# PostgreSQL; readers mean words, so everything but words becomes a space.
NOT_A_WORD = re.compile(r"[^\w\s'-]+")


def clean_query(raw: str) -> str:
    return " ".join(NOT_A_WORD.sub(" ", raw[: MAX_QUERY_LENGTH * 4]).split())[:MAX_QUERY_LENGTH]


def search(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q", ""))
    results = None
    if query:
        found = ArticlePage.objects.live().public().search(query, operator="and")
        results = paginate(request, found)
    context = {"query": query, "results": results, "canonical": search_canonical(query, results)}
    return render(request, "newsroom/search.html", context)


def search_canonical(query: str, results: Any) -> str | None:
    """The one address of a search page, or None when it should not be indexed.

    The bare form and every page of results are indexable, under the cleaned query
    (spaces collapsed, syntax characters gone) and the page number when it is not 1.
    A query that finds nothing is a thin page: the template marks it noindex.
    See docs/decisions/0005-search-pages-indexable.md.
    """
    if not query:
        return "/search/"
    if results is None or not results.paginator.count:
        return None
    params: dict[str, str | int] = {"q": query}
    if results.number > 1:
        params["page"] = results.number
    return "/search/?" + urlencode(params)


def author(request: HttpRequest, slug: str) -> HttpResponse:
    person = get_object_or_404(Author, slug=slug)
    articles = live_articles().filter(article_authors__author=person).distinct()
    return render(
        request,
        "newsroom/author.html",
        {"author": person, "articles": paginate(request, articles)},
    )


def tag(request: HttpRequest, slug: str) -> HttpResponse:
    found = Tag.objects.filter(slug=slug).first()
    if found is None:
        raise Http404("No such tag")
    articles = live_articles().filter(tagged_items__tag=found).distinct()
    return render(
        request, "newsroom/tag.html", {"tag": found, "articles": paginate(request, articles)}
    )


def web_manifest(request: HttpRequest) -> JsonResponse:
    """The Web App Manifest: the name and icons a phone shows for a saved front page."""
    icons = [
        {"src": static("dateline/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        {"src": static("dateline/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("dateline/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("dateline/icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    manifest = {
        "name": settings.PUBLICATION_NAME,
        "short_name": settings.PUBLICATION_NAME,
        "description": "World news written from wire reports.",
        "lang": settings.LANGUAGE_CODE,
        "start_url": "/",
        "scope": "/",
        "display": "minimal-ui",
        "background_color": "#fdfcf9",
        "theme_color": "#a3200f",
        "icons": icons,
    }
    response = JsonResponse(manifest, content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@csrf_exempt  # a beacon carries no cookie and changes nothing of anyone's
@require_POST
def view_beacon(request: HttpRequest, page_id: int) -> HttpResponse:
    """A reader's browser reports one view of an article (static/dateline/views.js).

    Only with PAGE_VIEW_COUNTING = "beacon": otherwise the server counts views itself
    and a beacon would count them twice.
    """
    if settings.PAGE_VIEW_COUNTING != "beacon":
        raise Http404("Views are counted by the server")
    if page_id in pageviews.live_article_ids():
        pageviews.record(page_id)
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response
