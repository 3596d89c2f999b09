"""The logging configuration (Django's LOGGING): one line a record on the console, plain
or as JSON lines with the request id, for journald, Loki or ELK."""

from __future__ import annotations

from typing import Any


def logging_config(*, json_lines: bool, level: str, request_id_filter: str) -> dict[str, Any]:
    """``request_id_filter``: the dotted path of the filter that adds the request id."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": request_id_filter}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            # One JSON object a line, for journald, Loki or ELK: these fields, the request id
            # when there is one, the exception's traceback and any extra= of the record.
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "datefmt": "%Y-%m-%dT%H:%M:%S%z",
                "rename_fields": {
                    "asctime": "time",
                    "levelname": "level",
                    "name": "logger",
                    "exc_info": "exception",
                },
                "json_ensure_ascii": False,
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if json_lines else "plain",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # The console says what happened and what an operator must act on, once a line.
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            # Django's own console handler would print each of its lines a second time,
            # unformatted, beside the root's.
            "django": {"handlers": [], "propagate": True},
            # A 4xx is the client's mistake (an admin autosave of an incomplete form is 400
            # each time); 5xx responses are logged at ERROR and still show.
            "django.request": {"level": "ERROR"},
            # A line for every task run; a failing task is logged at ERROR and still shows.
            "django_tasks": {"level": "WARNING"},
            # aiosmtpd (the development outbox) logs each connection, and its start-up
            # self-test as "Connection lost during _handle_client()".
            "mail.log": {"level": "WARNING"},
            # flufl.bounce logs each detector it runs at INFO, and a detector's error (with
            # its traceback) before raising it to digests/bounces.py, which handles it.
            "flufl.bounce": {"level": "CRITICAL"},
        },
    }
