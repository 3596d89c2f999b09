"""Import a Ghost JSON export (Settings > Labs > Export, Ghost 1.x to 6.x).

The file is ``{"db": [{"meta": {"exported_on", "version"}, "data": {tables}}]}``:
``posts`` (Lexical or Mobiledoc content), ``posts_meta`` (feature image alt text and
caption since Ghost 5), ``tags`` and ``posts_tags`` (the first is the primary tag),
``users`` and ``posts_authors``. Posts become articles, the primary tag picks the
section through the mapping, users become authors with their bios, and each old
``/slug/`` answers 301. The members CSV (``--members``) goes to the newsletter.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dateline.importers import core
from dateline.importers.batch import DEFAULT_SIZE
from dateline.importers.content import Converted
from dateline.importers.core import ImportFailed, Mapping, Report
from dateline.importers.fetch import Fetcher
from dateline.importers.ghost_content import convert_lexical, convert_mobiledoc
from dateline.importers.stories import Byline, LeadImage, Progress, Story, StoryImport

SOURCE = "ghost"
# The Ghost versions whose export we have read (1.0 brought Mobiledoc, 5.0 Lexical).
MAJOR_VERSIONS = range(1, 7)
STATUSES = {"published": "published", "scheduled": "scheduled", "draft": "draft"}
# Ghost's resized copies: /content/images/size/w600/2024/03/x.jpg is /content/images/2024/03/x.jpg.
SIZED = re.compile(r"/size/w\d+(?:h\d+)?(?:/format/[a-z]+)?(?=/)")
MARKER = "/content/images/"
AUDIENCES = {"members": "members", "paid": "paying members", "tiers": "some tiers' members"}


@dataclass
class Export:
    path: str
    version: str
    exported_on: datetime.datetime | None
    stories: list[Story]
    bylines: dict[str, Byline]
    tags: dict[str, tuple[str, str]]  # id -> (slug, name)
    skipped: list[str]
    notes: list[str]


def _date(value: Any) -> datetime.datetime | None:
    """Ghost's dates: ISO strings since 2.0, milliseconds since the epoch before."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return datetime.datetime.fromtimestamp(value / 1000, tz=datetime.UTC)
    parsed = parse_datetime(str(value).replace(" ", "T"))
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=datetime.UTC)


