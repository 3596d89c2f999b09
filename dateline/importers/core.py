"""What every import shares: the mapping file, the report, photos, redirects, ids.

A source module (wordpress.py; ghost.py and substack.py through stories.py) reads
its export into plain items and calls these to store them. Each story is stored in its own
transaction together with its ImportedItem and its redirects, so a run killed half
way leaves whole stories or none, and the next run takes up where it stopped.
"""

from __future__ import annotations

import collections.abc
import hashlib
import io
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import PIL.Image
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.db import models
from django.utils.text import slugify
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page

from dateline.importers.fetch import Fetcher, FetchFailed
from dateline.importers.models import ImportedItem
from dateline.newsroom.models import Photo


class ImportFailed(Exception):
    """A file we will not import, with a message naming the file and where."""


# The mapping ------------------------------------------------------------------


KEYS = {"default_section", "agencies", "unknown_blocks", "sections"}


@dataclass
class Mapping:
    """The operator's choices, from a TOML file (docs/importing.md).

    sections: a category or tag slug (or name) -> a section title.
    default_section: where stories with no mapped category go.
    agencies: author logins or names that are agencies, not people.
    unknown_blocks: "keep" (as sanitised HTML in a paragraph) or "drop"; both reported.
    """

    sections: dict[str, str] = field(default_factory=dict)
    default_section: str = "News"
    agencies: set[str] = field(default_factory=set)
    unknown_blocks: str = "keep"

    @classmethod
    def load(cls, path: str | Path | None) -> Mapping:
        if path is None:
            return cls()
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise ImportFailed(f"Cannot read the mapping {path}: {error.strerror}.") from None
        except tomllib.TOMLDecodeError as error:
            raise ImportFailed(f"The mapping {path} is not valid TOML: {error}.") from None
        unknown = data.get("unknown_blocks", "keep")
        if unknown not in ("keep", "drop"):
            raise ImportFailed(
                f'The mapping {path}: unknown_blocks is {unknown!r}; use "keep" or "drop".'
            )
        stray = sorted(set(data) - KEYS)
        if stray:
            raise ImportFailed(
                f"The mapping {path}: unknown key {stray[0]!r} (a typo?); the keys are "
                f"{', '.join(sorted(KEYS))}."
            )
        sections = data.get("sections", {})
        if not isinstance(sections, dict):
            raise ImportFailed(f"The mapping {path}: [sections] must be a table.")
        for key, value in sections.items():
            if not isinstance(value, str) or not value.strip():
                raise ImportFailed(
                    f"The mapping {path}: sections.{key} must be a section's title "
                    f"(a string), not {value!r}."
                )
        default = data.get("default_section", "News")
        if not isinstance(default, str) or not default.strip():
            raise ImportFailed(
                f"The mapping {path}: default_section must be a section's title (a string)."
            )
        agencies = data.get("agencies", [])
        if not isinstance(agencies, list) or not all(isinstance(a, str) for a in agencies):
            raise ImportFailed(
                f'The mapping {path}: agencies must be a list of names, like ["coastwire"].'
            )
        return cls(
            sections={str(k).lower(): v.strip() for k, v in sections.items()},
            default_section=default.strip(),
            agencies={a.lower() for a in agencies},
            unknown_blocks=unknown,
        )

    def section_for(self, terms: list[tuple[str, str]]) -> str:
        """The section for a story's (slug, name) categories then tags, in order."""
        for slug, name in terms:
            for key in (slug.lower(), name.lower()):
                if key in self.sections:
                    return self.sections[key]
        return self.default_section

    def is_agency(self, *names: str) -> bool:
        return any(n.lower() in self.agencies for n in names if n)


# The report -------------------------------------------------------------------


@dataclass
class Report:
    source: str
    dry_run: bool = False
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    per_section: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    unknown_blocks: list[str] = field(default_factory=list)
    missing_images: list[str] = field(default_factory=list)
    url_changes: list[tuple[str, str]] = field(default_factory=list)
    photos_stored: int = 0
    photos_reused: int = 0
    authors: int = 0
    redirects: int = 0
    comments: Any = None  # dateline.comments.imports.ImportResult
    notes: list[str] = field(default_factory=list)  # carried over, but not all of it
    subscribers: Any = None  # dateline.newsletter.imports.ImportResult


