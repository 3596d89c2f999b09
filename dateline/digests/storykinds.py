"""What can be a story of a digest or an alert: articles, and page types apps register.

The digests know the newsroom's ArticlePage; an app above them (live coverage)
registers its own page type here from its ready(), so the layers stay as they are
(the digests import no such app). A story page of any kind has a ``title`` and a
``standfirst``; a ``lead_image`` and a ``photo_credit`` are read when it has them.
Selection still picks articles only: a registered kind joins a digest by an editor's
choice (additions.add_to_draft), pinned.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page

from dateline.newsroom.models import ArticlePage


@dataclass(frozen=True)
class StoryKind:
    model: type[Page]
    # The word readers see on it ("Live"): the mail's kicker and the alert's subject prefix.
    label: str
    # The link under it in the mail, instead of "Read the story".
    action: str
    # What an editor may add to a digest whose period starts at the given moment.
    choices: Callable[[datetime.datetime], Iterable[Page]]
    noun: str = "story"


KINDS: dict[type[Page], StoryKind] = {}


def register(kind: StoryKind) -> None:
    KINDS[kind.model] = kind


def kind_of(page: Page) -> StoryKind | None:
    """The registered kind of ``page`` (specific or not); None for an article."""
    return KINDS.get(page.specific_class)


def is_story_page(page: Page) -> bool:
    return page.specific_class is ArticlePage or kind_of(page) is not None


def noun(page: Page) -> str:
    kind = kind_of(page)
    return kind.noun if kind else "article"


def specific_pages(pages: Iterable[Page]) -> dict[int, Page]:
    """The pages as their own types, lead photos joined: one query per type, not per page."""
    by_type: dict[int, list[int]] = {}
    for page in pages:
        by_type.setdefault(page.content_type_id, []).append(page.pk)
    found: dict[int, Page] = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class() or Page
        query: Any = model._default_manager.filter(pk__in=ids)
        if any(f.name == "lead_image" for f in model._meta.get_fields()):
            query = query.select_related("lead_image")
        found.update((page.pk, page) for page in query)
    return found
