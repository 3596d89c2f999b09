"""Imports started from the admin: where uploads go, the media folder check, the run itself.

The admin view stores the uploaded export (and mapping) under IMPORT_UPLOAD_ROOT, a
private folder under var/ (never MEDIA_ROOT, which the web server serves: exports hold
e-mail addresses), and queues ``tasks.run_import_task``, which calls ``execute``.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.text import get_valid_filename

from dateline.importers.core import ImportFailed, Report
from dateline.importers.models import ImportRun

# The worker writes the counts at most this often, not after every story.
PROGRESS_EVERY = 1.0


def upload_root() -> Path:
    return Path(getattr(settings, "IMPORT_UPLOAD_ROOT", settings.VAR_DIR / "import-uploads"))


def media_root() -> Path:
    return Path(getattr(settings, "IMPORT_MEDIA_ROOT", settings.VAR_DIR / "import-media"))


def store_upload(upload: UploadedFile) -> str:
    """Keep an uploaded file under its own folder; the path relative to upload_root()."""
    name = get_valid_filename(Path(upload.name or "upload").name) or "upload"
    storage = FileSystemStorage(location=upload_root())
    return storage.save(f"{uuid.uuid4().hex}/{name}", upload)


def media_folder(text: str) -> Path:
    """The operator's media folder, absolute or relative to media_root(), kept inside it."""
    root = media_root().resolve()
    folder = (root / text.strip()).resolve()
    if not folder.is_relative_to(root):
        raise ImportFailed(f"The media folder must be inside {root}.")
    if not folder.is_dir():
        raise ImportFailed(f"The media folder {folder} does not exist.")
    return folder


def report_json(report: Report) -> dict[str, Any]:
    """The report as JSON: lists and counts, the comments' and subscribers' parts as dicts."""
    data: dict[str, Any] = {}
    for item in dataclasses.fields(report):
        value = getattr(report, item.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            value = dataclasses.asdict(value)
        data[item.name] = value
    # Counters become dicts, tuples lists, and notes (dataclasses) their own text.
    data["url_changes"] = [list(pair) for pair in report.url_changes]
    for part, names in (("comments", ["skipped"]), ("subscribers", ["skipped", "problems"])):
        result = getattr(report, part)
        if result is not None:
            for name in names:
                data[part][name] = [str(note) for note in getattr(result, name)]
    return data


def summary(data: dict[str, Any]) -> tuple[list[tuple[str, int]], list[tuple[str, list[str]]]]:
    """The figures and the lists a report shows, as the command's summary table has them."""
    dry = data.get("dry_run")
    verb = "would be " if dry else ""
    rows: list[tuple[str, int]] = [
        ("Posts read", data["read"]),
        (f"New, {verb}created", data["created"]),
        (f"Changed, {verb}updated", data["updated"]),
        ("Unchanged since the last run", data["unchanged"]),
    ]
    rows += [(f"  {status}", n) for status, n in sorted(data["by_status"].items())]
    rows += [(f"  in {section}", n) for section, n in sorted(data["per_section"].items())]
    rows.append(("Skipped", len(data["skipped"])))
    if not dry:
        rows += [
            ("Authors added", data["authors"]),
            ("Photos stored", data["photos_stored"]),
            ("Photos already here", data["photos_reused"]),
            ("Old URLs redirected", data["redirects"]),
        ]
    rows += [
        ("Unknown blocks", len(data["unknown_blocks"])),
        ("Missing images", len(data["missing_images"])),
    ]
    comments, subscribers = data.get("comments"), data.get("subscribers")
    if comments:
        rows += [
            ("Comments imported", comments["imported"]),
            ("Comments already here", comments["already"]),
        ]
    if subscribers:
        rows += [
            ("Subscribers read", subscribers["rows"]),
            (f"  new, {verb}added", subscribers["added"]),
            ("  already subscribed", subscribers["already_active"]),
            ("  with problems", len(subscribers["problems"])),
        ]
    lists = [
        ("Skipped", data["skipped"]),
        (
            "Unknown blocks (kept as cleaned HTML unless the mapping drops them)",
            data["unknown_blocks"],
        ),
        ("Missing images (the stories were imported without them)", data["missing_images"]),
        ("URL changes", [f"{old} → {new}" for old, new in data["url_changes"]]),
        ("Comments skipped", comments["skipped"] if comments else []),
        ("Notes (carried over, not all of it)", data["notes"]),
        ("Subscribers skipped", subscribers["skipped"] if subscribers else []),
        ("Subscribers with problems", subscribers["problems"] if subscribers else []),
    ]
    return rows, [(heading, lines) for heading, lines in lists if lines]


def throttled(run: ImportRun, every: float = PROGRESS_EVERY) -> Callable[[int, int], None]:
    """A progress callback that writes the counts at most once every ``every`` seconds,
    and always the last one."""
    last = 0.0

    def advance(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done < total and now - last < every:
            return
        last = now
        ImportRun.objects.filter(pk=run.pk).update(done=done, total=total)

    return advance


def execute(run: ImportRun) -> ImportRun:
    """Run an import (or its dry run), recording progress, the report or the error."""
    from dateline.importers import ghost, substack, wordpress

    run.status, run.started_at = ImportRun.Status.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    root = upload_root()
    options: dict[str, Any] = {
        "mapping": root / run.mapping_file if run.mapping_file else None,
        "dry_run": run.dry_run,
        "progress": throttled(run),
    }
    operator = run.created_by.get_username() if run.created_by else "admin"
    path = root / run.export_file
    try:
        options["media"] = media_folder(run.media_dir) if run.media_dir else None
        if not path.is_file():
            raise ImportFailed(f"The uploaded file {run.export_name} is no longer on the server.")
        if run.source == ImportRun.Source.GHOST:
            report = ghost.run(path, operator=operator, **options)
        elif run.source == ImportRun.Source.SUBSTACK:
            report = substack.run(path, operator=operator, **options)
        else:
            report = wordpress.run(path, **options)
    except ImportFailed as error:
        # The message names the stored path; the operator knows the file by its own name.
        run.error = str(error).replace(str(path), run.export_name)
        run.status = ImportRun.Status.FAILED
    except Exception as error:
        run.error = f"The import stopped on an unexpected error: {error!r}. See the worker's log."
        run.status = ImportRun.Status.FAILED
        run.finished_at = timezone.now()
        run.save(update_fields=["error", "status", "finished_at"])
        raise
    else:
        run.report = report_json(report)
        run.status = ImportRun.Status.DONE
        run.done = run.total = report.read
    run.finished_at = timezone.now()
    run.save(update_fields=["error", "status", "report", "done", "total", "finished_at"])
    return run
