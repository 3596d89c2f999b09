"""Poll a POP3 or IMAP mailbox of bounce messages (``BOUNCE_MAILBOX_URL``).

For sites whose relay cannot pipe bounces into ``dateline bounce``: the
bounce address delivers to a mailbox, and the scheduler reads and empties it.
Every message is processed (bounces.process) and then deleted, report or not,
so the mailbox does not grow; what each one was is counted in the result.
"""

from __future__ import annotations

import imaplib
import poplib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from dateline.digests import bounces

SCHEMES = {"pop3": 110, "pop3s": 995, "imap": 143, "imaps": 993}
TIMEOUT = 30
# At most this many messages a run: a flood waits for the next run.
BATCH = 500


class MailboxError(Exception):
    """The mailbox URL is wrong, or the server refused us."""


@dataclass(frozen=True)
class Mailbox:
    scheme: str
    host: str
    port: int
    user: str
    password: str
    folder: str

    @classmethod
    def from_url(cls, url: str) -> Mailbox:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES:
            raise MailboxError(
                f"BOUNCE_MAILBOX_URL must start with one of {', '.join(SCHEMES)}: "
                f"got {parts.scheme or 'no scheme'!r}"
            )
        if not parts.hostname or not parts.username:
            raise MailboxError("BOUNCE_MAILBOX_URL needs a user and a host: imaps://user:pw@host/")
        return cls(
            scheme=parts.scheme,
            host=parts.hostname,
            port=parts.port or SCHEMES[parts.scheme],
            user=unquote(parts.username),
            password=unquote(parts.password or ""),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
        )


def _pop3(box: Mailbox) -> Iterator[bytes]:
    server: poplib.POP3
    if box.scheme == "pop3s":
        server = poplib.POP3_SSL(box.host, box.port, timeout=TIMEOUT)
    else:
        server = poplib.POP3(box.host, box.port, timeout=TIMEOUT)
    try:
        server.user(box.user)
        server.pass_(box.password)
        count, _ = server.stat()
        for number in range(1, min(count, BATCH) + 1):
            _, lines, _ = server.retr(number)
            yield b"\r\n".join(lines) + b"\r\n"
            server.dele(number)  # only after it was processed: see poll()
    finally:
        # QUIT commits the deletions (RFC 1939 6); a crash before it keeps every message.
        server.quit()


def _imap(box: Mailbox) -> Iterator[bytes]:
    server: imaplib.IMAP4
    if box.scheme == "imaps":
        server = imaplib.IMAP4_SSL(box.host, box.port, timeout=TIMEOUT)
    else:
        server = imaplib.IMAP4(box.host, box.port, timeout=TIMEOUT)
    try:
        server.login(box.user, box.password)
        status, _ = server.select(box.folder)
        if status != "OK":
            raise MailboxError(f"no folder {box.folder!r} in the bounce mailbox")
        _, data = server.search(None, "ALL")
        numbers = (data[0] or b"").split()[:BATCH]
        for number in numbers:
            _, parts = server.fetch(number.decode(), "(RFC822)")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), b"")
            yield bytes(raw)
            server.store(number.decode(), "+FLAGS", "\\Deleted")
        server.expunge()
    finally:
        server.logout()


def poll(url: str) -> Counter[str]:
    """Read, process and delete the mailbox's messages; returns counts of what they were."""
    box = Mailbox.from_url(url)
    reader = _pop3 if box.scheme.startswith("pop3") else _imap
    counts: Counter[str] = Counter()
    source = box.scheme.rstrip("s")
    try:
        for raw in reader(box):
            outcome = bounces.process(raw, source=source)
            counts["messages"] += 1
            for bounce in outcome.recorded:
                counts[bounce.kind] += 1
            if not outcome.recorded:
                counts["ignored"] += 1
            counts["suppressed"] += len(outcome.suppressed)
    except (OSError, poplib.error_proto, imaplib.IMAP4.error) as error:
        raise MailboxError(f"bounce mailbox {box.host}:{box.port}: {error}") from error
    return counts
