"""Import a WordPress eXtended RSS export (WXR 1.1 or 1.2, Tools > Export).

Posts become articles (published, scheduled, drafts as drafts; private and trashed
posts are skipped with the reason), categories and tags sections or tags as the
mapping says, ``wp:author`` authors, attachments photos, and the comments go
through the comment import, linked to the new articles. Every old URL answers 301.

wxr.py reads the file into plain records (safely: see there); this module makes them
stories that stories.py stores, as for Ghost and Substack.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.utils.text import slugify

from dateline.comments.imports import import_comments
from dateline.importers import batch, core
from dateline.importers.content import Converted
from dateline.importers.core import Mapping, PhotoStore, Report, media_folder
from dateline.importers.fetch import Fetcher
from dateline.importers.stories import Byline, LeadImage, Progress, Story, StoryImport
from dateline.importers.wxr import Export, Post, read

SOURCE = "wordpress"
# What WordPress calls a post's state, and what we do with it.
STATUSES = {"publish": "published", "future": "scheduled", "draft": "draft", "pending": "draft"}
SKIP_REASONS = {
    "private": "private at WordPress (readers never saw it)",
    "trash": "in WordPress's trash",
    "auto-draft": "an auto-draft WordPress made, never written",
    "inherit": "a revision",
}


def story(post: Post, export: Export) -> Story:
    terms = post.categories + post.tags
    lead = None
    if post.thumbnail_id:
        attachment = export.attachments.get(post.thumbnail_id)
        lead = LeadImage(
            attachment.url if attachment else "",
            missing="" if attachment else f"attachment {post.thumbnail_id} not in the export",
        )
    old_paths = [urlsplit(post.link).path or "/"] if post.link else []
    old_paths += [p for p in (post.guid, f"/?p={post.post_id}") if p]
    if post.link:
        old_paths.append(urlsplit(post.link).path.rstrip("/") + "/feed/")
    return Story(
        source_id=post.post_id,
        label=post.label,
        title=post.title,
        slug=post.slug,
        status=STATUSES[post.status],
        date=post.date,
        content=post.content,
        print_=post.print_(),
        terms=terms,
        hidden_terms={slug for slug, name in terms if name.lower() == "uncategorized"},
        authors=[post.creator],
        excerpt=post.excerpt,
        lead=lead,
        old_paths=old_paths,
    )


class WordPressImport(StoryImport):
    source = SOURCE
    lead_word = "featured image"

    def __init__(self, export: Export, mapping: Mapping, media: Path | None = None, **kwargs: Any):
        bylines = {
            login: Byline(login, author.display_name or login)
            for login, author in export.authors.items()
        }
        super().__init__(mapping, bylines, media, **kwargs)
        self.export = export
        for attachment in export.attachments.values():
            key = PhotoStore.SIZED.sub("", attachment.url)
            self.photos.details[key] = (
                attachment.caption, attachment.credit, attachment.alt, attachment.title
            )  # fmt: skip

    def convert(self, story: Story) -> Converted:
        return self.builder.convert(story.content)

    def run(self, stories: list[Story] | None = None) -> Report:
        self.report.skipped.extend(self.export.others)
        kept = []
        for post in self.export.posts:
            reason = SKIP_REASONS.get(post.status)
            if reason or post.status not in STATUSES:
                self.report.read += 1
                self.report.skipped.append(f"{post.label}: {reason or post.status + ' status'}")
            else:
                kept.append(story(post, self.export))
        report = super().run(kept)
        if not self.dry_run:
            report.comments = import_comments(
                self.export.data, "wordpress", articles=core.Articles(self.pages)
            )
        return report

    def archive_redirects(self) -> list[tuple[str, str]]:
        """Category and tag archives and the feeds, to the section, tag page or feed."""
        pairs = [("/feed/", "/feeds/rss.xml"), ("/feed/atom/", "/feeds/atom.xml")]
        for slug, name in self.export.categories.items():
            if not slug:
                continue
            link, section = self.section_or_tag(slug, name)
            if section is not None:
                if core.redirect_to_page(f"/category/{slug}/", section):
                    self.report.redirects += 1
                pairs.append((f"/category/{slug}/feed/", f"/feeds/{section.slug}/rss.xml"))
            elif name.lower() != "uncategorized":
                pairs.append((f"/category/{slug}/", link))
        for slug, name in self.export.tags.items():
            if slug:
                pairs.append((f"/tag/{slug}/", f"/tags/{slugify(name)}/"))
        # Every author the export names, not only those met in this run: a re-run
        # after a kill passes over the stories already in.
        for login in self.export.authors:
            author = self.recorded_author(login)
            if author is not None:
                pairs.append((f"/author/{login}/", author.get_absolute_url()))
        return pairs


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
    return WordPressImport(
        export,
        Mapping.load(mapping),
        folder,
        dry_run=dry_run,
        progress=progress,
        batch_size=batch_size,
        fetcher=Fetcher(site or export.site, allow_private=fetch_private) if fetch else None,
    ).run()
