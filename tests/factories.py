"""Factories for the newsroom (factory-boy, wagtail-factories): a site, sections, articles.

home = make_home()
world = make_section(home, "World News")
article = make_article(world, "Ferry talks resume", sources=2, photo=True)

The ``make_*`` functions are what tests call; each hands its arguments to a factory
below (``ArticlePageFactory(parent=world, ...)`` works as well). The page tree is
Wagtail's: articles under sections under the home page, which is the default site's root.
"""

from __future__ import annotations

import datetime
from typing import Any

import factory
import wagtail_factories
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory
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


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author
        # One author a name: articles of the same byline share it, as in the newsroom.
        django_get_or_create = ("name",)

    name = "Mara Velt"


class PhotoFactory(wagtail_factories.ImageFactory):
    class Meta:
        model = Photo

    title = "Harbour at dawn"
    # wagtail-factories would make a new root collection per image; Wagtail has one.
    collection = factory.LazyFunction(Collection.get_first_root_node)
    file = factory.django.ImageField(
        width=1600,
        height=900,
        color=(40, 90, 140),
        format="JPEG",
        filename=factory.LazyAttribute(lambda f: f"{f.factory_parent.title[:20]}.jpg"),
    )
    caption = "Boats wait in the harbour before the talks."
    credit = "Photo from AP"
    description = "Fishing boats moored in a grey harbour"


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HomePage

    title = "Home"
    slug = "home-dateline"


class SectionPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = SectionPage
        skip_postgeneration_save = True  # the hooks save what they change

    title = "World News"

    @factory.post_generation
    def publish(section: SectionPage, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        if create and extracted is not False:
            section.save_revision().publish()


def article_body(photos: int = 0) -> list[dict[str, Any]]:
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
    for i in range(photos):
        photo = PhotoFactory(title=f"Inline {i}")
        body.append({"type": "photo", "value": {"image": photo.pk, "caption": ""}})
    return body


def source_fields(i: int) -> dict[str, Any]:
    """The first source is the AP read at the Times Union; the others, agencies."""
    first = i == 0
    return {
        "outlet": "Associated Press" if first else f"Agency {i}",
        "outlet_short": "AP" if first else "",
        "outlet_takes_the": first,
        "read_at": "Times Union" if first else "",
        "url": f"https://example.org/report-{i}",
        "kind": ArticleSource.Kind.REPORT,
        "published_on": datetime.date(2026, 11, 3),
        "sort_order": i,
    }


class ArticlePageFactory(wagtail_factories.PageFactory):
    """An article; its bylines, sources and corrections are rows made after the page, and
    a revision (published when ``live``) is saved last, so that it holds them all."""

    class Meta:
        model = ArticlePage
        skip_postgeneration_save = True  # the hooks save what they change

    class Params:
        body_photos = 0

    title = "Ferry talks resume after storm"
    slug = factory.LazyAttribute(lambda a: slugify(a.title)[:50])
    standfirst = "Negotiators met again once the harbour reopened."
    dateline_place = "PORT CALDER"
    body = factory.LazyAttribute(lambda a: article_body(a.body_photos))
    priority = ArticlePage.Priority.NORMAL
    published_at = factory.LazyFunction(timezone.now)
    live = True

    @factory.post_generation
    def authors(
        article: ArticlePage, create: bool, extracted: list[Author] | None, **kwargs: Any
    ) -> None:
        for i, author in enumerate(extracted or [AuthorFactory()]):
            ArticleAuthor.objects.create(page=article, author=author, sort_order=i)

    @factory.post_generation
    def sources(article: ArticlePage, create: bool, extracted: int | None, **kwargs: Any) -> None:
        for i in range(1 if extracted is None else extracted):
            ArticleSource.objects.create(page=article, **source_fields(i))

    @factory.post_generation
    def corrections(
        article: ArticlePage, create: bool, extracted: int | None, **kwargs: Any
    ) -> None:
        for i in range(extracted or 0):
            ArticleCorrection.objects.create(
                page=article, text="<p>An earlier version misspelt a name.</p>", sort_order=i
            )

    @factory.post_generation
    def tags(article: ArticlePage, create: bool, extracted: list[str] | None, **kw: Any) -> None:
        if extracted:
            article.tags.add(*extracted)

    @factory.post_generation
    def revision(article: ArticlePage, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        revision = article.save_revision()
        if article.live:
            revision.publish()
            article.refresh_from_db()


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
        root = wagtail_factories.PageFactory(parent=None, title="Root", slug="root")
    home = HomePageFactory(parent=root)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Dateline"},
    )
    for page in Page.objects.filter(depth=2).exclude(pk=home.pk):
        page.delete()
    return home


def make_section(home: HomePage, title: str = "World News", **kwargs: Any) -> SectionPage:
    return SectionPageFactory(parent=home, title=title, **kwargs)


def make_author(name: str = "Mara Velt", **kwargs: Any) -> Author:
    return AuthorFactory(name=name, **kwargs)


def make_photo(
    title: str = "Harbour at dawn", width: int = 1600, height: int = 900, **kwargs: Any
) -> Photo:
    return PhotoFactory(title=title, file__width=width, file__height=height, **kwargs)


def make_article(
    section: SectionPage,
    title: str = "Ferry talks resume after storm",
    *,
    photo: bool | Photo = False,
    publish: bool = True,
    published_at: datetime.datetime | None = None,
    **kwargs: Any,
) -> ArticlePage:
    """``authors``, ``sources``, ``corrections``, ``tags``, ``body_photos`` and any page
    field go to ``ArticlePageFactory``; ``photo=True`` gives it a new lead photo."""
    lead = photo if isinstance(photo, Photo) else (PhotoFactory() if photo else None)
    if published_at is not None:
        kwargs["published_at"] = published_at
    return ArticlePageFactory(parent=section, title=title, lead_image=lead, live=publish, **kwargs)
