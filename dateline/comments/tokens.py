"""Links in comment mail: ``public_id.signature``, as the newsletter's manage tokens.

The signature is an HMAC of the commenter's public id and key under SECRET_KEY,
with a salt per purpose, so a reply mail's unsubscribe link cannot be used as a
verification link and the database alone cannot forge either.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from dateline.comments.models import Commenter
from dateline.newsletter.tokens import TOKEN_SHAPE

VERIFY = "dateline.comments.verify"
UNSUBSCRIBE = "dateline.comments.unsubscribe"


def _signature(purpose: str, public_id: str, key: str) -> str:
    return salted_hmac(purpose, f"{public_id}:{key}", algorithm="sha256").hexdigest()[:32]


def make_token(commenter: Commenter, purpose: str) -> str:
    return f"{commenter.public_id}.{_signature(purpose, commenter.public_id, commenter.token_key)}"


def commenter_for_token(token: str, purpose: str) -> Commenter | None:
    """The commenter a token belongs to, or None for a forged or garbled one."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    public_id, _, signature = token.partition(".")
    commenter = Commenter.objects.filter(public_id=public_id).first()
    if commenter is None:
        constant_time_compare(signature, _signature(purpose, public_id, "x"))
        return None
    if not constant_time_compare(signature, _signature(purpose, public_id, commenter.token_key)):
        return None
    return commenter


def verify_url(commenter: Commenter) -> str:
    return f"{settings.BASE_URL}/comments/verify/{make_token(commenter, VERIFY)}/"


def unsubscribe_url(commenter: Commenter, article_id: int | None = None) -> str:
    """One thread's reply mail with an article id; all reply mail without."""
    token = make_token(commenter, UNSUBSCRIBE)
    if article_id is None:
        return f"{settings.BASE_URL}/comments/unsubscribe/{token}/"
    return f"{settings.BASE_URL}/comments/unsubscribe/{token}/{article_id}/"


def list_unsubscribe_headers(commenter: Commenter, article_id: int) -> dict[str, str]:
    """RFC 2369 and RFC 8058 one-click: the mail client's button stops this thread's mail."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(commenter, article_id)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
