"""Import a WordPress eXtended RSS export (WXR 1.1 or 1.2, Tools > Export).

Posts become articles (published, scheduled, drafts as drafts; private and trashed
posts are skipped with the reason), categories and tags sections or tags as the
mapping says, ``wp:author`` authors, attachments photos, and the comments go
through the comment import, linked to the new articles. Every old URL answers 301.

The file is read with lxml with entities off, no network and no huge trees, and a
file that declares a DTD is refused: an export never has one, an attack always does.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator, slugify
from lxml import etree
from wagtail.coreutils import find_available_slug
from wagtail.models import Revision

from dateline.comments.imports import import_comments
from dateline.importers import core
from dateline.importers.content import BodyBuilder
from dateline.importers.core import ImportFailed, Mapping, PhotoStore, Report
from dateline.newsroom.models import ArticleAuthor, ArticlePage, Author, HomePage, SectionPage

SOURCE = "wordpress"
VERSIONS = {
    "http://wordpress.org/export/1.1/": "1.1",
    "http://wordpress.org/export/1.2/": "1.2",
}
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
# What WordPress calls a post's state, and what we do with it.
STATUSES = {"publish": "published", "future": "scheduled", "draft": "draft", "pending": "draft"}
SKIP_REASONS = {
    "private": "private at WordPress (readers never saw it)",
    "trash": "in WordPress's trash",
    "auto-draft": "an auto-draft WordPress made, never written",
    "inherit": "a revision",
}

Progress = Callable[[int, int], None]


@dataclass
class Attachment:
    url: str
    title: str
    caption: str
    alt: str
    credit: str


@dataclass
class Post:
    post_id: str
    line: int
    title: str
    link: str
    guid: str
    slug: str
    status: str
    creator: str
    content: str
    excerpt: str
    date: datetime.datetime | None
    categories: list[tuple[str, str]] = field(default_factory=list)
    tags: list[tuple[str, str]] = field(default_factory=list)
    thumbnail_id: str = ""
    comment_count: int = 0

    def print_(self) -> str:
        return core.fingerprint(
            self.title, self.slug, self.status, self.creator, self.content, self.excerpt,
            self.date, self.categories, self.tags, self.thumbnail_id,
        )  # fmt: skip

    @property
    def label(self) -> str:
        return f"post {self.post_id} (line {self.line}) {self.title[:60]!r}"


@dataclass
class WXRAuthor:
    login: str
    email: str
    display_name: str


@dataclass
class Export:
    path: str
    version: str
    site: str
    posts: list[Post]
    attachments: dict[str, Attachment]
    authors: dict[str, WXRAuthor]
    categories: dict[str, str]  # slug -> name
    tags: dict[str, str]
    others: list[str]  # what was left out, and why
    data: bytes


def _t(element: Any, path: str, ns: dict[str, str] | None = None) -> str:
    found = element.find(path, ns)
    return (found.text or "").strip() if found is not None and found.text else ""


def _date(value: str) -> datetime.datetime | None:
    if not value or value.startswith("0000"):
        return None
    parsed = parse_datetime(value.replace(" ", "T"))
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=datetime.UTC)


def _php_string(serialised: str, key: str) -> str:
    """One string value from PHP's serialize() output (_wp_attachment_metadata)."""
    found = re.search(rf's:\d+:"{re.escape(key)}";s:\d+:"(.*?)";', serialised, re.S)
    return found.group(1).strip() if found else ""


