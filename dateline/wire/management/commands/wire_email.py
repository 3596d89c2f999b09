"""``dateline wire-email PROVIDER < message``: one agency email from standard input."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.wire.formats import FeedError
from dateline.wire.ingest import ingest
from dateline.wire.models import Provider
from dateline.wire.transports import read_email


class Command(BaseCommand):
    help = "Read one email message from standard input into a provider's wire items."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", help="The provider's name, as set up in the admin")

    def handle(self, *args: Any, provider: str, **options: Any) -> None:
        found = Provider.objects.filter(name__iexact=provider).first()
        if found is None:
            names = ", ".join(Provider.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No provider called {provider!r}. Providers: {names}.")
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError("Nothing on standard input: pipe one email message in.")
        try:
            result = read_email(found, raw)
        except FeedError as exc:
            raise CommandError(f"Could not read the message: {exc}") from None
        report = ingest(found, result)
        for problem in report.problems:
            self.stderr.write(f"{problem.kind}: {problem.reason} {problem.guid}".rstrip())
        self.stdout.write(f"{found.name}: {report}")
