"""The development outbox's SMTP side, like Mailpit's: what is sent to it lands in /dev/outbox/.

Django's own mail goes to the outbox through its email backend. The digest
engine talks SMTP itself (pre-encoded bytes, pipelining), so in development
`dateline run` also starts this small server (aiosmtpd) on 127.0.0.1 and
points EMAIL_HOST/EMAIL_PORT at it: digests then show in the outbox too.
"""

from __future__ import annotations

import email
import email.policy
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection

from dateline.outbox.models import OutboxMessage


def store(mail_from: str, rcpt_tos: list[str], data: bytes) -> OutboxMessage:
    # The default policy unfolds and decodes: the subject as a mail program shows it.
    headers = email.message_from_bytes(data, policy=email.policy.default)
    return OutboxMessage.objects.create(
        from_email=mail_from or "",
        to=", ".join(rcpt_tos),
        subject=str(headers.get("Subject", "")).strip(),
        message_id=str(headers.get("Message-ID", "")).strip(),
        raw=data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
    )


class OutboxHandler:
    """aiosmtpd handler: every accepted message becomes an OutboxMessage."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await sync_to_async(_store_and_close, thread_sensitive=True)(
            envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)
        )
        return "250 Message accepted into the outbox"


def _store_and_close(mail_from: str, rcpt_tos: list[str], data: bytes) -> None:
    # The thread sync_to_async runs this in outlives the message, and no request cycle
    # closes its database connection: it stayed open as long as the process (and kept
    # the PostgreSQL test database from being dropped). Development mail is a trickle.
    try:
        store(mail_from, rcpt_tos, data)
    finally:
        connection.close()
