from __future__ import annotations

import json
from typing import Any

from django import template
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from dateline.lib.dates import machine_datetime
from dateline.newsroom.models import SHARE_RENDITION, ArticlePage

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
        "publisher": {
            "@type": "Organization",
            "name": settings.PUBLICATION_NAME,
            "url": settings.BASE_URL + "/",
        },
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
        rendition = page.lead_image.get_rendition(SHARE_RENDITION)
        image: dict[str, Any] = {
            "@type": "ImageObject",
            "url": absolute(rendition.url),
            "width": rendition.width,
            "height": rendition.height,
            "caption": page.lead_image.caption or page.lead_image.alt,
        }
        if page.photo_credit:
            image["creditText"] = page.photo_credit
        if page.lead_image.copyright:
            image["copyrightNotice"] = page.lead_image.copyright
        data["image"] = [image]
    sources = [s.url for s in page.sources_list if s.url]
    if sources:
        data["isBasedOn"] = sources
    return data


@register.simple_tag
def json_ld(page: ArticlePage) -> SafeString:
    # Kept on the page: the article a reader is routed to lives for a generation
    # (HomePage.route) and says the same until it is published again.
    kept: SafeString | None = page.__dict__.get("_json_ld")
    if kept is None:
        text = json.dumps(article_schema(page), ensure_ascii=False).translate(_SCRIPT_ESCAPES)
        # json.dumps output with <, > and & escaped (_SCRIPT_ESCAPES): it cannot end the tag.
        kept = mark_safe(f'<script type="application/ld+json">{text}</script>')  # nosec
        page.__dict__["_json_ld"] = kept
    return kept
