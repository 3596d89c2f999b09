"""RSS 2.0 and Atom feeds of the latest articles, for the whole site and for each section.

Every item carries its lead photo as Media RSS (``media:content`` with credit and
caption), which feed readers and aggregators use for the picture next to a story.
Feeds are plain anonymous 200 responses, so the page cache keeps them until the
next publish.
"""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.urls import URLPattern, path
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed, rfc3339_date
from django.utils.xmlutils import SimplerXMLGenerator
from wagtail.images.models import Filter
from wagtail.models import Page

from dateline.newsroom.models import (
    SHARE_RENDITION,
    ArticleAuthor,
    ArticlePage,
    ArticleSource,
    Photo,
    PhotoRendition,
    SectionPage,
    live_articles,
)
from dateline.newsroom.templatetags.newsroom_tags import absolute

FEED_LENGTH = 30
# Aggregators expect a JPEG; 1200 wide is what Google Discover and most readers want.
FEED_RENDITION = SHARE_RENDITION
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"


def page_path(page: Page, request: HttpRequest | None = None) -> str | None:
    """The page's path on the site, or None when it is not routable.

    Always the path, never Wagtail's per-Site absolute URL, so that links can be
    made absolute on BASE_URL whatever hostname the Site record carries.
    """
    parts = page.get_url_parts(request)
    return parts[2] if parts else None


# Feed generators ---------------------------------------------------------------


def _add_media(handler: SimplerXMLGenerator, media: dict[str, Any] | None) -> None:
    if not media:
        return
    attrs = {
        "url": media["url"],
        "medium": "image",
        "type": "image/jpeg",
        "width": str(media["width"]),
        "height": str(media["height"]),
    }
    # typeshed asks for AttributesImpl; XMLGenerator takes any mapping, as Django relies on.
    handler.startElement("media:content", attrs)  # type: ignore[arg-type]
    if media["caption"]:
        # Readers differ in which of the two they show under the picture.
        handler.addQuickElement("media:title", media["caption"], {"type": "plain"})
        handler.addQuickElement("media:description", media["caption"], {"type": "plain"})
    if media["credit"]:
        # A role from the EBU list Media RSS uses by default (urn:ebu): the credit is the
        # lead photo's, so whoever it names stands as its photographer.
        handler.addQuickElement("media:credit", media["credit"], {"role": "photographer"})
    handler.endElement("media:content")


class MediaRssFeed(Rss201rev2Feed):
    """RSS 2.0 with every author, the last update and the lead photo as Media RSS."""

    def rss_attributes(self) -> dict[str, str]:
        # The namespaces go on <rss>, the document root; root_attributes() is <channel>.
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NS, "xmlns:dc": DC_NS}

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        # RSS's own <author> must be an email address; dc:creator takes a name.
        for name in item.get("authors", ()):
            handler.addQuickElement("dc:creator", name)
        # RSS 2.0 has no element for updates; atom:updated is the one readers know.
        if item["updateddate"] is not None:
            handler.addQuickElement("atom:updated", rfc3339_date(item["updateddate"]))
        _add_media(handler, item.get("media"))


class MediaAtomFeed(Atom1Feed):
    """Atom with one <author> per author and the lead photo as Media RSS."""

    def root_attributes(self) -> dict[str, str]:
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        for name in item.get("authors", ()):
            handler.startElement("author", {})  # type: ignore[arg-type]
            handler.addQuickElement("name", name)
            handler.endElement("author")
        _add_media(handler, item.get("media"))


# Feeds -------------------------------------------------------------------------


@dataclass
class FeedScope:
    """What one feed request covers: the whole site or one section."""

    request: HttpRequest
    section: SectionPage | None = None


@dataclass
class FeedItem:
    """One article with everything its feed entry needs, worked out in bulk."""

    article: ArticlePage
    link: str
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    media: dict[str, Any] | None = None


def _feed_rendition(photo: Photo) -> PhotoRendition:
    """The feed-size JPEG of ``photo``, from the prefetched ones when it exists."""
    spec = Filter(spec=FEED_RENDITION)
    focal_point_key = spec.get_cache_key(photo)
    for rendition in getattr(photo, "feed_renditions", ()):
        if rendition.focal_point_key == focal_point_key:
            return rendition
    # Reached only when the feed size does not exist yet (a new or recropped photo).
    # get_rendition() trusts whatever was prefetched, and live_articles() prefetched
    # card sizes only: asked first, it would resize the photo on every request just
    # to find the existing row.
    return photo.get_rendition(spec)


def _media(article: ArticlePage) -> dict[str, Any] | None:
    photo = article.lead_image
    if photo is None:
        return None
    rendition = _feed_rendition(photo)
    return {
        "url": absolute(rendition.url),
        "width": rendition.width,
        "height": rendition.height,
        "caption": photo.caption or photo.alt,
        "credit": article.photo_credit,
    }