# Photos -----------------------------------------------------------------------


class PhotoStore:
    """Images from a local copy of the old site's uploads, stored once per content.

    Deduplicated by content hash (Wagtail's own file_hash, SHA-1 of the bytes): the
    same picture under two names, or imported twice, is one Photo.
    """

    # WordPress's resized copies: name-1024x768.jpg is a size of name.jpg.
    SIZED = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")

    def __init__(
        self,
        media: Path | None,
        report: Report,
        *,
        dry_run: bool = False,
        marker: str = "/uploads/",
        sized: re.Pattern[str] = SIZED,
        fetcher: Fetcher | None = None,
    ) -> None:
        """``marker``: where the media folder starts in an image's URL path; ``sized``:
        what a resized copy's URL has that the original's has not."""
        self.media = media
        self.report = report
        self.dry_run = dry_run
        self.marker = marker
        self.sized = sized
        self.by_url: dict[str, int | None] = {}
        self.fetcher = fetcher
        self.why: dict[str, str] = {}  # key -> why it could not be fetched
        # url -> (caption, credit, alt, title) from the export's attachments
        self.details: dict[str, tuple[str, str, str, str]] = {}

    def locate(self, url: str) -> Path | None:
        if self.media is None or not url:
            return None
        path = unquote(urlsplit(url).path)
        root = self.media.resolve()
        for whole in (path, self.sized.sub("", path)):
            marker = self.marker
            candidate = whole.split(marker, 1)[1] if marker in whole else whole.lstrip("/")
            found = (root / candidate).resolve()
            # Never outside the media folder, whatever the export's URL says.
            if found.is_relative_to(root) and found.is_file():
                return found
        return None

    def key(self, url: str) -> str:
        return self.sized.sub("", url)

    def explain(self, url: str) -> str:
        """The image's address, and why it was not fetched when that is known."""
        why = self.why.get(self.key(url))
        return f"{url} ({why})" if why else url

    def load(self, url: str) -> tuple[str, bytes] | None:
        """The image's file name and bytes, from --media or over HTTP with --fetch."""
        if self.fetcher is None:
            found = self.locate(url)
            return (found.name, found.read_bytes()) if found is not None else None
        if not url:
            return None
        data, why = None, ""
        # The original first (WordPress's resized copies are named after it).
        for candidate in dict.fromkeys([self.key(url), url]):
            try:
                data = self.fetcher.get(candidate)
                break
            except FetchFailed as error:
                why = why or str(error)
        if data is None:
            self.why[self.key(url)] = why
            return None
        try:
            with PIL.Image.open(io.BytesIO(data)) as image:
                image.verify()
        except Exception:
            self.why[self.key(url)] = "not an image"
            return None
        return Path(unquote(urlsplit(url).path)).name or "image", data

    def photo_id(self, url: str, alt: str = "") -> int | None:
        key = self.key(url)
        if key in self.by_url:
            return self.by_url[key]
        loaded = self.load(url)
        if loaded is None:
            self.by_url[key] = None
            return None
        if self.dry_run:
            self.by_url[key] = -1
            return -1
        name, data = loaded
        digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()  # Wagtail's file_hash
        caption, credit, own_alt, title = self.details.get(key, ("", "", "", ""))
        existing = Photo.objects.filter(file_hash=digest).first()
        if existing is None:
            existing = Photo(
                title=(title or caption or Path(name).stem)[:255],
                file=ImageFile(io.BytesIO(data), name=name),
                caption=caption[:500],
                credit=credit[:200],
                description=(own_alt or alt)[:255],
                file_hash=digest,
            )
            existing.save()
            self.report.photos_stored += 1
        else:
            # The same picture met first without its attachment's details (inside a
            # gallery, say): what the attachment says fills what is still empty.
            changed = []
            for name, value in (("caption", caption), ("credit", credit), ("description", own_alt)):
                if value and not getattr(existing, name):
                    setattr(existing, name, value)
                    changed.append(name)
            if changed:
                existing.save(update_fields=changed)
            self.report.photos_reused += 1
        self.by_url[key] = existing.pk
        return existing.pk


# Ids --------------------------------------------------------------------------


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def recorded(source: str, kind: str, source_id: str) -> ImportedItem | None:
    return ImportedItem.objects.filter(source=source, kind=kind, source_id=source_id).first()


