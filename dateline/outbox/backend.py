"""An email backend that keeps every message in the database for /dev/outbox/."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from dateline.outbox.models import OutboxMessage


class OutboxBackend(BaseEmailBackend):
    """Stores messages instead of sending them; never opens a network connection."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        try:
            rows = [self._row(message) for message in email_messages if message.recipients()]
            if rows:
                OutboxMessage.objects.bulk_create(rows)
        except Exception:
            if not self.fail_silently:
                raise
            return 0
        return len(rows)

    @staticmethod
    def _row(message: EmailMessage) -> OutboxMessage:
        # message() also fills in Date and Message-ID, as the SMTP backend would.
        mime = message.message()
        return OutboxMessage(
            from_email=message.from_email or "",
            to=", ".join(message.recipients()),
            subject=str(message.subject or ""),
            message_id=str(mime.get("Message-ID", "")),
            raw=mime.as_bytes(linesep="\r\n"),
        )