def read(path: str | Path) -> Export:
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ImportFailed(f"Cannot read {name}: {error.strerror or error}.") from None
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, strip_cdata=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = f", line {error.lineno}" if error.lineno else ""
        raise ImportFailed(f"{name}{line}: this is not well-formed XML ({error.msg}).") from None
    doctype = root.getroottree().docinfo
    if doctype.internalDTD is not None or doctype.doctype:
        raise ImportFailed(
            f"{name}, line 1: the file declares a DTD (entities); a WordPress export never "
            "does, and we refuse it rather than risk an entity-expansion attack."
        )
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ImportFailed(f"{name}: this is not a WordPress export (no <rss><channel> in it).")
    wp_ns = root.nsmap.get("wp", "")
    version_text = _t(channel, f"{{{wp_ns}}}wxr_version") if wp_ns else ""
    version = VERSIONS.get(wp_ns)
    if version is None or version_text not in ("1.1", "1.2"):
        raise ImportFailed(
            f"{name}: WXR version {version_text or wp_ns or 'unknown'!r} is not one we know "
            "(we read 1.1 and 1.2, what WordPress 3.x to 6.x export)."
        )
    wp = f"{{{wp_ns}}}"
    excerpt_tag = f"{{{wp_ns}excerpt/}}encoded"
    site = _t(channel, f"{wp}base_blog_url") or _t(channel, "link")

    authors = {}
    for a in channel.findall(f"{wp}author"):
        login = _t(a, f"{wp}author_login")
        if login:
            authors[login] = WXRAuthor(
                login=login,
                email=_t(a, f"{wp}author_email"),
                display_name=_t(a, f"{wp}author_display_name")
                or f"{_t(a, f'{wp}author_first_name')} {_t(a, f'{wp}author_last_name')}".strip()
                or login,
            )
    categories = {
        _t(c, f"{wp}category_nicename"): _t(c, f"{wp}cat_name")
        for c in channel.findall(f"{wp}category")
    }
    tags = {_t(t, f"{wp}tag_slug"): _t(t, f"{wp}tag_name") for t in channel.findall(f"{wp}tag")}

    posts: list[Post] = []
    attachments: dict[str, Attachment] = {}
    others: list[str] = []
    for item in channel.findall("item"):
        post_id = _t(item, f"{wp}post_id")
        kind = _t(item, f"{wp}post_type")
        meta = {
            _t(m, f"{wp}meta_key"): _t(m, f"{wp}meta_value") for m in item.findall(f"{wp}postmeta")
        }
        if not post_id:
            raise ImportFailed(f"{name}, line {item.sourceline}: an <item> without a wp:post_id.")
        if kind == "attachment":
            metadata = meta.get("_wp_attachment_metadata", "")
            attachments[post_id] = Attachment(
                url=_t(item, f"{wp}attachment_url") or _t(item, "guid"),
                title=_t(item, "title"),
                caption=_t(item, excerpt_tag) or _php_string(metadata, "caption"),
                alt=meta.get("_wp_attachment_image_alt", ""),
                credit=_php_string(metadata, "credit"),
            )
            continue
        if kind != "post":
            others.append(f"{kind or 'item'} {post_id} (line {item.sourceline}): not a post")
            continue
        post = Post(
            post_id=post_id,
            line=item.sourceline or 0,
            title=_t(item, "title"),
            link=_t(item, "link"),
            guid=_t(item, "guid"),
            slug=_t(item, f"{wp}post_name"),
            status=_t(item, f"{wp}status"),
            creator=_t(item, DC_CREATOR),
            content=_t(item, CONTENT),
            excerpt=_t(item, excerpt_tag),
            date=_date(_t(item, f"{wp}post_date_gmt")) or _date(_t(item, f"{wp}post_date")),
            thumbnail_id=meta.get("_thumbnail_id", ""),
            comment_count=len(item.findall(f"{wp}comment")),
        )
        for term in item.findall("category"):
            pair = (term.get("nicename", ""), (term.text or "").strip())
            if term.get("domain") == "category":
                post.categories.append(pair)
            elif term.get("domain") == "post_tag":
                post.tags.append(pair)
        posts.append(post)
    return Export(name, version, site, posts, attachments, authors, categories, tags, others, data)


