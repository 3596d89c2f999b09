"""`dateline outbox-smtp`: the development outbox's SMTP server (see dateline/outbox/smtpd.py)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Accept SMTP on 127.0.0.1 and keep every message in the development outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=settings.OUTBOX_SMTP_PORT)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEV_OUTBOX:
            raise CommandError("The outbox is for development (EMAIL_URL unset or outbox:).")
        from aiosmtpd.controller import Controller

        from dateline.outbox.smtpd import OutboxHandler

        controller = Controller(OutboxHandler(), hostname="127.0.0.1", port=options["port"])
        stopped = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopped.set())
        controller.start()
        self.stdout.write(f"Outbox SMTP on 127.0.0.1:{options['port']}")
        try:
            stopped.wait()
        finally:
            controller.stop()
