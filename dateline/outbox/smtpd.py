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

from dateline.outbox.models import OutboxMessage


def store(mail_from: str, rcpt_tos: list[str], data: bytes) -> OutboxMessage:
    headers = email.message_from_bytes(data, policy=email.policy.compat32)
    return OutboxMessage.objects.create(
        from_email=mail_from or "",
        to=", ".join(rcpt_tos),
        subject=str(headers.get("Subject", "")),
        message_id=str(headers.get("Message-ID", "")),
        raw=data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
    )


class OutboxHandler:
    """aiosmtpd handler: every accepted message becomes an OutboxMessage."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await sync_to_async(store, thread_sensitive=True)(
            envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)
        )
        return "250 Message accepted into the outbox"
