"""Turn ``EMAIL_URL`` into Django email settings.

Accepted forms:

* unset or ``outbox:``: the development outbox (messages stored, read at /dev/outbox/)
* ``console:``: print messages to standard output
* ``smtp://host:port``: plain SMTP, e.g. a local relay
* ``smtp+tls://user:pass@host:587``: SMTP with STARTTLS
* ``smtps://user:pass@host:465``: SMTP over implicit TLS
* ``<esp>://API_KEY@`` (optionally ``?option=value``): an email service provider's
  HTTP API through django-anymail, e.g. ``postmark://SERVER_TOKEN@``,
  ``mailgun://KEY@?sender_domain=mg.example.org``, ``mailjet://KEY:SECRET@``.
  Its bounce and complaint webhooks (``/esp/<esp>/tracking/``, behind
  ``ANYMAIL_WEBHOOK_SECRET``) feed the suppression list.

Ours, not dj-email-url or django-environ's email_url: neither knows the outbox or
the ESP schemes, and both read ``smtps://`` as STARTTLS where it means TLS from the
start (port 465) here and in the README.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

OUTBOX_BACKEND = "dateline.outbox.backend.OutboxBackend"


class EmailURLError(ValueError):
    pass


@dataclass
class EmailConfig:
    backend: str
    settings: dict[str, Any] = field(default_factory=dict)
    # django-anymail's settings, for an ESP.
    anymail: dict[str, str] = field(default_factory=dict)
    esp: str = ""


# ESP scheme -> (anymail backend module, setting for the key, setting for a secret).
ESPS: dict[str, tuple[str, str, str]] = {
    "postmark": ("postmark", "POSTMARK_SERVER_TOKEN", ""),
    "mailgun": ("mailgun", "MAILGUN_API_KEY", ""),
    "sendgrid": ("sendgrid", "SENDGRID_API_KEY", ""),
    "brevo": ("brevo", "BREVO_API_KEY", ""),
    "sparkpost": ("sparkpost", "SPARKPOST_API_KEY", ""),
    "resend": ("resend", "RESEND_API_KEY", ""),
    "mailjet": ("mailjet", "MAILJET_API_KEY", "MAILJET_SECRET_KEY"),
    "mandrill": ("mandrill", "MANDRILL_API_KEY", ""),
    # Amazon SES takes its credentials from the usual AWS environment.
    "amazon-ses": ("amazon_ses", "", ""),
}


def _esp_config(scheme: str, username: str, password: str, query: str) -> EmailConfig:
    module, key_name, secret_name = ESPS[scheme]
    anymail: dict[str, str] = {}
    if key_name:
        if not username:
            raise EmailURLError(f"EMAIL_URL for {scheme} needs the API key: {scheme}://KEY@")
        anymail[key_name] = unquote(username)
    if secret_name:
        if not password:
            raise EmailURLError(f"EMAIL_URL for {scheme} needs KEY:SECRET@")
        anymail[secret_name] = unquote(password)
    prefix = module.upper()
    for option, values in parse_qs(query).items():
        anymail[f"{prefix}_{option.upper()}"] = values[-1]
    return EmailConfig(f"anymail.backends.{module}.EmailBackend", anymail=anymail, esp=module)


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
    if scheme in ESPS:
        if parts.hostname:
            raise EmailURLError(
                f"EMAIL_URL for {scheme} takes no host, only the key: {scheme}://KEY@ "
                "(options such as the API's region go in ?name=value)"
            )
        return _esp_config(scheme, parts.username or "", parts.password or "", parts.query)
    defaults = {"smtp": 25, "smtp+tls": 587, "smtps": 465}
    if scheme not in defaults:
        raise EmailURLError(
            f"EMAIL_URL scheme {scheme!r} is not supported; use outbox:, console:, "
            "smtp://host:port, smtp+tls://user:pass@host:587, smtps://user:pass@host:465 "
            f"or an ESP: {', '.join(f'{e}://KEY@' for e in ESPS)}"
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


def relay_settings(email: EmailConfig, relay_url: str) -> dict[str, Any]:
    """Django's EMAIL_HOST... settings for the SMTP relay digests go through.

    EMAIL_URL's own, or with an ESP (whose API sends the site's other mail) the ESP's
    SMTP relay from DIGEST_RELAY_URL.
    """
    if not relay_url:
        return email.settings
    relay = parse_email_url(relay_url)
    if not email.esp or not relay.backend.endswith("smtp.EmailBackend"):
        raise ImproperlyConfigured(
            "DIGEST_RELAY_URL is for an ESP's SMTP relay when EMAIL_URL names the ESP "
            "(e.g. EMAIL_URL=postmark://TOKEN@ DIGEST_RELAY_URL=smtp+tls://TOKEN:TOKEN@"
            "smtp.postmarkapp.com:587); with an SMTP EMAIL_URL, digests use that relay."
        )
    return relay.settings
