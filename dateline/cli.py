"""The ``dateline`` console script: Django's manage.py under the newsroom's name."""

from __future__ import annotations

import os
import sys

from dateline.lib.vardir import prepare_var_dir


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
    prepare_var_dir()
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    # `dateline send-digests` reads better than send_digests; both work.
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
