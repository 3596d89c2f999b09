"""``dateline import-comments disqus|wordpress FILE``: bring an old comment archive across."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dateline.comments.imports import ImportFailed, ImportResult, import_comments
from dateline.lib.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Import comments from a Disqus XML export or a WordPress WXR export. Comments are "
        "matched to articles by the story's URL path (then its slug); running it again adds "
        "nothing twice. Prints what was imported and what was skipped, and why."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["disqus", "wordpress"], help="Where the file is from")
        parser.add_argument("file", help="The export file, or - to read standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["file"]
        if name == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                data = Path(name).read_bytes()
            except OSError as error:
                raise CommandError(f"Cannot read {name}: {error.strerror or error}.") from None
        console = Console(
            file=options.get("stdout") or sys.stdout,
            no_color=options.get("no_color", False),
            highlight=False,
        )
        progress = progress_bar(console, "Importing comments", verbosity=options["verbosity"])
        task = progress.add_task("comments", total=None)

        def advance(done: int, total: int) -> None:
            if not progress.live.is_started:
                progress.start()
            progress.update(task, completed=done, total=total)

        try:
            result = import_comments(data, options["kind"], progress=advance)
        except ImportFailed as error:
            raise CommandError(str(error)) from None
        finally:
            progress.stop()
        if options["verbosity"]:
            self.report(console, result)

    def report(self, console: Console, result: ImportResult) -> None:
        table = Table(title="Comments imported", show_header=False, title_justify="left")
        table.add_column(style="bold")
        table.add_column(justify="right")
        table.add_row("Comments read", f"{result.read:,}")
        table.add_row("Imported", f"{result.imported:,}")
        for status, count in sorted(result.by_status.items()):
            table.add_row(f"  {status}", f"{count:,}")
        table.add_row("Already imported before", f"{result.already:,}")
        table.add_row("Skipped", f"{len(result.skipped):,}")
        console.print(table)
        if result.skipped:
            console.print("\n[bold]Skipped[/bold]:")
            for note in result.skipped:
                console.print(f"  {escape(note)}", soft_wrap=True)
