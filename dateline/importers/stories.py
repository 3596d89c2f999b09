"""Storing stories read from any source: what Ghost and Substack imports share.

A source module reads its export into ``Story`` items (plain data, no database)
and hands them to a ``StoryImport`` subclass that says how its content becomes
body blocks. Each story is stored in its own transaction with its ImportedItem and
its redirects (as the WordPress import does), so a run killed half way leaves whole
stories or none, and the next run takes up where it stopped.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.text import Truncator, slugify
from wagtail.coreutils import find_available_slug

from dateline.importers import batch, core
from dateline.importers.content import BodyBuilder, Converted
from dateline.importers.core import ImportFailed, Mapping, PhotoStore, Report
from dateline.importers.fetch import Fetcher
from dateline.newsroom.models import ArticleAuthor, ArticlePage, Author, HomePage, SectionPage

Progress = Callable[[int, int], None]
STATUSES = ("published", "scheduled", "draft")


@dataclass
class LeadImage:
    url: str
    caption: str = ""
    alt: str = ""
    credit: str = ""
    missing: str = ""  # what the report says when there is no address to look for


@dataclass
class Byline:
    """An author as the source knows them; ``key`` is the source's own id."""

    key: str
    name: str
    slug: str = ""
    bio: str = ""
    url: str = ""


@dataclass
class Story:
    source_id: str
    label: str  # how the report names it: "post 5f3c… 'A title'"
    title: str
    slug: str
    status: str  # one of STATUSES
    date: datetime.datetime | None
    content: Any  # what the import's convert() reads
    print_: str  # the fingerprint: a change re-imports the story
    terms: list[tuple[str, str]] = field(default_factory=list)  # (slug, name), section first
    hidden_terms: set[str] = field(default_factory=set)  # slugs never shown as tags
    authors: list[str] = field(default_factory=list)  # Byline keys, in order
    excerpt: str = ""
    lead: LeadImage | None = None
    old_paths: list[str] = field(default_factory=list)


