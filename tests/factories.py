"""Factories for the newsroom: build a site, sections and articles in a few lines.

home = make_home()
world = make_section(home, "World News")
article = make_article(world, "Ferry talks resume", sources=2, photo=True)
"""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.models import Collection, Locale, Page, Site

from dateline.newsroom.models import (
    ArticleAuthor,
    ArticleCorrection,
    ArticlePage,
    ArticleSource,
    Author,
    HomePage,
    Photo,
    SectionPage,
)


def make_home() -> HomePage:
    """The site's home page, as the default site's root (replacing Wagtail's welcome page)."""
    existing = HomePage.objects.first()
    if existing:
        return existing
    root = Page.get_first_root_node()
    if root is None:
        # A transactional test's flush removes what Wagtail's migrations created,
        # and content types come back with new ids.
        ContentType.objects.clear_cache()
        Locale.objects.get_or_create(language_code="en")
        if not Collection.objects.exists():
            Collection.add_root(name="Root")
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    home = root.add_child(instance=HomePage(title="Home", slug="home-dateline"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Dateline"},
    )
    for page in Page.objects.filter(depth=2).exclude(pk=home.pk):
        page.delete()
    return home


def make_section(home: HomePage, title: str = "World News", **kwargs: Any) -> SectionPage:
    from django.utils.text import slugify

    section = SectionPage(title=title, slug=kwargs.pop("slug", slugify(title)), **kwargs)
    home.add_child(instance=section)
    section.save_revision().publish()
    return section


def make_author(name: str = "Mara Velt", **kwargs: Any) -> Author:
    author, _ = Author.objects.get_or_create(name=name, defaults=kwargs)
    return author


def make_photo(
    title: str = "Harbour at dawn", width: int = 1600, height: int = 900, **kwargs: Any
) -> Photo:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (40, 90, 140)).save(buffer, "JPEG")
    defaults: dict[str, Any] = {
        "caption": "Boats wait in the harbour before the talks.",
        "credit": "Photo from AP",
        "description": "Fishing boats moored in a grey harbour",
    }
    defaults.update(kwargs)
    photo = Photo(title=title, file=ImageFile(buffer, name=f"{title[:20]}.jpg"), **defaults)
    photo.save()
    return photo


def make_article(
    section: SectionPage,
    title: str = "Ferry talks resume after storm",
    *,
    authors: list[Author] | None = None,
    sources: int = 1,
    photo: bool | Photo = False,
    body_photos: int = 0,
    publish: bool = True,
    published_at: datetime.datetime | None = None,
    priority: int = ArticlePage.Priority.NORMAL,
    tags: list[str] | None = None,
    corrections: int = 0,
    **kwargs: Any,
) -> ArticlePage:
    from django.utils.text import slugify

    lead = photo if isinstance(photo, Photo) else (make_photo() if photo else None)
    body: list[dict[str, Any]] = [
        {
            "type": "paragraph",
            "value": "<p>The talks resumed on Tuesday, reports the Associated Press at "
            "Times Union, after a storm closed the port for three days.</p>",
        },
        {
            "type": "quote",
            "value": {"text": "We are back at the table.", "speaker": "Ilse Maren", "role": ""},
        },
    ]
    for i in range(body_photos):
        body.append(
            {"type": "photo", "value": {"image": make_photo(f"Inline {i}").pk, "caption": ""}}
        )
    article = ArticlePage(
        title=title,
        slug=kwargs.pop("slug", slugify(title)[:50]),
        standfirst=kwargs.pop("standfirst", "Negotiators met again once the harbour reopened."),
        dateline_place=kwargs.pop("dateline_place", "PORT CALDER"),
        lead_image=lead,
        body=body,
        priority=priority,
        published_at=published_at or timezone.now(),
        live=publish,
        **kwargs,
    )
    for i, author in enumerate(authors or [make_author()]):
        article.article_authors.add(ArticleAuthor(author=author, sort_order=i))
    for i in range(sources):
        article.sources.add(
            ArticleSource(
                outlet="Associated Press" if i == 0 else f"Agency {i}",
                outlet_short="AP" if i == 0 else "",
                outlet_takes_the=i == 0,
                read_at="Times Union" if i == 0 else "",
                url=f"https://example.org/report-{i}",
                kind=ArticleSource.Kind.REPORT,
                published_on=datetime.date(2026, 11, 3),
                sort_order=i,
            )
        )
    for i in range(corrections):
        article.corrections.add(
            ArticleCorrection(text="<p>An earlier version misspelt a name.</p>", sort_order=i)
        )
    section.add_child(instance=article)
    if tags:
        article.tags.add(*tags)
    revision = article.save_revision()
    if publish:
        revision.publish()
        article.refresh_from_db()
    return article
