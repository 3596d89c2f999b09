"""Backups of a SQLite site: the database (SQLite's online backup API) and the uploaded media.

A backup is one ``.tar.gz`` holding ``database.sqlite3``, ``media/`` and
``manifest.json`` (when, from which version, the database's SHA-256 and the
row count of every table). The online backup copies a consistent snapshot while
the site keeps serving and writing.

Restoring checks the archive first (manifest, checksum, ``PRAGMA
integrity_check``), unpacks it beside the live files and only then swaps them
in with renames, so a bad archive or a full disk leaves the site as it was.

PostgreSQL sites use ``pg_dump``/``pg_restore`` (docs/operations.md) and
``backup --media-only`` for the media.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

FORMAT = 1
DATABASE_NAME = "database.sqlite3"
Progress = Callable[[str], None]


class BackupError(Exception):
    """Something the operator must fix; nothing was changed."""


@dataclass
class Manifest:
    created_at: str
    format: int
    dateline_version: str
    database_sha256: str
    tables: dict[str, int]
    media_files: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        try:
            return cls(**{k: data[k] for k in cls.__dataclass_fields__})
        except (KeyError, TypeError) as error:
            raise BackupError(f"manifest.json is incomplete: {error}") from error


def sqlite_path() -> Path:
    database = settings.DATABASES["default"]
    if connections["default"].vendor != "sqlite":
        raise BackupError(
            "This site runs on PostgreSQL: back up with pg_dump (docs/operations.md), "
            "and the media with `dateline backup --media-only`."
        )
    name = str(database["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("The database is in memory: there is nothing on disk to back up.")
    return Path(name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        # Table names come from sqlite_master itself, quoted: not user input.
        return {n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dateline")
    except PackageNotFoundError:
        return "unknown"


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def backup(target: Path, *, media_only: bool = False, say: Progress = print) -> Manifest:
    """Write a backup archive to ``target`` (written under a temporary name, then renamed)."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as scratch:
        work = Path(scratch)
        snapshot = work / DATABASE_NAME
        counts: dict[str, int] = {}
        digest = ""
        if not media_only:
            source_path = sqlite_path()
            if not source_path.exists():
                raise BackupError(f"No database at {source_path}")
            say(f"Copying the database {source_path} (online backup)…")
            source = sqlite3.connect(str(source_path))
            destination = sqlite3.connect(str(snapshot))
            try:
                # Pages are copied in steps; writers go on between them.
                source.backup(destination, pages=1024)
            finally:
                destination.close()
                source.close()
            counts = table_counts(snapshot)
            digest = _sha256(snapshot)
        media = _media_files()
        manifest = Manifest(
            created_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            format=FORMAT,
            dateline_version=_version(),
            database_sha256=digest,
            tables=counts,
            media_files=len(media),
        )
        (work / "manifest.json").write_text(json.dumps(manifest.__dict__, indent=2))
        partial = work / "backup.tar.gz"
        say(f"Packing {len(media)} media files…")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / "manifest.json", arcname="manifest.json")
            if not media_only:
                archive.add(snapshot, arcname=DATABASE_NAME)
            root = Path(settings.MEDIA_ROOT)
            for path in media:
                archive.add(path, arcname=f"media/{path.relative_to(root)}")
        os.replace(partial, target)
    return manifest


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"The archive holds an unsafe entry: {member.name!r}")
        members.append(member)
    return members


def read_manifest(source: Path) -> Manifest:
    try:
        with tarfile.open(source, "r:gz") as archive:
            handle = archive.extractfile("manifest.json")
            if handle is None:
                raise BackupError("manifest.json is missing: not a Dateline backup")
            return Manifest.from_json(json.load(handle))
    except (tarfile.TarError, OSError, KeyError, json.JSONDecodeError) as error:
        raise BackupError(f"{source} is not a readable Dateline backup: {error}") from error


def restore(source: Path, *, say: Progress = print) -> Manifest:
    """Replace the database and media with the archive's, after checking it whole."""
    if not source.is_file():
        raise BackupError(f"No backup at {source}")
    manifest = read_manifest(source)
    if manifest.format != FORMAT:
        raise BackupError(f"Backup format {manifest.format} is not {FORMAT}: use that version")
    database = sqlite_path() if manifest.database_sha256 else None
    media_root = Path(settings.MEDIA_ROOT).resolve()
    # Unpack beside the live files, so the final renames stay on one file system.
    staging_parent = (database.parent if database else media_root.parent).resolve()
    staging_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=staging_parent, prefix=".restore-") as scratch:
        work = Path(scratch)
        say("Unpacking and checking the backup…")
        try:
            with tarfile.open(source, "r:gz") as archive:
                archive.extractall(work, members=_safe_members(archive))  # noqa: S202 - checked
        except (tarfile.TarError, OSError) as error:
            raise BackupError(f"Could not unpack {source}: {error}") from error
        snapshot = work / DATABASE_NAME
        if database is not None:
            if not snapshot.exists() or _sha256(snapshot) != manifest.database_sha256:
                raise BackupError("The database in the backup does not match its checksum")
            with sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True) as db:
                verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"The database in the backup is damaged: {verdict}")
        # Everything checked: swap in. Close our connections so no handle keeps the old file.
        connections.close_all()
        if database is not None:
            say(f"Replacing {database}…")
            for suffix in ("-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            os.replace(snapshot, database)
        unpacked_media = work / "media"
        say(f"Replacing the media in {media_root}…")
        old = work / "old-media"
        if media_root.exists():
            os.replace(media_root, old)
        if unpacked_media.exists():
            os.replace(unpacked_media, media_root)
        else:
            media_root.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(old, ignore_errors=True)
    return manifest
