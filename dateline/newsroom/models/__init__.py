"""The newsroom: sections, articles, authors, sources, photo credits and page views.

A package by concern; every model and helper is importable from here, as Wagtail's page
types and the migrations name them (dateline.newsroom.models.ArticlePage).
"""

from __future__ import annotations

from dateline.newsroom.blocks import ArticleBody, InlinePhotoBlock, LinkedEmbedBlock, QuoteBlock
from dateline.newsroom.models.authors import Author
from dateline.newsroom.models.pages import (
    ARTICLES_KEPT,
    ArticleAuthor,
    ArticleCorrection,
    ArticleForm,
    ArticlePage,
    ArticleSource,
    ArticleTag,
    FrontLastModified,
    HomePage,
    SectionPage,
    live_article_at,
    live_articles,
    paginate,
    with_last_modified,
)
from dateline.newsroom.models.pageviews import PageViewDay
from dateline.newsroom.models.photos import (
    CARD_RENDITIONS,
    FALLBACK_RENDITION,
    LEAD_RENDITIONS,
    SCHEMA_RENDITIONS,
    SHARE_RENDITION,
    Photo,
    PhotoRendition,
    shared_filter,
)

__all__ = [
    "ARTICLES_KEPT",
    "CARD_RENDITIONS",
    "FALLBACK_RENDITION",
    "LEAD_RENDITIONS",
    "SCHEMA_RENDITIONS",
    "SHARE_RENDITION",
    "ArticleAuthor",
    "ArticleBody",
    "ArticleCorrection",
    "ArticleForm",
    "ArticlePage",
    "ArticleSource",
    "ArticleTag",
    "Author",
    "FrontLastModified",
    "HomePage",
    "InlinePhotoBlock",
    "LinkedEmbedBlock",
    "PageViewDay",
    "Photo",
    "PhotoRendition",
    "QuoteBlock",
    "SectionPage",
    "live_article_at",
    "live_articles",
    "paginate",
    "shared_filter",
    "with_last_modified",
]
