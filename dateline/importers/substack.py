"""Import a Substack export archive (Settings > Exports: a .zip).

In it: ``posts.csv`` (post_id,post_date,is_published,email_sent_at,inbox_sent_at,
type,audience,title,subtitle,podcast_url; ``post_id`` is ``<number>.<slug>``),
each post's body as ``posts/<post_id>.html``, and the email list as
``email_list.<publication>.csv``. Posts become articles in the mapping's default
section, the subtitle is the standfirst, each old ``/p/<slug>`` answers 301, and
the email list goes to the newsletter with its consent evidence.

The whole archive is checked (every member's CRC, posts.csv's columns) before
anything is written: a truncated or damaged zip imports nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from lxml import html as lxml_html
from lxml.etree import ParserError

from dateline.importers import core
from dateline.importers.batch import DEFAULT_SIZE
from dateline.importers.content import Converted
from dateline.importers.core import ImportFailed, Mapping, Report
from dateline.importers.fetch import Fetcher
from dateline.importers.stories import Byline, Progress, Story, StoryImport

SOURCE = "substack"
COLUMNS = {"post_id", "post_date", "is_published", "type", "title"}
TRUE = {"true", "1", "yes", "t"}
# Substack keeps images on its CDN, under the S3 path .../public/images/<name>.
MARKER = "/public/images/"
SIZED = re.compile(r"_\d+x\d+(?=\.[A-Za-z0-9]+$)")
STAFF = "substack-byline"
AUDIENCES = {
    "only_paid": "paying subscribers",
    "founding": "founding members",
    "only_free": "subscribers",
}


@dataclass
class Export:
    path: str
    stories: list[Story]
    skipped: list[str]
    notes: list[str]
    email_list: tuple[str, bytes, datetime.date] | None  # name, bytes, date of the export


def _date(value: str) -> datetime.datetime | None:
    value = value.strip()
    if not value:
        return None
    parsed = parse_datetime(value.replace("Z", "+00:00"))
    if parsed is None and (day := parse_date(value)) is not None:
        parsed = datetime.datetime.combine(day, datetime.time())
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=datetime.UTC)


def open_archive(path: str | Path) -> tuple[str, dict[str, bytes], dict[str, datetime.date]]:
    """Every member's bytes, read and CRC-checked now, so a damaged zip fails whole."""
    name = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ImportFailed(f"Cannot read {name}: no such file.") from None
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportFailed(
            f"{name}: this is not a readable zip archive ({error}); it may be truncated: "
            "download the export again."
        ) from None
    files: dict[str, bytes] = {}
    dates: dict[str, datetime.date] = {}
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            try:
                files[info.filename] = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
                raise ImportFailed(
                    f"{name}: {info.filename} inside it cannot be read ({error}); the archive "
                    "is truncated or damaged: download the export again. Nothing was imported."
                ) from None
            dates[info.filename] = datetime.date(*info.date_time[:3])
    return name, files, dates


def _html(data: bytes) -> str:
    return data.decode("utf-8-sig", errors="replace")


def tidy(body: str) -> str:
    """Substack's own wrappers as the plain HTML the body builder reads."""
    if not body.strip():
        return ""
    try:
        root = lxml_html.fragment_fromstring(body, create_parent="div")
    except (ParserError, ValueError):
        return body  # the builder reports what it cannot read
    for el in root.xpath(
        './/div[contains(@class, "subscription-widget")]|.//p[contains(@class, "button-wrapper")]'
    ):
        el.drop_tree()  # "Subscribe" buttons: Dateline has its own
    for el in root.xpath('.//div[contains(@class, "captioned-image-container")]'):
        el.drop_tag()  # keep the <figure> inside
    for el in root.xpath('.//div[contains(@class, "youtube-wrap")]'):
        found = re.search(r'"videoId"\s*:\s*"([\w-]+)"', el.get("data-attrs") or "")
        if found:
            el.tag, el.attrib["class"] = "figure", "wp-block-embed"
            for child in list(el):
                el.remove(child)
            el.text = f"https://www.youtube.com/watch?v={found.group(1)}"
    for picture in root.xpath(".//picture"):
        picture.drop_tag()
    for source in root.xpath(".//source"):
        source.drop_tag()  # libxml2 nests the <img> inside: keep it
    return (root.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )


