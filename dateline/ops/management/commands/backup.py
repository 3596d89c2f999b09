"""`dateline backup [PATH]`: the SQLite database and the media in one archive (ops/backup.py)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.ops import backup


class Command(BaseCommand):
    help = "Back up the SQLite database (online, while the site runs) and the uploaded media."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            help="Archive to write (default: var/backups/dateline-<time>.tar.gz)",
        )
        parser.add_argument(
            "--media-only",
            action="store_true",
            help="Only the media (for PostgreSQL sites, whose database pg_dump backs up)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["path"]:
            target = Path(options["path"])
        else:
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
            target = Path(settings.VAR_DIR) / "backups" / f"dateline-{stamp}.tar.gz"
        try:
            manifest = backup.backup(
                target, media_only=options["media_only"], say=self.stdout.write
            )
        except (backup.BackupError, OSError) as error:
            raise CommandError(f"Backup failed, nothing written: {error}") from error
        rows = sum(manifest.tables.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {target}: {len(manifest.tables)} tables, {rows} rows, "
                f"{manifest.media_files} media files."
            )
        )