def _plain(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def _document(name: str, post: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """("lexical" | "mobiledoc" | "html", the parsed document) of one post."""
    for kind in ("lexical", "mobiledoc"):
        raw = post.get(kind)
        if not raw:
            continue
        try:
            document = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError as error:
            raise ImportFailed(
                f"{name}: post {post.get('id')} ({post.get('slug')!r}): its {kind} is not "
                f"valid JSON (line {error.lineno} column {error.colno}: {error.msg})."
            ) from None
        if isinstance(document, dict):
            return kind, document
    return "html", {"html": post.get("html") or ""}


def load(path: str | Path) -> tuple[str, dict[str, Any]]:
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ImportFailed(f"Cannot read {name}: {error.strerror or error}.") from None
    except UnicodeDecodeError:
        raise ImportFailed(f"{name}: this is not UTF-8 text, so not a Ghost export.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFailed(
            f"{name}, line {error.lineno} column {error.colno} (character {error.pos}): "
            f"this is not valid JSON ({error.msg})."
        ) from None
    db = data.get("db") if isinstance(data, dict) else None
    if isinstance(db, list) and db:
        data = db[0]
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        raise ImportFailed(
            f'{name}: this is not a Ghost export (no {{"db": [{{"meta", "data"}}]}} in it).'
        )
    version = str((data.get("meta") or {}).get("version", ""))
    major = version.split(".")[0]
    if not major.isdigit() or int(major) not in MAJOR_VERSIONS or "." not in version:
        raise ImportFailed(
            f"{name}: Ghost version {version or 'unknown'!r} is not one we know (we read "
            "exports of Ghost 1.x to 6.x; an older Ghost writes another format)."
        )
    return name, data


def read(path: str | Path) -> Export:
    name, data = load(path)
    meta, tables = data.get("meta") or {}, data["data"]
    rows = {key: tables.get(key) or [] for key in tables}
    for key in ("posts", "tags", "users", "posts_tags", "posts_authors", "posts_meta"):
        if not isinstance(rows.get(key, []), list):
            raise ImportFailed(f"{name}: data.{key} should be a list.")
    tags = {
        str(t.get("id")): (t.get("slug") or "", t.get("name") or "") for t in rows.get("tags", [])
    }
    internal = {
        str(t.get("id"))
        for t in rows.get("tags", [])
        if t.get("visibility") == "internal" or str(t.get("name", "")).startswith("#")
    }
    bylines = {
        str(u.get("id")): Byline(
            key=str(u.get("id")),
            name=u.get("name") or u.get("slug") or "Staff",
            slug=u.get("slug") or "",
            bio=u.get("bio") or "",
            url=u.get("website") or "",
        )
        for u in rows.get("users", [])
    }
    post_tags: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for n, link in enumerate(rows.get("posts_tags", [])):
        post_tags[str(link.get("post_id"))].append(
            (link.get("sort_order", n) or 0, str(link.get("tag_id")))
        )
    post_authors: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for n, link in enumerate(rows.get("posts_authors", [])):
        post_authors[str(link.get("post_id"))].append(
            (link.get("sort_order", n) or 0, str(link.get("author_id")))
        )
    posts_meta = {str(m.get("post_id")): m for m in rows.get("posts_meta", [])}

    stories: list[Story] = []
    skipped: list[str] = []
    notes: list[str] = []
    for index, post in enumerate(rows.get("posts", [])):
        post_id = str(post.get("id") or "")
        if not post_id:
            raise ImportFailed(f"{name}: data.posts[{index}] has no id.")
        title = post.get("title") or ""
        label = f"post {post_id} {title[:60]!r}"
        kind = post.get("type") or ("page" if post.get("page") in (1, True) else "post")
        status = post.get("status") or ""
        if kind != "post":
            skipped.append(f"{label}: a {kind}, not a post")
            continue
        if status == "sent":
            skipped.append(f"{label}: sent by email only, never on the site")
            continue
        if status not in STATUSES:
            skipped.append(f"{label}: {status or 'no'} status")
            continue
        if post.get("visibility") not in (None, "", "public"):
            who = AUDIENCES.get(post["visibility"], f"{post['visibility']} readers")
            notes.append(f"{label}: for {who} only at Ghost; public here")
        format_, document = _document(name, post)
        tag_ids = [t for _, t in sorted(post_tags.get(post_id, []))]
        authors = [a for _, a in sorted(post_authors.get(post_id, []))]
        if not authors and post.get("author_id"):
            authors = [str(post["author_id"])]  # Ghost 1.x: one author on the post
        meta_row = posts_meta.get(post_id, {})
        lead = None
        if post.get("feature_image"):
            lead = LeadImage(
                url=post["feature_image"],
                caption=_plain(
                    post.get("feature_image_caption") or meta_row.get("feature_image_caption") or ""
                ),
                alt=post.get("feature_image_alt") or meta_row.get("feature_image_alt") or "",
            )
        slug = post.get("slug") or ""
        date = _date(post.get("published_at")) or _date(post.get("created_at"))
        excerpt = post.get("custom_excerpt") or ""
        terms = [tags[t] for t in tag_ids if t in tags]
        stories.append(
            Story(
                source_id=post_id,
                label=label,
                title=title,
                slug=slug,
                status=STATUSES[status],
                date=date,
                content=(format_, document),
                print_=core.fingerprint(
                    title,
                    slug,
                    status,
                    date,
                    excerpt,
                    document,
                    terms,
                    authors,
                    lead and (lead.url, lead.caption, lead.alt),
                ),
                terms=terms,
                hidden_terms={tags[t][0] for t in tag_ids if t in internal and t in tags},
                authors=authors,
                excerpt=excerpt,
                lead=lead,
                old_paths=[f"/{slug}/", f"/{slug}/amp/"] if slug else [],
            )
        )
    return Export(
        name, str(meta.get("version")), _date(meta.get("exported_on")), stories, bylines,
        tags, skipped, notes,
    )  # fmt: skip


class GhostImport(StoryImport):
    source = SOURCE

    def __init__(self, export: Export, mapping: Mapping, media: Path | None = None, **kwargs: Any):
        super().__init__(mapping, export.bylines, media, marker=MARKER, sized=SIZED, **kwargs)
        self.export = export
        self.report.skipped.extend(export.skipped)
        self.report.notes.extend(export.notes)

    def convert(self, story: Story) -> Converted:
        format_, document = story.content
        if format_ == "lexical":
            return convert_lexical(document, self.builder)
        if format_ == "mobiledoc":
            return convert_mobiledoc(document, self.builder)
        return self.builder.convert(document.get("html", ""))

    def archive_redirects(self) -> list[tuple[str, str]]:
        pairs = [("/rss/", "/feeds/rss.xml")]
        for slug, name in self.export.tags.values():
            if slug and not name.startswith("#"):
                link, section = self.section_or_tag(slug, name)
                pairs.append((f"/tag/{slug}/", link))
                if section is not None:
                    pairs.append((f"/tag/{slug}/rss/", f"/feeds/{section.slug}/rss.xml"))
        # Every author the export names, not only those met in this run: a re-run
        # after a kill passes over the stories already in.
        for key, byline in self.export.bylines.items():
            author = self.recorded_author(key)
            if author is not None and byline.slug:
                pairs.append((f"/author/{byline.slug}/", author.get_absolute_url()))
        return pairs


def run(
    path: str | Path,
    *,
    media: str | Path | None = None,
    mapping: str | Path | None = None,
    members: str | Path | None = None,
    dry_run: bool = False,
    confirm_by_mail: bool = False,
    operator: str = "",
    exported_on: datetime.date | None = None,
    progress: Progress | None = None,
    batch_size: int = DEFAULT_SIZE,
    fetch: bool = False,
    site: str = "",
    fetch_private: bool = False,
) -> Report:
    from dateline.importers import subscribers

    export = read(path)
    folder = core.media_folder(media, fetch)
    members_data = subscribers.read_file(members) if members else None
    if members_data is not None and members:
        # A members file we cannot read stops the run before any story is written.
        subscribers.table(members_data, "Ghost", Path(members).name)
    report = GhostImport(
        export,
        Mapping.load(mapping),
        folder,
        dry_run=dry_run,
        progress=progress,
        batch_size=batch_size,
        fetcher=Fetcher(site, allow_private=fetch_private) if fetch else None,
    ).run(export.stories)
    if members_data is not None and members:
        report.subscribers = subscribers.ghost_members(
            members_data,
            file_name=Path(members).name,
            exported_on=exported_on or subscribers.date_of(Path(members)),
            operator=operator,
            confirm_by_mail=confirm_by_mail,
            dry_run=dry_run,
        )
    return report