class WordPressImport:
    def __init__(
        self,
        export: Export,
        mapping: Mapping,
        media: Path | None = None,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> None:
        self.export = export
        self.mapping = mapping
        self.dry_run = dry_run
        self.progress = progress
        self.report = Report(source=SOURCE, dry_run=dry_run)
        self.photos = PhotoStore(media, self.report, dry_run=dry_run)
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
        self.pages: dict[str, ArticlePage] = {}

    # The run ---------------------------------------------------------------------

    def run(self) -> Report:
        home = HomePage.objects.first()
        if home is None and not self.dry_run:
            raise ImportFailed(
                "There is no Dateline home page to import under yet: set the site up first."
            )
        self.home = home
        self.report.skipped.extend(self.export.others)
        total = len(self.export.posts)
        for done, post in enumerate(self.export.posts, start=1):
            self.report.read += 1
            reason = SKIP_REASONS.get(post.status)
            if reason or post.status not in STATUSES:
                self.report.skipped.append(f"{post.label}: {reason or post.status + ' status'}")
            else:
                self.post(post)
            if self.progress:
                self.progress(done, total)
        if not self.dry_run:
            with transaction.atomic():
                self.archive_redirects()
            self.comments()
        return self.report

    def post(self, post: Post) -> None:
        section_title = self.mapping.section_for(post.categories + post.tags)
        existing = core.recorded(SOURCE, "post", post.post_id)
        before = ArticlePage.objects.filter(pk=existing.object_id).first() if existing else None
        if before is None:
            existing = None  # never imported, or an editor deleted it: bring it back
        if self.dry_run:
            self.dry_post(post, section_title, existing)
            return
        print_ = post.print_()
        if existing is not None and existing.fingerprint == print_:
            self.report.unchanged += 1
            self.pages[post.post_id] = before  # type: ignore[assignment]
            return
        # One story, its record and its redirects together: a run killed here leaves
        # the story whole or absent, never half there (nor half published).
        with transaction.atomic():
            if before is None:
                page = self.create(post, section_title)
                self.report.created += 1
            else:
                page = self.update(before, post)
                self.report.updated += 1
            core.record(SOURCE, "post", post.post_id, page, print_)
            self.redirects(post, page)
        self.pages[post.post_id] = page
        self.report.by_status[STATUSES[post.status]] += 1
        self.report.per_section[section_title] += 1

    def dry_post(self, post: Post, section_title: str, existing: Any) -> None:
        converted = self.builder.convert(post.content)
        self.note(post, converted)
        if existing is None:
            self.report.created += 1
            slug = slugify(post.slug or post.title) or f"post-{post.post_id}"
            new = f"/{slugify(section_title)}/{slug}/"
            if post.link and urlsplit(post.link).path != new:
                self.report.url_changes.append((urlsplit(post.link).path or "/", new))
        elif existing.fingerprint == post.print_():
            self.report.unchanged += 1
        else:
            self.report.updated += 1
        self.report.by_status[STATUSES[post.status]] += 1
        self.report.per_section[section_title] += 1

    def note(self, post: Post, converted: Any) -> None:
        self.report.unknown_blocks += [f"{post.label}: {u}" for u in converted.unknown]
        self.report.missing_images += [f"{post.label}: {m}" for m in converted.missing_images]
        lead = self.export.attachments.get(post.thumbnail_id)
        if post.thumbnail_id and (lead is None or self.photos.photo_id(lead.url) is None):
            where = lead.url if lead else f"attachment {post.thumbnail_id} not in the export"
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
        status = STATUSES[post.status]
        page.live = False
        if status == "published":
            page.published_at = page.first_published_at = post.date
        elif status == "scheduled":
            # Not live until Wagtail's publish_scheduled reaches it (as the demo loader).
            page.go_live_at = post.date
        section.add_child(instance=page)
        self.set_tags(page, post)
        revision = page.save_revision()
        if status == "published":
            revision.publish()
            if post.date:
                # The story's own date in the history too, as the demo loader does.
                Revision.objects.filter(pk=revision.pk).update(created_at=post.date)
                ArticlePage.objects.filter(pk=page.pk).update(
                    published_at=post.date,
                    last_published_at=post.date,
                    latest_revision_created_at=post.date,
                )
        elif status == "scheduled":
            revision.publish()
            # Wagtail signals a publish when it only schedules; the date is set at go-live.
            ArticlePage.objects.filter(pk=page.pk).update(published_at=None)
        page.refresh_from_db()
        return page

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
        articles = {post_id: page for post_id, page in self.pages.items()}
        self.report.comments = import_comments(self.export.data, "wordpress", articles=articles)


def run(
    path: str | Path,
    *,
    media: str | Path | None = None,
    mapping: str | Path | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Report:
    export = read(path)
    folder = Path(media) if media else None
    if folder is not None and not folder.is_dir():
        raise ImportFailed(f"The media folder {folder} does not exist.")
    return WordPressImport(
        export, Mapping.load(mapping), folder, dry_run=dry_run, progress=progress
    ).run()
