"""Record a bounce: one message on standard input, or the bounce mailbox polled once.

For the relay (Postfix ``pipe``, Exim, an MTA's ``|command`` alias) the bounce
address delivers to::

    dateline bounce --recipient "$ORIGINAL_RECIPIENT" < message

It exits 0 for anything it could read, a report or not (so the relay does not
bounce the bounce), and says what it did.
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.digests import bounces, mailbox

MAX_MESSAGE = 10 * 1024 * 1024


class Command(BaseCommand):
    help = "Read a bounce message (RFC 3464) on standard input, or poll the bounce mailbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--recipient",
            default="",
            help="The envelope recipient the bounce came to (bounce+TOKEN@...), if the relay "
            "passes it",
        )
        parser.add_argument(
            "--mailbox",
            nargs="?",
            const=True,
            default=None,
            help="Poll a POP3/IMAP mailbox instead (default: BOUNCE_MAILBOX_URL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["mailbox"] is not None:
            url = settings.BOUNCE_MAILBOX_URL if options["mailbox"] is True else options["mailbox"]
            if not url:
                raise CommandError("No mailbox: set BOUNCE_MAILBOX_URL or pass --mailbox URL")
            try:
                counts = mailbox.poll(url)
            except mailbox.MailboxError as error:
                raise CommandError(str(error)) from error
            summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
            self.stdout.write(f"Bounce mailbox read: {summary or 'no messages'}.")
            return
        raw = sys.stdin.buffer.read(MAX_MESSAGE + 1)
        if not raw.strip():
            raise CommandError("No message on standard input.")
        if len(raw) > MAX_MESSAGE:
            raise CommandError("The message is over 10 MB: not a bounce we can read.")
        outcome = bounces.process(raw, envelope_recipient=options["recipient"])
        if not outcome.recorded:
            self.stdout.write(f"Nothing recorded: {outcome.reason}.")
            return
        for bounce in outcome.recorded:
            self.stdout.write(
                f"Recorded {bounce.get_kind_display().lower()} for {bounce.email}"
                f"{f' ({bounce.status})' if bounce.status else ''}."
            )
        for address in outcome.suppressed:
            self.stdout.write(f"Suppressed {address}.")