class ArticleFeed(Feed):
    """The latest live articles as RSS 2.0: the site's, or one section's with a slug."""

    feed_type: type[SyndicationFeed] = MediaRssFeed
    file_name = "rss.xml"

    @property
    def language(self) -> str:  # type: ignore[override]
        return settings.PUBLICATION_LANGUAGE

    def get_object(self, request: HttpRequest, slug: str | None = None) -> FeedScope:
        if slug is None:
            return FeedScope(request)
        section = SectionPage.objects.live().public().filter(slug=slug).order_by("path").first()
        if section is None:
            raise Http404("No such section")
        return FeedScope(request, section)

    def title(self, scope: FeedScope) -> str:
        if scope.section:
            return f"{scope.section.title} | {settings.PUBLICATION_NAME}"
        return settings.PUBLICATION_NAME

    def link(self, scope: FeedScope) -> str:
        if scope.section:
            return absolute(page_path(scope.section, scope.request)) or settings.BASE_URL + "/"
        return settings.BASE_URL + "/"

    def feed_url(self, scope: FeedScope) -> str:
        prefix = f"/feeds/{scope.section.slug}/" if scope.section else "/feeds/"
        return settings.BASE_URL + prefix + self.file_name

    def description(self, scope: FeedScope) -> str:
        if scope.section:
            return scope.section.intro or (
                f"The latest from {scope.section.title} at {settings.PUBLICATION_NAME}"
            )
        return f"The latest news from {settings.PUBLICATION_NAME}"

    subtitle = description

    def author_name(self, scope: FeedScope) -> str:
        # Atom wants an author for the feed as a whole, for entries without one.
        return settings.PUBLICATION_NAME

    def items(self, scope: FeedScope) -> list[FeedItem]:
        articles = live_articles()
        if scope.section:
            articles = articles.child_of(scope.section)
        articles = articles.prefetch_related(
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
            ),
            Prefetch("sources", queryset=ArticleSource.objects.order_by("sort_order")),
            "corrections",
            "tags",
            # A separate attribute: live_articles() already prefetches card sizes
            # into lead_image.renditions and a lookup may only be prefetched once.
            Prefetch(
                "lead_image__renditions",
                queryset=PhotoRendition.objects.filter(filter_spec=FEED_RENDITION),
                to_attr="feed_renditions",
            ),
        )
        found = list(articles[:FEED_LENGTH])
        sections = self._sections(found, scope)
        items = []
        for article in found:
            # The model's cached properties run their own ordered queries; fill
            # them from the prefetched rows so the feed costs the same for 3 or 30.
            article.__dict__["authors"] = [link.author for link in article.article_authors.all()]
            article.__dict__["sources_list"] = list(article.sources.all())
            section = sections.get(article.path[: -Page.steplen])
            if section is not None:
                article.__dict__["section"] = section
            tags = sorted(tag.name for tag in article.tags.all())
            items.append(
                FeedItem(
                    article=article,
                    link=absolute(page_path(article, scope.request)),
                    authors=[author.name for author in article.authors],
                    categories=[section.title, *tags] if section else tags,
                    media=_media(article),
                )
            )
        return items

    @staticmethod
    def _sections(articles: list[ArticlePage], scope: FeedScope) -> dict[str, SectionPage]:
        """Each article's section by tree path, in one query for the site-wide feed."""
        if scope.section:
            return {scope.section.path: scope.section}
        paths = {article.path[: -Page.steplen] for article in articles}
        return {s.path: s for s in SectionPage.objects.filter(path__in=paths)} if paths else {}

    def item_title(self, item: FeedItem) -> str:
        # Plain text, escaped once by the XML writer: Atom titles are text, and
        # Django's default double escaping would show "&amp;" in Atom readers.
        return item.article.title

    def item_description(self, item: FeedItem) -> str:
        # RSS descriptions and Atom summaries (type="html") are HTML, which the XML
        # writer escapes once more. Quotes need no escaping in HTML text, and readers
        # that show the summary as plain text would show "&#x27;" for an apostrophe.
        return html.escape(item.article.standfirst, quote=False)

    def item_link(self, item: FeedItem) -> str:
        return item.link

    def item_guid(self, item: FeedItem) -> str:
        return item.link

    item_guid_is_permalink = True

    def item_pubdate(self, item: FeedItem) -> datetime.datetime | None:
        return item.article.date_published

    def item_updateddate(self, item: FeedItem) -> datetime.datetime | None:
        return item.article.date_modified

    def item_categories(self, item: FeedItem) -> list[str]:
        return item.categories

    def item_extra_kwargs(self, item: FeedItem) -> dict[str, Any]:
        return {"authors": item.authors, "media": item.media}


class AtomArticleFeed(ArticleFeed):
    feed_type = MediaAtomFeed
    file_name = "atom.xml"


urlpatterns: list[URLPattern] = [
    path("feeds/rss.xml", ArticleFeed(), name="feed-rss"),
    path("feeds/atom.xml", AtomArticleFeed(), name="feed-atom"),
    path("feeds/<slug:slug>/rss.xml", ArticleFeed(), name="section-feed-rss"),
    path("feeds/<slug:slug>/atom.xml", AtomArticleFeed(), name="section-feed-atom"),
]
