"""Reader pages that are not Wagtail pages: search, authors and tags."""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from taggit.models import Tag

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
    return render(request, "newsroom/search.html", {"query": query, "results": results})


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
