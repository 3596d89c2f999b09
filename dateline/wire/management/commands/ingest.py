"""``dateline ingest [PROVIDER...]``: poll providers now, without waiting for the scheduler."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.wire.models import Provider
from dateline.wire.transports import poll


class Command(BaseCommand):
    help = "Poll wire providers now (all active HTTP and drop-folder ones, or those named)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("providers", nargs="*", help="Provider names; all active if none")

    def handle(self, *args: Any, providers: list[str], **options: Any) -> None:
        pollable = [Provider.Transport.HTTP, Provider.Transport.FOLDER]
        if providers:
            chosen = []
            for name in providers:
                found = Provider.objects.filter(name__iexact=name).first()
                if found is None:
                    raise CommandError(f"No provider called {name!r}.")
                if found.transport not in pollable:
                    raise CommandError(
                        f"{found.name} receives email; feed it with `dateline wire-email`."
                    )
                chosen.append(found)
        else:
            chosen = list(Provider.objects.filter(active=True, transport__in=pollable))
        failed = 0
        for provider in chosen:
            report = poll(provider)
            if report is None:
                failed += 1
                self.stderr.write(f"{provider.name}: failed, {provider.last_error}")
                continue
            self.stdout.write(f"{provider.name}: {report}")
            for problem in report.problems:
                guid = f" ({problem.guid})" if problem.guid else ""
                self.stdout.write(f"  {problem.kind}: {problem.reason}{guid}")
        if failed:
            raise CommandError(f"{failed} of {len(chosen)} providers failed.")
