"""One helper to build every one-off email from three templates.

``emails/<name>-subject.txt``, ``emails/<name>-body.txt`` and
``emails/<name>-body.html`` under the app's template folder; the HTML gets its
CSS inlined so that it survives mail clients.
"""

from __future__ import annotations

from typing import Any

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.template.loader import render_to_string

_inliner = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


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
    html = _inliner.inline(render_to_string(f"{template}-body.html", context))
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
