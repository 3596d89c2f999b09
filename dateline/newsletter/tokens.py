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
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

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


def _signature(public_id: str, key: str, secret: str | None = None) -> str:
    value = f"{public_id}:{key}"
    return salted_hmac(MANAGE_SALT, value, secret, algorithm="sha256").hexdigest()[:32]


class KeyHolder(Protocol):
    """What a reader's links need: a Subscriber, or the delivery engine's plain Reader."""

    @property
    def public_id(self) -> str: ...
    @property
    def token_key(self) -> str: ...


def manage_token(subscriber: KeyHolder) -> str:
    return Links.from_settings().manage_token(subscriber)


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


@dataclass(frozen=True)
class Links:
    """A reader's newsletter links, made with the settings they need read once.

    Each read of ``django.conf.settings`` costs a couple of microseconds; the
    delivery engine makes one Links per run and then the links of thousands of
    readers a second. The functions below make a Links for each call.
    """

    base_url: str
    mailbox: str
    secret: str
    # The newsletter (slug) the mail comes from and the issue (id): an unsubscribe
    # link then leaves that newsletter alone and counts for that issue. Empty: all.
    newsletter: str = ""
    issue: int | None = None

    @classmethod
    def from_settings(cls, newsletter: str = "", issue: int | None = None) -> Links:
        return cls(
            settings.BASE_URL,
            settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX,
            settings.SECRET_KEY,
            newsletter,
            issue,
        )

    def manage_token(self, subscriber: KeyHolder) -> str:
        public_id = subscriber.public_id
        return f"{public_id}.{_signature(public_id, subscriber.token_key, self.secret)}"

    def manage_url(self, token: str) -> str:
        return f"{self.base_url}/newsletter/manage/{token}/"

    def unsubscribe_url(self, token: str) -> str:
        url = f"{self.base_url}/newsletter/unsubscribe/{token}/"
        if self.newsletter:
            url += f"{self.newsletter}/"
            if self.issue is not None:
                # In the path: no "?" or "=" for quoted-printable to escape per reader.
                url += f"{self.issue}/"
        return url

    def unsubscribe_mailto(self, token: str) -> str:
        local, _, domain = self.mailbox.partition("@")
        subject = f"unsubscribe {self.newsletter}" if self.newsletter else "unsubscribe"
        return f"mailto:{local}+{token}@{domain}?subject={subject.replace(' ', '%20')}"

    def list_unsubscribe(self, token: str) -> str:
        """RFC 2369 List-Unsubscribe: https and mailto."""
        return f"<{self.unsubscribe_url(token)}>, <{self.unsubscribe_mailto(token)}>"


# ``token``: the subscriber's manage_token when the caller has it already (a bulk
# mail needs it four times per reader, and each costs an HMAC).


def manage_url(subscriber: KeyHolder, token: str = "") -> str:
    return Links.from_settings().manage_url(token or manage_token(subscriber))


def unsubscribe_url(subscriber: KeyHolder, token: str = "") -> str:
    return Links.from_settings().unsubscribe_url(token or manage_token(subscriber))


def unsubscribe_mailto(subscriber: KeyHolder, token: str = "") -> str:
    return Links.from_settings().unsubscribe_mailto(token or manage_token(subscriber))


def list_unsubscribe_headers(subscriber: KeyHolder, token: str = "") -> dict[str, str]:
    """RFC 2369 List-Unsubscribe (https and mailto) and RFC 8058 one-click."""
    return {
        "List-Unsubscribe": Links.from_settings().list_unsubscribe(
            token or manage_token(subscriber)
        ),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
