from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from dateline.ops.observe import prepare_multiprocess_dir


def granian_argv(
    host: str, port: int, workers: int, access_log: bool, threads: int = 4
) -> list[str]:
    """The app server's command line: Django behind the page cache and WhiteNoise.

    Static files go through WhiteNoise (dateline/wsgi.py) for their precompressed copies
    and cache headers (docs/decisions/0010-static-files-whitenoise.md); uploads through
    Django (dateline/ops/files.py), since granian's own file handler cannot add security
    headers. A proxy in front serves both on busy sites.
    """
    argv = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        # WSGI has no websockets; left on, granian says so at every start.
        "--no-ws",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--respawn-failed-workers",
        # Granian's default of hundreds of threads per worker only queues them on
        # the database's locks and connection limit; a few per worker keep up.
        "--blocking-threads",
        str(threads),
        "--access-log" if access_log else "--no-access-log",
        "dateline.wsgi:application",
    ]
    return argv


class Command(BaseCommand):
    help = "Serve the site with granian (several worker processes, static and media files)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", "4")),
            help="Request threads per worker process",
        )
        parser.add_argument("--access-log", action="store_true")
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="Skip collecting static files"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        os.makedirs(settings.MEDIA_ROOT, exist_ok=True)
        argv = granian_argv(
            options["host"],
            options["port"],
            options["workers"],
            options["access_log"],
            threads=options["threads"],
        )
        # Every worker process counts its requests in files in one folder, which /metrics
        # sums (prometheus_client's multiprocess mode); the workers inherit the variable.
        folder = prepare_multiprocess_dir(options["port"])
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
        sys.stdout.flush()
        # Replace this process: signals from a supervisor reach granian directly.
        os.execv(sys.executable, argv)  # noqa: S606
