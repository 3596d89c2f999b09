"""Import a WordPress eXtended RSS export (WXR 1.1 or 1.2, Tools > Export).

Posts become articles (published, scheduled, drafts as drafts; private and trashed
posts are skipped with the reason), categories and tags sections or tags as the
mapping says, ``wp:author`` authors, attachments photos, and the comments go
through the comment import, linked to the new articles. Every old URL answers 301.

wxr.py reads the file into plain records (safely: see there); this module writes them
into Wagtail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.utils.text import Truncator, slugify
from wagtail.coreutils import find_available_slug

from dateline.comments.imports import import_comments
from dateline.importers import batch, core
from dateline.importers.content import BodyBuilder
from dateline.importers.core import ImportFailed, Mapping, PhotoStore, Report, media_folder
from dateline.importers.fetch import Fetcher
from dateline.importers.wxr import Export, Post, WXRAuthor, read
from dateline.newsroom.models import ArticleAuthor, ArticlePage, Author, HomePage, SectionPage

SOURCE = "wordpress"
# What WordPress calls a post's state, and what we do with it.
STATUSES = {"publish": "published", "future": "scheduled", "draft": "draft", "pending": "draft"}
SKIP_REASONS = {
    "private": "private at WordPress (readers never saw it)",
    "trash": "in WordPress's trash",
    "auto-draft": "an auto-draft WordPress made, never written",
    "inherit": "a revision",
}

Progress = Callable[[int, int], None]


class WordPressImport:
    def __init__(
        self,
        export: Export,
        mapping: Mapping,
        media: Path | None = None,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
        batch_size: int = batch.DEFAULT_SIZE,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.export = export
        self.batch_size = batch_size
        self.mapping = mapping
        self.dry_run = dry_run
        self.progress = progress
        self.report = Report(source=SOURCE, dry_run=dry_run)
        self.photos = PhotoStore(media, self.report, dry_run=dry_run, fetcher=fetcher)
        for attachment in export.attachments.values():
            key = PhotoStore.SIZED.sub("", attachment.url)
            self.photos.details[key] = (
                attachment.caption, attachment.credit, attachment.alt, attachment.title
            )  # fmt: skip
        self.builder = BodyBuilder(
            self.photos.photo_id, keep_unknown=mapping.unknown_blocks == "keep"
        )
        self.sections: dict[str, SectionPage | None] = {}
        self.authors: dict[str, Author] = {}
        self.pages: dict[str, int] = {}  # source id -> article pk, this run's or before
        self.shelf = batch.Shelf()

    # The run ---------------------------------------------------------------------

    def run(self) -> Report:
        home = HomePage.objects.first()
        if home is None and not self.dry_run:
            raise ImportFailed(
                "There is no Dateline home page to import under yet: set the site up first."
            )
        self.home = home
        self.known = core.Known(SOURCE)
        self.report.skipped.extend(self.export.others)
        posts, done = self.export.posts, 0
        for chunk in batch.chunks(posts, 1 if self.dry_run else self.batch_size):
            with nullcontext() if self.dry_run else batch.batch():
                for post in chunk:
                    self.report.read += 1
                    reason = SKIP_REASONS.get(post.status)
                    if reason or post.status not in STATUSES:
                        self.report.skipped.append(
                            f"{post.label}: {reason or post.status + ' status'}"
                        )
                    else:
                        self.post(post)
            # After the commit: the admin's progress counts stored stories.
            done += len(chunk)
            if self.progress:
                self.progress(done, len(posts))
        if not self.dry_run:
            with batch.batch():
                self.archive_redirects()
            self.comments()
        return self.report

    def post(self, post: Post) -> None:
        section_title = self.mapping.section_for(post.categories + post.tags)
        known = self.known.get(post.post_id)
        if self.dry_run:
            self.dry_post(post, section_title, known)
            return
        print_ = post.print_()
        if known is not None and known[1] == print_:
            self.report.unchanged += 1
            self.pages[post.post_id] = known[0]
            return
        # The story, its record and its redirects in the batch's transaction: a run
        # killed here leaves the story whole or absent, never half there.
        if known is None:
            page = self.create(post, section_title)
            self.report.created += 1
        else:
            page = self.update(ArticlePage.objects.get(pk=known[0]), post)
            self.report.updated += 1
        core.record(SOURCE, "post", post.post_id, page, print_)
        self.known.stored(post.post_id, page.pk, print_)
        self.redirects(post, page)
        self.pages[post.post_id] = page.pk
        self.report.by_status[STATUSES[post.status]] += 1
        self.report.per_section[section_title] += 1

    def dry_post(self, post: Post, section_title: str, known: tuple[int, str] | None) -> None:
        converted = self.builder.convert(post.content)
        self.note(post, converted)
        if known is None:
            self.report.created += 1
            slug = slugify(post.slug or post.title) or f"post-{post.post_id}"
            new = f"/{slugify(section_title)}/{slug}/"
            if post.link and urlsplit(post.link).path != new:
                self.report.url_changes.append((urlsplit(post.link).path or "/", new))
        elif known[1] == post.print_():
            self.report.unchanged += 1
        else:
            self.report.updated += 1
        self.report.by_status[STATUSES[post.status]] += 1
        self.report.per_section[section_title] += 1

    def note(self, post: Post, converted: Any) -> None:
        self.report.unknown_blocks += [f"{post.label}: {u}" for u in converted.unknown]
        self.report.missing_images += [
            f"{post.label}: {self.photos.explain(m)}" for m in converted.missing_images
        ]
        lead = self.export.attachments.get(post.thumbnail_id)
        if post.thumbnail_id and (lead is None or self.photos.photo_id(lead.url) is None):
            where = (
                self.photos.explain(lead.url)
                if lead
                else f"attachment {post.thumbnail_id} not in the export"
            )
            self.report.missing_images.append(f"{post.label}: featured image {where}")

    # Stories -----------------------------------------------------------------------

    def fill(self, page: ArticlePage, post: Post) -> None:
        # The lead photo first: it carries the attachment's caption and credit.
        lead = self.export.attachments.get(post.thumbnail_id)
        page.lead_image_id = self.photos.photo_id(lead.url) if lead else None
        converted = self.builder.convert(post.content)
        self.note(post, converted)
        page.title = post.title or f"Untitled post {post.post_id}"
        page.body = converted.blocks
        page.standfirst = self.standfirst(post, converted.blocks)
        page.article_authors.clear()
        page.article_authors.add(ArticleAuthor(author=self.author(post.creator), sort_order=0))

    def standfirst(self, post: Post, blocks: list[dict[str, Any]]) -> str:
        text = re.sub(r"<[^>]+>", " ", post.excerpt)
        if not text.strip():
            first = next((b["value"] for b in blocks if b["type"] == "paragraph"), "")
            text = re.sub(r"<[^>]+>", " ", first)
        text = " ".join(text.split())
        return Truncator(text).chars(300) if text else post.title

    def create(self, post: Post, section_title: str) -> ArticlePage:
        section = self.section(section_title)
        wanted = slugify(post.slug or post.title) or f"post-{post.post_id}"
        page = ArticlePage(slug=find_available_slug(section, wanted))
        self.fill(page, post)
        self.set_tags(page, post)
        return batch.add_article(self.shelf, section, page, STATUSES[post.status], post.date)

    def update(self, page: ArticlePage, post: Post) -> ArticlePage:
        self.fill(page, post)
        self.set_tags(page, post)
        revision = page.save_revision()
        if STATUSES[post.status] == "published":
            revision.publish()
        return page

    def set_tags(self, page: ArticlePage, post: Post) -> None:
        section_keys = set(self.mapping.sections)
        names = [
            name
            for slug, name in post.categories + post.tags
            if name and slug.lower() not in section_keys and name.lower() not in section_keys
            and name.lower() != "uncategorized"
        ]  # fmt: skip
        page.tags.set(names, clear=True) if names else page.tags.clear()

    def section(self, title: str) -> SectionPage:
        if title in self.sections and self.sections[title] is not None:
            return self.sections[title]  # type: ignore[return-value]
        assert self.home is not None
        slug = slugify(title) or "news"
        found = SectionPage.objects.child_of(self.home).filter(slug=slug).first()
        if found is None:
            found = SectionPage(title=title, slug=slug)
            self.home.add_child(instance=found)
            found.save_revision().publish()
        self.sections[title] = found
        return found

    def author(self, login: str) -> Author:
        if login in self.authors:
            return self.authors[login]
        wxr = self.export.authors.get(login) or WXRAuthor(login or "unknown", "", login or "Staff")
        record = core.recorded(SOURCE, "author", wxr.login)
        author = record.target if record is not None else None
        if author is None:
            name = wxr.display_name
            author = Author.objects.filter(name=name).first()
            if author is None:
                slug, n = slugify(name) or "author", 1
                while Author.objects.filter(slug=slug).exists():
                    n += 1
                    slug = f"{slugify(name) or 'author'}-{n}"
                author = Author.objects.create(
                    name=name,
                    slug=slug,
                    kind=Author.Kind.ORGANISATION
                    if self.mapping.is_agency(wxr.login, name)
                    else Author.Kind.PERSON,
                )
                self.report.authors += 1
            core.record(SOURCE, "author", wxr.login, author)
        self.authors[login] = author
        return author

    # Old URLs ------------------------------------------------------------------------

    def redirects(self, post: Post, page: ArticlePage) -> None:
        page_url = page.url or ""
        for old in {post.link, post.guid, f"/?p={post.post_id}"}:
            if old and core.redirect_to_page(old, page):
                self.report.redirects += 1
        if post.link:
            feed = urlsplit(post.link).path.rstrip("/") + "/feed/"
            if core.redirect_to_page(feed, page):
                self.report.redirects += 1
        if post.link and urlsplit(post.link).path.rstrip("/") != page_url.rstrip("/"):
            self.report.url_changes.append((urlsplit(post.link).path, page_url))

    def archive_redirects(self) -> None:
        """Category and tag archives and the feeds, to the section, tag page or feed."""
        pairs = [("/feed/", "/feeds/rss.xml"), ("/feed/atom/", "/feeds/atom.xml")]
        for slug, name in self.export.categories.items():
            if not slug:
                continue
            mapped = self.mapping.sections.get(slug.lower()) or self.mapping.sections.get(
                name.lower()
            )
            if mapped:
                section = self.section(mapped)
                core.redirect_to_page(f"/category/{slug}/", section)
                pairs.append((f"/category/{slug}/feed/", f"/feeds/{section.slug}/rss.xml"))
                self.report.redirects += 1
            elif name.lower() != "uncategorized":
                pairs.append((f"/category/{slug}/", f"/tags/{slugify(name)}/"))
        for slug, name in self.export.tags.items():
            if slug:
                pairs.append((f"/tag/{slug}/", f"/tags/{slugify(name)}/"))
        # Every author the export names, not only those met in this run: a re-run
        # after a kill passes over the stories already in.
        for login in self.export.authors:
            record = core.recorded(SOURCE, "author", login)
            author = Author.objects.filter(pk=record.object_id).first() if record else None
            if author is not None:
                pairs.append((f"/author/{login}/", author.get_absolute_url()))
        for old, new in pairs:
            if core.redirect_to_link(old, new):
                self.report.redirects += 1

    def comments(self) -> None:
        articles = core.Articles(self.pages)
        self.report.comments = import_comments(self.export.data, "wordpress", articles=articles)


def run(
    path: str | Path,
    *,
    media: str | Path | None = None,
    mapping: str | Path | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    batch_size: int = batch.DEFAULT_SIZE,
    fetch: bool = False,
    site: str = "",
    fetch_private: bool = False,
) -> Report:
    folder = media_folder(media, fetch)
    export = read(path)
    fetcher = Fetcher(site or export.site, allow_private=fetch_private) if fetch else None
    return WordPressImport(
        export,
        Mapping.load(mapping),
        folder,
        dry_run=dry_run,
        progress=progress,
        batch_size=batch_size,
        fetcher=fetcher,
    ).run()
