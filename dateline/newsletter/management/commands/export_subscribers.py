"""``dateline export-subscribers [FILE]``: newsletter subscribers as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.newsletter.admin_data import export_rows
from dateline.newsletter.models import Subscriber


class Command(BaseCommand):
    help = (
        "Write newsletter subscribers as CSV (email, status, cadence, sections, created_at, "
        "confirmed_at) to FILE or standard output. The file imports again with "
        "import-subscribers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", nargs="?", default="-", help="Where to write; - or nothing for standard output"
        )
        parser.add_argument(
            "--status", choices=Subscriber.Status.values, help="Only subscribers in this state"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rows = export_rows(options["status"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        name: str = options["file"]
        if name == "-":
            # Through Django's wrapper, so call_command(stdout=...) catches it; a few
            # hundred rows per write keeps that cheap.
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for number, row in enumerate(rows):
                writer.writerow(row)
                if number % 500 == 0:
                    self.stdout.write(buffer.getvalue(), ending="")
                    buffer.seek(0)
                    buffer.truncate()
            self.stdout.write(buffer.getvalue(), ending="")
            return
        written = 0
        try:
            with open(name, "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(next(rows))
                for row in rows:
                    writer.writerow(row)
                    written += 1
        except OSError as error:
            raise CommandError(f"Cannot write {name}: {error.strerror or error}.") from None
        if options["verbosity"]:
            self.stdout.write(f"Wrote {written:,} subscriber(s) to {name}.")
