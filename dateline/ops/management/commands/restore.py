"""`dateline restore PATH`: put a backup back (ops/backup.py). Stop the site first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.ops import backup


class Command(BaseCommand):
    help = "Replace the SQLite database and the media with a backup's (stop the site first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="A backup archive written by `dateline backup`")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask before replacing the site's data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["path"])
        try:
            manifest = backup.read_manifest(source)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest.tables.values())
        self.stdout.write(
            f"Backup of {manifest.created_at} (Dateline {manifest.dateline_version}): "
            f"{rows} rows in {len(manifest.tables)} tables, {manifest.media_files} media files."
        )
        if not options["yes"]:
            answer = input("Replace this site's database and media with it? Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing restored.")
        try:
            backup.restore(source, say=self.stdout.write)
        except (backup.BackupError, OSError) as error:
            raise CommandError(f"Restore failed, the site's data is as it was: {error}") from error
        self.stdout.write(self.style.SUCCESS("Restored. Start the site again."))
