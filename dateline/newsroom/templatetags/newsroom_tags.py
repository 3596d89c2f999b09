from __future__ import annotations

import json
from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from dateline.lib.dates import machine_datetime
from dateline.newsroom.models import SCHEMA_RENDITIONS, ArticlePage

register = template.Library()
# Every machine-readable date in a template: {{ page.date_published|iso8601 }}.
register.filter("iso8601", machine_datetime)

# json.dumps leaves these as they are; inside <script> they could end the element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@register.filter
def absolute(url: str | None) -> str:
    """An absolute URL on BASE_URL, for feeds, metadata and email."""
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return url
    return settings.BASE_URL + (url if url.startswith("/") else "/" + url)


def publisher_schema() -> dict[str, Any]:
    """The publication as a schema.org Organization, with the logo search engines show."""
    logo = static("dateline/icons/icon-512.png")
    return {
        "@type": "NewsMediaOrganization",
        "@id": settings.BASE_URL + "/#publisher",
        "name": settings.PUBLICATION_NAME,
        "url": settings.BASE_URL + "/",
        "logo": {"@type": "ImageObject", "url": absolute(logo), "width": 512, "height": 512},
    }


def website_schema() -> list[dict[str, Any]]:
    """The home page's WebSite (with the site search as a SearchAction) and publisher."""
    search = absolute(reverse("search")) + "?q={search_term_string}"
    return [
        {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "@id": settings.BASE_URL + "/#website",
            "name": settings.PUBLICATION_NAME,
            "url": settings.BASE_URL + "/",
            "inLanguage": settings.PUBLICATION_LANGUAGE,
            "publisher": {"@id": settings.BASE_URL + "/#publisher"},
            "potentialAction": {
                "@type": "SearchAction",
                "target": {"@type": "EntryPoint", "urlTemplate": search},
                "query-input": "required name=search_term_string",
            },
        },
        {"@context": "https://schema.org", **publisher_schema()},
    ]


def article_schema(page: ArticlePage) -> dict[str, Any]:
    """schema.org NewsArticle for one article."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": absolute(page.url),
        "headline": page.title[:110],
        "description": page.standfirst,
        "author": [
            {"@type": a.schema_type, "name": a.name, "url": absolute(a.get_absolute_url())}
            for a in page.authors
        ],
        "publisher": publisher_schema(),
        "inLanguage": settings.PUBLICATION_LANGUAGE,
    }
    if page.date_published:
        data["datePublished"] = machine_datetime(page.date_published)
    if page.date_modified:
        data["dateModified"] = machine_datetime(page.date_modified)
    if page.section:
        data["articleSection"] = page.section.title
    if page.dateline_place:
        data["locationCreated"] = {"@type": "Place", "name": page.dateline_place}
    if page.lead_image:
        photo = page.lead_image
        images = []
        for spec in SCHEMA_RENDITIONS:
            rendition = photo.get_rendition(spec)
            image: dict[str, Any] = {
                "@type": "ImageObject",
                "url": absolute(rendition.url),
                "width": rendition.width,
                "height": rendition.height,
                "caption": photo.caption or photo.alt,
            }
            if page.photo_credit:
                image["creditText"] = page.photo_credit
            if photo.copyright:
                image["copyrightNotice"] = photo.copyright
            images.append(image)
        data["image"] = images
    sources = [s.url for s in page.sources_list if s.url]
    if sources:
        data["isBasedOn"] = sources
    return data


def _script(data: Any) -> SafeString:
    text = json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    # json.dumps output with <, > and & escaped (_SCRIPT_ESCAPES): it cannot end the tag.
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # nosec


@register.simple_tag
def site_json_ld() -> SafeString:
    return _script(website_schema())


@register.simple_tag
def json_ld(page: ArticlePage) -> SafeString:
    # Kept on the page: the article a reader is routed to lives for a generation
    # (HomePage.route) and says the same until it is published again.
    kept: SafeString | None = page.__dict__.get("_json_ld")
    if kept is None:
        kept = _script(article_schema(page))
        page.__dict__["_json_ld"] = kept
    return kept
