"""``dateline import wordpress|ghost|substack EXPORT [--media DIR] [--map FILE] [--dry-run]``.

One command per source system as a subcommand.
"""

from __future__ import annotations

import datetime
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dateline.importers.batch import DEFAULT_SIZE
from dateline.importers.core import ImportFailed, Report
from dateline.lib.progress import progress_bar

# How many lines of each list the summary prints before "and N more".
SHOWN = 20


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Import a newsroom's archive from another system: stories, sections, authors, "
        "photos and comments, with every old URL answering 301 to its new page. Running "
        "it again changes nothing; a newer export adds and updates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        wordpress = sources.add_parser(
            "wordpress", help="A WordPress export (Tools > Export, WXR 1.1 or 1.2)"
        )
        wordpress.add_argument("file", help="The export file (.xml)")
        wordpress.add_argument(
            "--media", metavar="DIR", help="A copy of the old site's wp-content/uploads"
        )
        wordpress.add_argument("--map", metavar="FILE", help="The mapping (TOML)")
        wordpress.add_argument(
            "--dry-run", action="store_true", help="Say what would happen; write nothing"
        )
        ghost = sources.add_parser(
            "ghost", help="A Ghost export (Settings > Labs > Export, a .json file)"
        )
        ghost.add_argument("file", help="The export file (.json)")
        ghost.add_argument(
            "--media", metavar="DIR", help="A copy of the Ghost site's content/images"
        )
        ghost.add_argument(
            "--members", metavar="FILE", help="Ghost's members export (CSV), as subscribers"
        )
        substack = sources.add_parser(
            "substack", help="A Substack export archive (Settings > Exports, a .zip file)"
        )
        substack.add_argument("file", help="The export archive (.zip)")
        substack.add_argument(
            "--media", metavar="DIR", help="A folder with the posts' images, by file name"
        )
        substack.add_argument(
            "--author", default="", help="The byline for every post (the export names none)"
        )
        substack.add_argument(
            "--no-subscribers", action="store_true", help="Leave the email list out"
        )
        for parser_ in (ghost, substack):
            parser_.add_argument("--map", metavar="FILE", help="The mapping (TOML)")
            parser_.add_argument(
                "--dry-run", action="store_true", help="Say what would happen; write nothing"
            )
        for parser_ in (wordpress, ghost, substack):
            parser_.add_argument(
                "--fetch",
                action="store_true",
                help="Get the images over HTTP from the old site instead of --media",
            )
            parser_.add_argument(
                "--site",
                default="",
                metavar="URL",
                help="With --fetch: the old site's address, for images given without one "
                "(WordPress: the export's own by default; Ghost: for __GHOST_URL__)",
            )
            parser_.add_argument(
                "--fetch-private",
                action="store_true",
                help="With --fetch: allow addresses on private or local networks (an old "
                "site on the newsroom's own network); refused by default",
            )
            parser_.add_argument(
                "--batch",
                type=positive,
                default=DEFAULT_SIZE,
                metavar="N",
                help=f"Stories stored per transaction (default {DEFAULT_SIZE}); a run stopped "
                "half way loses at most the batch it was in, which the next run stores",
            )
            parser_.add_argument(
                "--confirm-by-mail",
                action="store_true",
                help="Send each subscriber Dateline's confirmation mail (double opt-in) "
                "instead of taking the old system's consent as the evidence",
            )
            parser_.add_argument(
                "--operator",
                default="",
                help="Who runs the import, kept with each subscriber's consent (default: "
                "the login name)",
            )
            parser_.add_argument(
                "--exported-on",
                type=datetime.date.fromisoformat,
                metavar="YYYY-MM-DD",
                help="The date of the subscriber export (default: from its file name or date)",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        from dateline.importers import ghost, substack, wordpress

        console = Console(
            file=options.get("stdout") or sys.stdout,
            no_color=options.get("no_color", False),
            highlight=False,
        )
        progress = progress_bar(console, "Importing posts", verbosity=options["verbosity"])
        task = progress.add_task("posts", total=None)

        def advance(done: int, total: int) -> None:
            if not progress.live.is_started:
                progress.start()
            progress.update(task, completed=done, total=total)

        common = {
            "media": options.get("media"),
            "mapping": options.get("map"),
            "dry_run": options.get("dry_run", False),
            "progress": advance,
            "batch_size": options.get("batch", DEFAULT_SIZE),
            "fetch": options.get("fetch", False),
            "site": options.get("site", ""),
            "fetch_private": options.get("fetch_private", False),
        }
        subscribers = {
            "confirm_by_mail": options.get("confirm_by_mail", False),
            "operator": options.get("operator", ""),
            "exported_on": options.get("exported_on"),
        }
        try:
            if options["source"] == "ghost":
                report = ghost.run(
                    options["file"], members=options.get("members"), **common, **subscribers
                )
            elif options["source"] == "substack":
                report = substack.run(
                    options["file"],
                    author=options.get("author", ""),
                    subscribers=not options.get("no_subscribers", False),
                    **common,
                    **subscribers,
                )
            else:
                report = wordpress.run(options["file"], **common)
        except ImportFailed as error:
            raise CommandError(str(error)) from None
        finally:
            progress.stop()
        if options["verbosity"]:
            summarise(console, report)


def summarise(console: Console, report: Report) -> None:
    title = f"{report.source.title()} import" + (
        " (dry run: nothing written)" if report.dry_run else ""
    )
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    verb = "would be " if report.dry_run else ""
    table.add_row("Posts read", f"{report.read:,}")
    table.add_row(f"New, {verb}created", f"{report.created:,}")
    table.add_row(f"Changed, {verb}updated", f"{report.updated:,}")
    table.add_row("Unchanged since the last run", f"{report.unchanged:,}")
    for status, count in sorted(report.by_status.items()):
        table.add_row(f"  {status}", f"{count:,}")
    for section, count in sorted(report.per_section.items()):
        table.add_row(f"  in {section}", f"{count:,}")
    table.add_row("Skipped", f"{len(report.skipped):,}")
    if not report.dry_run:
        table.add_row("Authors added", f"{report.authors:,}")
        table.add_row("Photos stored", f"{report.photos_stored:,}")
        table.add_row("Photos already here", f"{report.photos_reused:,}")
        table.add_row("Old URLs redirected", f"{report.redirects:,}")
    table.add_row("Unknown blocks", f"{len(report.unknown_blocks):,}")
    table.add_row("Missing images", f"{len(report.missing_images):,}")
    if report.comments is not None:
        table.add_row("Comments imported", f"{report.comments.imported:,}")
        table.add_row("Comments already here", f"{report.comments.already:,}")
    subscribers = report.subscribers
    if subscribers is not None:
        table.add_row("Subscribers read", f"{subscribers.rows:,}")
        table.add_row(f"  new, {verb}added", f"{subscribers.added:,}")
        table.add_row("  sent a confirmation mail", f"{subscribers.invited:,}")
        table.add_row("  already subscribed", f"{subscribers.already_active:,}")
        table.add_row("  skipped", f"{len(subscribers.skipped):,}")
        table.add_row("  with problems", f"{len(subscribers.problems):,}")
    console.print(table)
    lists = [
        ("Skipped", report.skipped),
        (
            "Unknown blocks (kept as cleaned HTML unless the mapping drops them)",
            report.unknown_blocks,
        ),
        ("Missing images (the stories were imported without them)", report.missing_images),
        ("URL changes", [f"{old} -> {new}" for old, new in report.url_changes]),
    ]
    if report.comments is not None:
        lists.append(("Comments skipped", report.comments.skipped))
    lists.append(("Notes (carried over, not all of it)", report.notes))
    if subscribers is not None:
        lists.append(("Subscribers skipped", [str(n) for n in subscribers.skipped]))
        lists.append(("Subscribers with problems", [str(n) for n in subscribers.problems]))
    for heading, lines in lists:
        if not lines:
            continue
        console.print(f"\n[bold]{heading}[/bold]:")
        for line in lines[:SHOWN]:
            console.print(f"  {escape(line)}", soft_wrap=True)
        if len(lines) > SHOWN:
            console.print(f"  and {len(lines) - SHOWN:,} more")
