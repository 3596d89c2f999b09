"""Optional DKIM signing in the app (dkimpy), for sites whose relay cannot sign.

Signing is better done at the relay (OpenDKIM, Postfix, the ESP): the key stays
off the web servers and the relay signs at C speed. Here every message is
signed on its own, since each reader's body differs (links, address), which
costs CPU per message. Configured by settings (env): DKIM_DOMAIN, DKIM_SELECTOR
and DKIM_PRIVATE_KEY_FILE holding either an RSA key in PEM or an Ed25519 key as
dkimpy expects it (the base64 of the 32-byte seed, RFC 8463).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dkim
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Signed even when absent, so nobody can add them on the way (RFC 6376 5.4).
SIGNED_HEADERS = (
    b"from",
    b"reply-to",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"mime-version",
    b"content-type",
)


@dataclass(frozen=True)
class Signer:
    domain: str
    selector: str
    key: bytes

    @property
    def algorithm(self) -> bytes:
        return b"rsa-sha256" if self.key.lstrip().startswith(b"-----BEGIN") else b"ed25519-sha256"

    def sign(self, message: bytes) -> bytes:
        """The message with its DKIM-Signature header in front."""
        header = dkim.sign(
            message,
            self.selector.encode("ascii"),
            self.domain.encode("ascii"),
            self.key,
            canonicalize=(b"relaxed", b"relaxed"),
            signature_algorithm=self.algorithm,
            include_headers=list(SIGNED_HEADERS),
            linesep=b"\r\n",
        )
        return bytes(header) + message


def from_settings() -> Signer | None:
    """The configured signer, or None when DKIM_DOMAIN is empty (the default: the relay signs)."""
    domain = getattr(settings, "DKIM_DOMAIN", "")
    if not domain:
        return None
    selector = getattr(settings, "DKIM_SELECTOR", "")
    path = getattr(settings, "DKIM_PRIVATE_KEY_FILE", "")
    if not selector or not path:
        raise ImproperlyConfigured("DKIM_DOMAIN needs DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE too")
    try:
        key = Path(path).read_bytes().strip()
    except OSError as error:
        raise ImproperlyConfigured(f"DKIM_PRIVATE_KEY_FILE {path}: {error}") from None
    signer = Signer(domain=domain, selector=selector, key=key)
    try:  # a bad key must stop the run before the first reader, not fail every message
        signer.sign(b"From: a@b.invalid\r\nSubject: check\r\n\r\nbody\r\n")
    except (dkim.DKIMException, ValueError) as error:
        raise ImproperlyConfigured(
            f"DKIM_PRIVATE_KEY_FILE {path}: not a usable key: {error}"
        ) from None
    return signer
