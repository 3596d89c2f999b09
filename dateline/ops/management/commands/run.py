"""``dateline run``: the whole newsroom in one command, for development and small sites."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "dateline-demo"  # noqa: S105 - printed to the operator, demo only


def first_account_steps() -> list[str]:
    """What the operator of a site with no account yet does next (also shown at /admin/)."""
    steps = [
        "  No staff account yet. Create the first one on this server:",
        "      dateline createsuperuser",
    ]
    if settings.STAFF_TWO_FACTOR and settings.STAFF_TWO_FACTOR_LINK:
        steps += [
            "  then sign in and set up two-step sign-in with the link mailed to the",
            "  account's address, or one printed by:  dateline two-factor-link USERNAME",
        ]
    return steps


def _wait_until_listening(
    port: int, web: subprocess.Popen[bytes], stopping: list[bool], timeout: float = 120
) -> bool:
    """Until the web server takes connections (the banner's address must open at
    once): False if a Ctrl-C or the server's end came first. The port is tried once
    more after a Ctrl-C, so a site that came up meanwhile still gets its banner."""
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        if stopping[0] or web.poll() is not None:
            return False
        if time.monotonic() > deadline:
            return True  # slow, but on its way: say where it will be
        time.sleep(0.2)


class Command(BaseCommand):
    help = "Migrate, load the demo when empty, then run the web server, worker and scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--no-demo", action="store_true", help="Never load demo content")
        parser.add_argument("--workers", type=int, default=2, help="Web worker processes")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        # Production never gets the demo: its login's password is published.
        if not options["no_demo"] and not settings.PRODUCTION:
            call_command("demo", if_empty=True)

        python = [sys.executable, "-m", "dateline.cli"]
        commands = {
            "web": [
                *python,
                "serve",
                "--port",
                str(options["port"]),
                "--workers",
                str(options["workers"]),
            ],
            "worker": [*python, "worker"],
            "scheduler": [*python, "scheduler"],
        }
        if settings.USE_OUTBOX_SMTP:
            # Digests speak SMTP: this puts them in the development outbox too.
            commands["outbox"] = [*python, "outbox-smtp"]
        # Own process groups: Ctrl-C reaches only this process, which then stops
        # each child once and in order, instead of every process at once.
        # The banner below says where the site listens; granian's start-up lines would
        # say it again. Its warnings and errors still show.
        environ = {"GRANIAN_LOG_LEVEL": "warning", **os.environ}
        # The handlers come before the children: a Ctrl-C at any moment after this
        # (even while the web server starts) stops them, never leaves them behind.
        stopping = [False]

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping[0] = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        children = {
            name: subprocess.Popen(argv, start_new_session=True, env=environ)  # noqa: S603
            for name, argv in commands.items()
        }
        if _wait_until_listening(options["port"], children["web"], stopping):
            self._print_banner(options["port"])
        exit_code = 0
        while not stopping[0]:
            for name, child in list(children.items()):
                if child.poll() is None:
                    continue
                if name == "outbox":
                    # Most likely its port is taken: the site works on without it.
                    self.stderr.write(
                        f"The outbox SMTP server stopped (port {settings.OUTBOX_SMTP_PORT} "
                        "busy?): digests will not reach /dev/outbox/. Set OUTBOX_SMTP_PORT."
                    )
                    del children[name]
                    continue
                self.stderr.write(f"The {name} process stopped (exit {child.returncode}).")
                stopping[0], exit_code = True, 1
            time.sleep(0.3)

        self.stdout.write("\nStopping…")
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The {name} process did not stop in time; killing it.")
                child.kill()
                child.wait()
        self.stdout.write("Stopped.")
        if exit_code:
            sys.exit(exit_code)

    def _print_banner(self, port: int) -> None:
        site = f"http://127.0.0.1:{port}"
        lines = [
            "",
            f"  Dateline is running: {site}/",
            f"  Newsroom admin:      {site}/admin/",
        ]
        User = get_user_model()
        user = User.objects.filter(username=DEMO_USERNAME).first()
        if not User.objects.exists():
            lines += first_account_steps()
        elif user is not None and user.check_password(DEMO_PASSWORD):
            lines.append(
                f"  Demo login:          {DEMO_USERNAME} / {DEMO_PASSWORD}"
                "  (demo only: change it before going live)"
            )
        if settings.DEV_OUTBOX:
            lines.append(f"  Mail outbox:         {site}/dev/outbox/")
        lines += ["  Press Ctrl-C to stop.", ""]
        self.stdout.write("\n".join(lines))
