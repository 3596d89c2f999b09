"""One helper to build every one-off email from three templates.

``emails/<name>-subject.txt``, ``emails/<name>-body.txt`` and
``emails/<name>-body.mjml`` under the app's template folder; the MJML is compiled
once (dateline.lib.mailhtml) into the table layout that mail clients need.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.template.loader import render_to_string

from dateline.lib import mailhtml


def make_message(
    template: str,
    context: dict[str, Any],
    to: str,
    *,
    headers: dict[str, str] | None = None,
    from_email: str | None = None,
) -> EmailMultiAlternatives:
    """``template`` is e.g. "newsletter/emails/confirm"."""
    context = {
        "publication_name": settings.PUBLICATION_NAME,
        "base_url": settings.BASE_URL,
        **context,
    }
    subject = " ".join(render_to_string(f"{template}-subject.txt", context).split())
    context["subject"] = subject  # the HTML part's <title>
    text = render_to_string(f"{template}-body.txt", context)
    html = mailhtml.render(f"{template}-body.mjml", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=[to],
        # Django would name the machine's host (often "localhost"); ours is the publication's.
        headers={"Message-ID": make_msgid(domain=settings.MAIL_DOMAIN), **(headers or {})},
    )
    message.attach_alternative(html, "text/html")
    return message