class Known:
    """The stories earlier runs stored for a source, read in one query: source id ->
    (the article's pk, the fingerprint), for articles still there (an editor may have
    deleted one: it is imported again)."""

    def __init__(self, source: str) -> None:
        from dateline.newsroom.models import ArticlePage

        alive = set(ArticlePage.objects.values_list("pk", flat=True))
        rows = list(
            ImportedItem.objects.filter(source=source, kind="post").values_list(
                "source_id", "object_id", "fingerprint"
            )
        )
        self.items = {sid: (pk, print_) for sid, pk, print_ in rows if pk in alive}
        self.recorded = {sid for sid, _, _ in rows}  # with those whose article is gone

    def get(self, source_id: str) -> tuple[int, str] | None:
        return self.items.get(source_id)

    def stored(self, source_id: str, pk: int, print_: str) -> None:
        self.items[source_id] = (pk, print_)
        self.recorded.add(source_id)


class Articles(collections.abc.Mapping[str, Any]):
    """Source id -> article, for the comment import, which needs little of each: read
    in bulk (id, title, slug, path) the first time it asks, rather than kept whole in
    memory from the stories' import."""

    def __init__(self, pks: dict[str, int]) -> None:
        self.pks = pks
        self.pages: dict[int, Any] | None = None

    def __getitem__(self, key: str) -> Any:
        if self.pages is None:
            from dateline.newsroom.models import ArticlePage

            self.pages = {}
            wanted = sorted(set(self.pks.values()))
            fields = ("id", "title", "slug", "url_path")
            for start in range(0, len(wanted), 1000):
                chunk = wanted[start : start + 1000]
                self.pages.update(ArticlePage.objects.only(*fields).in_bulk(chunk))
        return self.pages[self.pks[key]]

    def __iter__(self) -> collections.abc.Iterator[str]:
        return iter(self.pks)

    def __len__(self) -> int:
        return len(self.pks)


def record(
    source: str,
    kind: str,
    source_id: str,
    target: models.Model,
    print_: str = "",
    *,
    new: bool = False,
) -> ImportedItem:
    """Remember what ``source_id`` became; ``new``: no record of it can exist yet."""
    defaults = {
        "content_type": ContentType.objects.get_for_model(target, for_concrete_model=False),
        "object_id": target.pk,
        "fingerprint": print_,
    }
    if new:
        return ImportedItem.objects.create(
            source=source, kind=kind, source_id=source_id, **defaults
        )
    item, _ = ImportedItem.objects.update_or_create(
        source=source, kind=kind, source_id=source_id, defaults=defaults
    )
    return item


# Redirects --------------------------------------------------------------------


def old_path(url: str) -> str:
    """An old URL as Wagtail's redirects match it (path and sorted query, no host)."""
    return Redirect.normalise_path(url)


def redirect_to_page(path: str, page: Page) -> bool:
    """A 301 from ``path`` to ``page``; False when the path is the page's own."""
    path = old_path(path)
    if not path or path == "/" or path.rstrip("/") == (page.url or "").rstrip("/"):
        return False
    _redirect(path, page.pk, "")
    return True


def redirect_to_link(path: str, link: str) -> bool:
    path = old_path(path)
    if not path or path == "/" or path.rstrip("/") == link.rstrip("/"):
        return False
    _redirect(path, None, link)
    return True


def _redirect(path: str, page_id: int | None, link: str) -> None:
    from dateline.importers.batch import pending_redirect

    if not pending_redirect(path, page_id, link):  # written with the batch, in bulk
        Redirect.objects.update_or_create(
            old_path=path,
            site=None,
            defaults={"redirect_page_id": page_id, "redirect_link": link, "is_permanent": True},
        )


def media_folder(media: str | Path | None, fetch: bool) -> Path | None:
    """The --media folder, checked; images come from it or over HTTP, not both."""
    if media and fetch:
        raise ImportFailed("Give --media (a copy of the images) or --fetch, not both.")
    folder = Path(media) if media else None
    if folder is not None and not folder.is_dir():
        raise ImportFailed(f"The media folder {folder} does not exist.")
    return folder


def unique_slug(text: str, fallback: str) -> str:
    return (slugify(text) or slugify(fallback) or "story")[:200]