def read(path: str | Path) -> Export:
    name, files, dates = open_archive(path)
    posts_csv = next((f for f in files if f.rsplit("/", 1)[-1] == "posts.csv"), None)
    if posts_csv is None:
        raise ImportFailed(f"{name}: no posts.csv in it; this is not a Substack export.")
    prefix = posts_csv[: -len("posts.csv")]
    text = files[posts_csv].decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = COLUMNS - set(reader.fieldnames or [])
    if missing:
        raise ImportFailed(
            f"{name}: {posts_csv} lacks the columns {', '.join(sorted(missing))}; "
            "this is not a Substack export we know."
        )
    stories: list[Story] = []
    skipped: list[str] = []
    notes: list[str] = []
    try:
        rows = list(reader)
    except csv.Error as error:
        raise ImportFailed(f"{name}: {posts_csv}, line {reader.line_num}: {error}.") from None
    now = timezone.now()
    for number, row in enumerate(rows, start=2):
        post_id = (row.get("post_id") or "").strip()
        title = (row.get("title") or "").strip()
        label = f"post {post_id} (posts.csv line {number}) {title[:60]!r}"
        if not post_id:
            raise ImportFailed(f"{name}: {posts_csv}, line {number}: a post without a post_id.")
        kind = (row.get("type") or "newsletter").strip()
        if kind not in ("newsletter", "podcast"):
            skipped.append(f"{label}: a {kind}, not a post")
            continue
        slug = post_id.split(".", 1)[1] if "." in post_id else ""
        body_name = f"{prefix}posts/{post_id}.html"
        if body_name not in files:
            skipped.append(f"{label}: no posts/{post_id}.html in the archive")
            continue
        body = _html(files[body_name])
        date = _date(row.get("post_date") or "")
        published = (row.get("is_published") or "").strip().lower() in TRUE
        status = ("scheduled" if date and date > now else "published") if published else "draft"
        audience = (row.get("audience") or "everyone").strip()
        if audience not in ("everyone", ""):
            who = AUDIENCES.get(audience, audience.replace("_", " "))
            notes.append(f"{label}: for {who} only at Substack; public here")
        podcast = (row.get("podcast_url") or "").strip()
        if podcast:
            body += f'<p><a href="{podcast}">Listen to the episode</a></p>'
            notes.append(f"{label}: a podcast episode; its audio stays at Substack, linked")
        subtitle = (row.get("subtitle") or "").strip()
        stories.append(
            Story(
                source_id=post_id.split(".", 1)[0],
                label=label,
                title=title,
                slug=slug,
                status=status,
                date=date,
                content=body,
                print_=core.fingerprint(title, subtitle, slug, status, date, body),
                authors=[STAFF],
                excerpt=subtitle,
                old_paths=[f"/p/{slug}"] if slug else [],
            )
        )
    email_list = None
    for member in sorted(files):
        base = member.rsplit("/", 1)[-1]
        if base.startswith("email_list") and base.endswith(".csv"):
            email_list = (base, files[member], dates[member])
            break
    return Export(name, stories, skipped, notes, email_list)


class SubstackImport(StoryImport):
    source = SOURCE

    def __init__(
        self, export: Export, mapping: Mapping, media: Path | None, *, author: str, **kwargs: Any
    ) -> None:
        bylines = {STAFF: Byline(STAFF, author)} if author else {}
        super().__init__(mapping, bylines, media, marker=MARKER, sized=SIZED, **kwargs)
        self.export = export
        self.byline = author
        self.report.skipped.extend(export.skipped)
        self.report.notes.extend(export.notes)

    def run(self, stories: list[Story]) -> Report:
        if not self.byline:
            for story in stories:
                story.authors = []
        return super().run(stories)

    def convert(self, story: Story) -> Converted:
        return self.builder.convert(tidy(story.content))

    def archive_redirects(self) -> list[tuple[str, str]]:
        return [("/feed", "/feeds/rss.xml"), ("/archive", "/")]


def run(
    path: str | Path,
    *,
    media: str | Path | None = None,
    mapping: str | Path | None = None,
    author: str = "",
    dry_run: bool = False,
    subscribers: bool = True,
    confirm_by_mail: bool = False,
    operator: str = "",
    exported_on: datetime.date | None = None,
    progress: Progress | None = None,
    batch_size: int = DEFAULT_SIZE,
    fetch: bool = False,
    site: str = "",
    fetch_private: bool = False,
) -> Report:
    from dateline.importers import subscribers as lists

    export = read(path)
    if subscribers and export.email_list is not None:
        # An email list we cannot read stops the run before any story is written.
        lists.table(export.email_list[1], "Substack", export.email_list[0])
    folder = core.media_folder(media, fetch)
    report = SubstackImport(
        export,
        Mapping.load(mapping),
        folder,
        author=author,
        dry_run=dry_run,
        progress=progress,
        batch_size=batch_size,
        fetcher=Fetcher(site, allow_private=fetch_private) if fetch else None,
    ).run(export.stories)
    if subscribers and export.email_list is not None:
        list_name, data, day = export.email_list
        report.subscribers = lists.substack_list(
            data,
            file_name=list_name,
            exported_on=exported_on or day,
            operator=operator,
            confirm_by_mail=confirm_by_mail,
            dry_run=dry_run,
        )
    return report
