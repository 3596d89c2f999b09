from __future__ import annotations

from typing import Any

from django import template

from dateline.lib.formstamp import make_stamp
from dateline.newsletter.forms import SignupForm
from dateline.newsletter.models import ConsentText

register = template.Library()


@register.inclusion_tag("newsletter/box.html", takes_context=True)
def newsletter_box(context: template.Context, source: str = "") -> dict[str, Any]:
    """The sign-up box for the foot of an article; it posts to /newsletter/."""
    request = context.get("request")
    return {
        "form": SignupForm(),
        "stamp": make_stamp(),
        "consent_text": ConsentText.current(),
        "source": source or (request.path if request else ""),
    }
