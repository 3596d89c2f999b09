"""Tokens in newsletter links, and the headers that carry them.

* Confirmation tokens are random (CSPRNG), stored only as a SHA-256 hash, expire
  and work once.
* A subscriber's manage token is ``public_id.signature``: an HMAC of the public
  id and the subscriber's key under SECRET_KEY. Every mail can carry it without
  the database holding it, and a new key revokes every link sent before.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Protocol

from django.conf import settings
from django.utils.crypto import constant_time_compare

from dateline.lib.hmacs import salted_sha256
from dateline.newsletter.models import Subscriber

MANAGE_SALT = "dateline.newsletter.manage"
# public_id (models.new_key: URL-safe base64) "." 32 hex digits of HMAC.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,32}\.[0-9a-f]{32}")


def new_confirmation_token() -> tuple[str, str]:
    """A fresh token and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _signature(public_id: str, key: str) -> str:
    return salted_sha256(MANAGE_SALT, f"{public_id}:{key}")[:32]


class KeyHolder(Protocol):
    """What a reader's links need: a Subscriber, or the delivery engine's plain Reader."""

    @property
    def public_id(self) -> str: ...
    @property
    def token_key(self) -> str: ...


def manage_token(subscriber: KeyHolder) -> str:
    return f"{subscriber.public_id}.{_signature(subscriber.public_id, subscriber.token_key)}"


def subscriber_for_token(token: str) -> Subscriber | None:
    """The subscriber a manage token belongs to, or None for a forged or revoked token."""
    # Shape first: a garbled token never reaches the database (PostgreSQL refuses
    # a NUL in a query with an error, which would be a 500 instead of a 404).
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    public_id, _, signature = token.partition(".")
    subscriber = Subscriber.objects.filter(public_id=public_id).first()
    if subscriber is None:
        # Same work as a real check, so a guess takes as long as a match.
        constant_time_compare(signature, _signature(public_id, "x"))
        return None
    if not constant_time_compare(signature, _signature(public_id, subscriber.token_key)):
        return None
    return subscriber


# ``token``: the subscriber's manage_token when the caller has it already (a bulk
# mail needs it four times per reader, and each costs an HMAC).


def manage_url(subscriber: KeyHolder, token: str = "") -> str:
    return f"{settings.BASE_URL}/newsletter/manage/{token or manage_token(subscriber)}/"


def unsubscribe_url(subscriber: KeyHolder, token: str = "") -> str:
    return f"{settings.BASE_URL}/newsletter/unsubscribe/{token or manage_token(subscriber)}/"


def unsubscribe_mailto(subscriber: KeyHolder, token: str = "") -> str:
    local, _, domain = settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX.partition("@")
    return f"mailto:{local}+{token or manage_token(subscriber)}@{domain}?subject=unsubscribe"


def list_unsubscribe_headers(subscriber: KeyHolder, token: str = "") -> dict[str, str]:
    """RFC 2369 List-Unsubscribe (https and mailto) and RFC 8058 one-click."""
    token = token or manage_token(subscriber)
    https, mailto = unsubscribe_url(subscriber, token), unsubscribe_mailto(subscriber, token)
    return {
        "List-Unsubscribe": f"<{https}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
