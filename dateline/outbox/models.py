"""Mail captured by the development outbox instead of being delivered."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from email.utils import getaddresses

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    created_at = models.DateTimeField(default=timezone.now)
    from_email = models.CharField(max_length=998, blank=True)
    # Envelope recipients as the sender gave them, Bcc included: the raw message
    # leaves Bcc out, so this is the only record of who the mail was really for.
    to = models.TextField(blank=True)
    subject = models.TextField(blank=True)
    message_id = models.CharField(max_length=998, blank=True)
    # Exactly the bytes an SMTP server would have been handed, so the .eml download
    # and the parsed view show what production would send.
    raw = models.BinaryField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], name="outbox_created_at_idx")]
        verbose_name = "outbox message"

    def __str__(self) -> str:
        return f"{self.subject or '(no subject)'} → {self.to}"

    def parsed(self) -> EmailMessage:
        message = email.message_from_bytes(bytes(self.raw), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return message

    def recipient_addresses(self) -> list[str]:
        return [address for _name, address in getaddresses([self.to]) if address]