class StoryImport:
    """One run over a source's stories; subclasses give ``source`` and ``convert``."""

    source = ""
    lead_word = "feature image"  # what the report calls the lead photo

    def __init__(
        self,
        mapping: Mapping,
        bylines: dict[str, Byline],
        media: Path | None = None,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
        marker: str = "/uploads/",
        sized: re.Pattern[str] = PhotoStore.SIZED,
        batch_size: int = batch.DEFAULT_SIZE,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.mapping = mapping
        self.batch_size = batch_size
        self.bylines = bylines
        self.dry_run = dry_run
        self.progress = progress
        self.report = Report(source=self.source, dry_run=dry_run)
        self.photos = PhotoStore(
            media, self.report, dry_run=dry_run, marker=marker, sized=sized, fetcher=fetcher
        )
        self.builder = BodyBuilder(
            self.photos.photo_id, keep_unknown=mapping.unknown_blocks == "keep"
        )
        self.sections: dict[str, SectionPage] = {}
        self.authors: dict[str, Author] = {}
        self.pages: dict[str, int] = {}  # source id -> article pk
        self.shelf = batch.Shelf()
        self.home: HomePage | None = None

    def convert(self, story: Story) -> Converted:
        raise NotImplementedError

    def archive_redirects(self) -> list[tuple[str, str]]:
        """(old path, new link) pairs for the source's archives and feeds."""
        return []

    # The run ---------------------------------------------------------------------

    def run(self, stories: list[Story]) -> Report:
        self.home = HomePage.objects.first()
        if self.home is None and not self.dry_run:
            raise ImportFailed(
                "There is no Dateline home page to import under yet: set the site up first."
            )
        self.known = core.Known(self.source)
        done = 0
        for chunk in batch.chunks(stories, 1 if self.dry_run else self.batch_size):
            with nullcontext() if self.dry_run else batch.batch():
                for story in chunk:
                    self.report.read += 1
                    self.store(story)
            # After the commit: the admin's progress counts stored stories.
            done += len(chunk)
            if self.progress:
                self.progress(done, len(stories))
        if not self.dry_run:
            with batch.batch():
                for old, new in self.archive_redirects():
                    if core.redirect_to_link(old, new):
                        self.report.redirects += 1
        return self.report

    def store(self, story: Story) -> None:
        section_title = self.mapping.section_for(story.terms)
        known = self.known.get(story.source_id)
        if self.dry_run:
            self.note(story, self.convert(story))
            if known is None:
                self.report.created += 1
                new = f"/{slugify(section_title)}/{self.wanted_slug(story)}/"
                for old in story.old_paths[:1]:
                    if old.rstrip("/") != new.rstrip("/"):
                        self.report.url_changes.append((old, new))
            elif known[1] == story.print_:
                self.report.unchanged += 1
            else:
                self.report.updated += 1
        elif known is not None and known[1] == story.print_:
            self.report.unchanged += 1
            return
        else:
            # The story, its record and its redirects in the batch's transaction: a run
            # killed here leaves the story whole or absent, never half there.
            if known is None:
                page = self.create(story, section_title)
                self.report.created += 1
            else:
                page = self.update(ArticlePage.objects.get(pk=known[0]), story)
                self.report.updated += 1
            first = story.source_id not in self.known.recorded
            core.record(self.source, "post", story.source_id, page, story.print_, new=first)
            self.known.stored(story.source_id, page.pk, story.print_)
            self.redirects(story, page)
            self.pages[story.source_id] = page.pk
        self.report.by_status[story.status] += 1
        self.report.per_section[section_title] += 1

    def note(self, story: Story, converted: Converted) -> None:
        self.report.unknown_blocks += [f"{story.label}: {u}" for u in converted.unknown]
        self.report.missing_images += [
            f"{story.label}: {self.photos.explain(m)}" for m in converted.missing_images
        ]
        if story.lead and self.lead_photo(story) is None:
            where = story.lead.missing or self.photos.explain(story.lead.url)
            self.report.missing_images.append(f"{story.label}: {self.lead_word} {where}")

    def lead_photo(self, story: Story) -> int | None:
        lead = story.lead
        if lead is None:
            return None
        key = self.photos.key(lead.url)
        self.photos.details.setdefault(key, (lead.caption, lead.credit, lead.alt, ""))
        return self.photos.photo_id(lead.url, lead.alt)

    # Stories -----------------------------------------------------------------------

    @staticmethod
    def wanted_slug(story: Story) -> str:
        return slugify(story.slug or story.title) or f"post-{slugify(story.source_id)}"

    def fill(self, page: ArticlePage, story: Story) -> None:
        # The lead photo first: it carries the source's caption and alt text.
        page.lead_image_id = self.lead_photo(story)
        converted = self.convert(story)
        self.note(story, converted)
        page.title = story.title or f"Untitled post {story.source_id}"
        page.body = converted.blocks
        page.standfirst = self.standfirst(story, converted.blocks)
        page.article_authors.clear()
        for order, key in enumerate(story.authors):
            page.article_authors.add(ArticleAuthor(author=self.author(key), sort_order=order))

    @staticmethod
    def standfirst(story: Story, blocks: list[dict[str, Any]]) -> str:
        text = re.sub(r"<[^>]+>", " ", story.excerpt)
        if not text.strip():
            first = next((b["value"] for b in blocks if b["type"] == "paragraph"), "")
            text = re.sub(r"<[^>]+>", " ", first)
        text = " ".join(text.split())
        return Truncator(text).chars(300) if text else story.title

    def create(self, story: Story, section_title: str) -> ArticlePage:
        section = self.section(section_title)
        page = ArticlePage(slug=find_available_slug(section, self.wanted_slug(story)))
        self.fill(page, story)
        self.set_tags(page, story)
        return batch.add_article(self.shelf, section, page, story.status, story.date)

    def update(self, page: ArticlePage, story: Story) -> ArticlePage:
        self.fill(page, story)
        self.set_tags(page, story)
        revision = page.save_revision()
        if story.status == "published":
            revision.publish()
        return page

    def set_tags(self, page: ArticlePage, story: Story) -> None:
        keys = set(self.mapping.sections)
        names = [
            name
            for slug, name in story.terms
            if name and slug not in story.hidden_terms
            and slug.lower() not in keys and name.lower() not in keys
        ]  # fmt: skip
        page.tags.set(names, clear=True) if names else page.tags.clear()

    def section(self, title: str) -> SectionPage:
        if title in self.sections:
            return self.sections[title]
        assert self.home is not None
        slug = slugify(title) or "news"
        found = SectionPage.objects.child_of(self.home).filter(slug=slug).first()
        if found is None:
            found = SectionPage(title=title, slug=slug)
            self.home.add_child(instance=found)
            found.save_revision().publish()
        self.sections[title] = found
        return found

    def author(self, key: str) -> Author:
        if key in self.authors:
            return self.authors[key]
        byline = self.bylines.get(key) or Byline(key, key or "Staff")
        record = core.recorded(self.source, "author", byline.key)
        author = record.target if record is not None else None
        if author is None:
            author = Author.objects.filter(name=byline.name).first()
            if author is None:
                base = slugify(byline.slug or byline.name) or "author"
                slug, n = base, 1
                while Author.objects.filter(slug=slug).exists():
                    n += 1
                    slug = f"{base}-{n}"
                agency = self.mapping.is_agency(byline.key, byline.slug, byline.name)
                author = Author.objects.create(
                    name=byline.name[:200],
                    slug=slug,
                    kind=Author.Kind.ORGANISATION if agency else Author.Kind.PERSON,
                    bio=byline.bio,
                    url=byline.url[:200],
                )
                self.report.authors += 1
            elif byline.bio and not author.bio:
                author.bio = byline.bio
                author.save(update_fields=["bio"])
            core.record(self.source, "author", byline.key, author)
        self.authors[key] = author
        return author

    def recorded_author(self, key: str) -> Author | None:
        """The author a run (this or an earlier one) made for ``key``."""
        record = core.recorded(self.source, "author", key)
        return Author.objects.filter(pk=record.object_id).first() if record else None

    # Old URLs ------------------------------------------------------------------------

    def redirects(self, story: Story, page: ArticlePage) -> None:
        for old in story.old_paths:
            if core.redirect_to_page(old, page):
                self.report.redirects += 1
        if story.old_paths and story.old_paths[0].rstrip("/") != (page.url or "").rstrip("/"):
            self.report.url_changes.append((story.old_paths[0], page.url or ""))

    def section_or_tag(self, slug: str, name: str) -> tuple[str, SectionPage | None]:
        """Where a source's tag archive goes: its mapped section, else the tag page."""
        mapped = self.mapping.sections.get(slug.lower()) or self.mapping.sections.get(name.lower())
        if mapped:
            section = self.section(mapped)
            return section.url or f"/{section.slug}/", section
        return f"/tags/{slugify(name)}/", None
