"""Comments under articles, the people who write them, reports and bans."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone


def new_key() -> str:
    return secrets.token_urlsafe(12)


class Commenter(models.Model):
    """One email address that has commented; never shown to readers.

    ``verified_at`` is set when the owner clicked a link we mailed (or was an
    active newsletter subscriber already): reply mail goes only to verified
    addresses. ``public_id`` and ``token_key`` sign the links in that mail, as
    the newsletter's manage tokens do.
    """

    email = models.EmailField(max_length=254, unique=True)
    public_id = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    token_key = models.CharField(max_length=32, default=new_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    # False once they asked for no reply mail at all.
    reply_mail = models.BooleanField(default=True)
    verification_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.email


class Comment(models.Model):
    class Status(models.TextChoices):
        HELD = "held", "Awaiting moderation"
        APPROVED = "approved", "Published"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"
        # Deleted by its writer: kept as a placeholder so replies keep their place.
        DELETED = "deleted", "Deleted by the commenter"

    article = models.ForeignKey(
        "newsroom.ArticlePage", on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The top-level comment this one hangs under (itself for a top-level comment):
    # a page of threads and all their replies are then two queries.
    thread = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    commenter = models.ForeignKey(
        Commenter, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    name = models.CharField(max_length=80)
    body = models.TextField(help_text="Markdown, as written")
    body_html = models.TextField(help_text="The sanitised HTML readers see")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    hold_reason = models.CharField(max_length=200, blank=True)
    notify_replies = models.BooleanField(default=False)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    body_hash = models.CharField(max_length=64, blank=True, db_index=True)
    report_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    spam_checked_at = models.DateTimeField(null=True, blank=True)
    # Set by the one task that mails the parent's writer about this reply (claimed
    # with a conditional UPDATE, so an approval twice over mails once).
    reply_notified_at = models.DateTimeField(null=True, blank=True)
    # Where an imported comment came from ("disqus", "wordpress") and its id there,
    # so running an import twice adds nothing.
    import_source = models.CharField(max_length=20, blank=True)
    import_id = models.CharField(max_length=100, blank=True)

    # The status as last read from or written to the database (see from_db).
    loaded_status: str | None = None

    class Meta:
        indexes = [
            models.Index(fields=["article", "status", "created_at"]),
            models.Index(fields=["thread", "status"]),
            models.Index(fields=["status", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["import_source", "import_id"],
                condition=~Q(import_source=""),
                name="comment_import_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.article_id}: {self.body[:40]}"

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Comment:
        instance = super().from_db(db, field_names, values)
        # What readers saw before a save: the signal refreshes pages when either shows.
        instance.loaded_status = instance.__dict__.get("status")
        return instance

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"


class CommentReport(models.Model):
    """A reader's "Report" on a comment; the moderation queue lists reported comments."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Report on comment {self.comment_id}"


class Ban(models.Model):
    """An address or IP whose comments are refused until ``expires_at`` (never if empty)."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email address"
        IP = "ip", "IP address"

    kind = models.CharField(max_length=5, choices=Kind.choices)
    value = models.CharField(max_length=254)
    expires_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"

    @classmethod
    def active(cls) -> models.QuerySet[Ban]:
        now = timezone.now()
        return cls.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
