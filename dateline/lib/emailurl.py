"""Turn ``EMAIL_URL`` into Django email settings.

Accepted forms:

* unset or ``outbox:``: the development outbox (messages stored, read at /dev/outbox/)
* ``console:``: print messages to standard output
* ``smtp://host:port``: plain SMTP, e.g. a local relay
* ``smtp+tls://user:pass@host:587``: SMTP with STARTTLS
* ``smtps://user:pass@host:465``: SMTP over implicit TLS
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

OUTBOX_BACKEND = "dateline.outbox.backend.OutboxBackend"


class EmailURLError(ValueError):
    pass


@dataclass
class EmailConfig:
    backend: str
    settings: dict[str, Any] = field(default_factory=dict)


def parse_email_url(url: str) -> EmailConfig:
    url = url.strip()
    simple = url.lower().rstrip("/")
    if not simple or simple == "outbox:":
        return EmailConfig(OUTBOX_BACKEND)
    if simple == "console:":
        return EmailConfig("django.core.mail.backends.console.EmailBackend")
    if simple == "locmem:":
        return EmailConfig("django.core.mail.backends.locmem.EmailBackend")

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    defaults = {"smtp": 25, "smtp+tls": 587, "smtps": 465}
    if scheme not in defaults:
        raise EmailURLError(
            f"EMAIL_URL scheme {scheme!r} is not supported; use outbox:, console:, "
            "smtp://host:port, smtp+tls://user:pass@host:587 or smtps://user:pass@host:465"
        )
    if not parts.hostname:
        raise EmailURLError("EMAIL_URL names no host, e.g. smtp://127.0.0.1:25")
    try:
        port = parts.port or defaults[scheme]
    except ValueError:
        raise EmailURLError("EMAIL_URL has a port that is not a number") from None
    query = parse_qs(parts.query)
    try:
        timeout = float(query.get("timeout", ["10"])[0])
    except ValueError:
        raise EmailURLError("EMAIL_URL's timeout must be a number of seconds") from None
    return EmailConfig(
        "django.core.mail.backends.smtp.EmailBackend",
        {
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": scheme == "smtp+tls",
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_TIMEOUT": timeout,
        },
    )
