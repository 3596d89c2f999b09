"""``dateline demo``: fill an empty newsroom with invented stories, photos and a login.

A command of ops, the top layer, because the demo fills every app: the newsroom's
stories (newsroom/demo), readers' comments (comments/demo.py) and the wire desk
(wire/demo.py).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dateline.comments import demo as comments_demo
from dateline.lib.progress import progress_bar
from dateline.live import demo as live_demo
from dateline.live.models import LiveBlogPage
from dateline.newsroom.demo import loader
from dateline.newsroom.models import ArticlePage
from dateline.wire import demo as wire_demo

# Wagtail logs every publish at INFO; forty of those would bury the progress bar.
QUIET_LOGGERS = ("wagtail", "dateline")


@contextmanager
def quiet_logs() -> Iterator[None]:
    saved = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


class Command(BaseCommand):
    help = (
        "Load original, invented demo content (sections, articles, photos, wire agencies' "
        "feeds, a demo admin login) into an empty newsroom."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing, successfully, when any article exists (what `make run` uses)",
        )
        parser.add_argument(
            "--articles", type=int, default=40, help="How many articles to write (default 40)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "The demo is refused in production (DATELINE_ENV=production): it would put "
                "invented stories on a public site and a login whose password is published. "
                "Create the first account with `dateline createsuperuser`."
            )
        count: int = options["articles"]
        if count < 1:
            raise CommandError("--articles must be at least 1.")
        # Rich draws straight to the stream: Django's wrapper would add a newline to
        # every redraw of the progress bar.
        console = Console(
            file=options.get("stdout") or sys.stdout,
            no_color=options.get("no_color", False),
            highlight=False,
        )
        existing = ArticlePage.objects.count()
        if existing:
            if options["if_empty"]:
                if options["verbosity"]:
                    console.print(
                        f"Demo content not loaded: the newsroom already has {existing} article(s)."
                    )
                return
            raise CommandError(
                f"The newsroom already has {existing} article(s); the demo only loads into "
                "an empty one. Use a fresh database, or --if-empty to skip quietly."
            )

        started = time.monotonic()
        progress = progress_bar(console, verbosity=options["verbosity"])
        with progress, quiet_logs():
            task = progress.add_task(
                "Writing stories and painting photos", total=loader.steps(count)
            )

            def advance(headline: str) -> None:
                progress.update(task, advance=1)
                if options["verbosity"] > 1:
                    progress.console.print(f"  {headline}", markup=False)

            # One transaction: a failure halfway leaves the newsroom empty, so the
            # next `make run` simply tries again. It is also much faster on SQLite.
            with transaction.atomic():
                now = timezone.now()
                result = loader.load(count, now=now, progress=advance)
                comments = comments_demo.add_comments(now)
                comments_demo.hold_a_comment()
                wire = wire_demo.load()
                live = live_demo.load(now)
        if options["verbosity"]:
            self._summary(console, result, comments, wire, live, time.monotonic() - started)

    def _summary(
        self,
        console: Console,
        result: loader.DemoResult,
        comments: int,
        wire: wire_demo.WireDemoResult,
        live: LiveBlogPage | None,
        seconds: float,
    ) -> None:
        table = Table(title="Demo newsroom loaded", show_header=False, title_justify="left")
        table.add_column(style="bold")
        table.add_column()
        table.add_row("Sections", str(result.sections))
        table.add_row("Articles", f"{result.articles} ({result.live} live)")
        if result.scheduled and result.scheduled.go_live_at:
            when = result.scheduled.go_live_at.strftime("%Y-%m-%d %H:%M %Z")
            table.add_row("Scheduled", Text(f"{result.scheduled.title} (goes live {when})"))
        if result.corrected:
            table.add_row("Corrected", Text(result.corrected.title))
        table.add_row("Photos", f"{result.photos}, renditions made")
        table.add_row(
            "Wire desk",
            f"{wire.reports} reports from {len(wire.providers)} agencies' drop folders "
            f"under {wire_demo.drop_root()}",
        )
        if comments:
            table.add_row("Comments", f"{comments}, with replies")
        if live is not None:
            table.add_row(
                "Live blog",
                Text(f"{live.title}: post to it at {settings.BASE_URL}/admin/live/{live.pk}/"),
            )
        table.add_row("Site", f"{settings.BASE_URL}/")
        if result.admin_created:
            table.add_row(
                "Admin login",
                f"{loader.ADMIN_USERNAME} / {loader.ADMIN_PASSWORD} at {settings.BASE_URL}/admin/",
            )
        else:
            table.add_row("Admin login", "unchanged: a superuser already exists")
        table.add_row("Time", f"{seconds:.1f} s")
        console.print(table)
        if result.admin_created:
            console.print(
                "[yellow]The admin login is for the demo only: change the password, or "
                "delete the user, before anyone else can reach this site.[/yellow]"
            )
        console.print("Every story, person and place in the demo is invented.")
