"""``dateline import-subscribers FILE``: add newsletter subscribers from a CSV file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dateline.lib.progress import progress_bar
from dateline.newsletter.imports import ImportFailed, ImportResult, import_subscribers
from dateline.newsletter.models import Cadence

# Below this many rows a progress bar would only flash.
PROGRESS_FROM = 2000


class Command(BaseCommand):
    help = (
        "Add newsletter subscribers from a CSV file with an email column and optional "
        "cadence and sections columns. New addresses get a confirmation mail and stay "
        "pending until they confirm, unless --prior-consent says how they already agreed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file, or - to read standard input")
        parser.add_argument(
            "--prior-consent",
            default="",
            metavar="TEXT",
            help=(
                "How these people already agreed to the newsletter, kept as the evidence, e.g. "
                "'signed up at the 2025 book fair, form kept in office'. They are made active "
                "at once and get no confirmation mail."
            ),
        )
        parser.add_argument(
            "--cadence",
            default=Cadence.WEEKLY,
            choices=Cadence.values,
            help="For rows without a cadence (default weekly)",
        )
        parser.add_argument(
            "--encoding",
            default=None,
            help="The file's encoding when it is not UTF-8, e.g. cp1252",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["file"]
        if name == "-":
            data = sys.stdin.buffer.read()
            source_name = "standard input"
        else:
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as error:
                raise CommandError(f"Cannot read {name}: {error.strerror or error}.") from None
            source_name = path.name
        # Rich draws straight to the stream: Django's wrapper would add a newline to
        # every redraw of the progress bar.
        console = Console(
            file=options.get("stdout") or sys.stdout,
            no_color=options.get("no_color", False),
            highlight=False,
        )
        progress = progress_bar(console, "Importing", verbosity=options["verbosity"])
        task = progress.add_task("rows", total=None)

        def advance(done: int, total: int) -> None:
            if total >= PROGRESS_FROM and not progress.live.is_started:
                progress.start()
            progress.update(task, completed=done, total=total)

        try:
            result = import_subscribers(
                data,
                source_name=source_name,
                prior_consent=options["prior_consent"],
                cadence=options["cadence"],
                encoding=options["encoding"],
                progress=advance,
            )
        except ImportFailed as error:
            raise CommandError(str(error)) from None
        finally:
            progress.stop()
        if options["verbosity"]:
            self.report(console, result, bool(options["prior_consent"]))

    def report(self, console: Console, result: ImportResult, prior: bool) -> None:
        table = Table(title="Subscribers imported", show_header=False, title_justify="left")
        table.add_column(style="bold")
        table.add_column(justify="right")
        table.add_row("Rows read", f"{result.rows:,}")
        if prior:
            table.add_row("Made active (prior consent)", f"{result.activated:,}")
            table.add_row("  of them new", f"{result.added:,}")
        else:
            table.add_row("Sent a confirmation mail", f"{result.invited:,}")
        table.add_row("Already subscribed", f"{result.already_active:,}")
        if result.waiting:
            table.add_row("Already waiting for confirmation", f"{result.waiting:,}")
        table.add_row("Skipped", f"{len(result.skipped):,}")
        table.add_row("Rows with problems", f"{len(result.problems):,}")
        console.print(table)
        if result.ignored_columns:
            console.print("Columns ignored: " + escape(", ".join(result.ignored_columns)))
        if result.skipped:
            console.print("\n[bold]Skipped[/bold] (never made active by an import):")
            for note in result.skipped:
                console.print(f"  {escape(str(note))}", soft_wrap=True)
        if result.problems:
            console.print("\n[bold]Rows with problems[/bold] (the other rows were imported):")
            for note in result.problems:
                console.print(f"  {escape(str(note))}", soft_wrap=True)
        if not prior and result.invited:
            console.print(
                "\nThe new addresses stay pending until their owners click the link in the "
                "confirmation mail."
            )
