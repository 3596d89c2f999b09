"""Subscribers, the evidence of their consent, and the addresses we must never mail."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.cache import cache
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.snippets.models import register_snippet

from dateline.lib import pagecache


def new_key() -> str:
    return secrets.token_urlsafe(12)


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Once a week"
    TWICE_WEEKLY = "twice_weekly", "Twice a week"


class Newsletter(models.Model):
    """A list readers can be on: the digest, Breaking news, or one the newsroom adds.

    The digest and Breaking news always exist (``digest()``, ``alerts()``); a reader's
    cadence and sections on Subscriber are their digest settings.
    """

    class Kind(models.TextChoices):
        DIGEST = "digest", "Digest: chosen stories at the reader's cadence"
        ALERTS = "alerts", "Alerts: one story, sent by an editor"
        EDITED = "edited", "Written by the newsroom"

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=50, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EDITED)
    description = models.TextField(blank=True, help_text="One or two lines readers see")
    sender_name = models.CharField(
        max_length=100, blank=True, help_text="The From name; the publication's name if empty"
    )
    cadence = models.CharField(
        max_length=100, blank=True, help_text='What readers can expect, e.g. "Every Friday"'
    )
    choosable = models.BooleanField(
        default=True, help_text="Listed in the signup box and the preference centre"
    )
    # Ticked in the signup box: a reader who changes nothing gets these.
    preselected = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("sender_name"),
        FieldPanel("cadence"),
        FieldPanel("choosable"),
        FieldPanel("preselected"),
        FieldPanel("position"),
    ]

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            # One digest and one alert list: the engine and the alert button look them up.
            models.UniqueConstraint(
                fields=["kind"],
                condition=~models.Q(kind="edited"),
                name="one_digest_one_alert_list",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # The signup box on every (cached) article lists the choosable newsletters.
        cache.delete("newsletter:choosable")
        pagecache.invalidate()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        result = super().delete(*args, **kwargs)
        cache.delete("newsletter:choosable")
        pagecache.invalidate()
        return result

    DEFAULTS: dict[str, dict[str, Any]] = {
        Kind.DIGEST: {
            "name": "The digest",
            "slug": "digest",
            "description": "The week's most important stories, chosen by our editors.",
            "cadence": "Once or twice a week, as you choose",
            "preselected": True,
            "position": 0,
        },
        Kind.ALERTS: {
            "name": "Breaking news",
            "slug": "breaking-news",
            "description": "A short mail when a story of great importance breaks.",
            "cadence": "Rarely: only for the biggest news",
            "preselected": False,
            "position": 1,
        },
    }

    @classmethod
    def _of_kind(cls, kind: str) -> Newsletter:
        # Made here as well as in migration 0005: a flushed test database has neither.
        newsletter, _ = cls.objects.get_or_create(kind=kind, defaults=cls.DEFAULTS[kind])
        return newsletter

    @classmethod
    def digest(cls) -> Newsletter:
        return cls._of_kind(cls.Kind.DIGEST)

    @classmethod
    def alerts(cls) -> Newsletter:
        return cls._of_kind(cls.Kind.ALERTS)

    @property
    def from_name(self) -> str:
        from django.conf import settings

        return self.sender_name or settings.PUBLICATION_NAME


register_snippet(Newsletter)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    email = models.EmailField(max_length=254, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.WEEKLY)
    # Empty means every section, including sections added later.
    sections = models.ManyToManyField("newsroom.SectionPage", blank=True, related_name="+")
    # Links in mail carry public_id plus an HMAC over it and token_key (tokens.py):
    # nothing in the database alone can forge one, and a new key revokes old links.
    public_id = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    token_key = models.CharField(max_length=32, default=new_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "cadence"])]
        constraints = [
            # One person, one subscriber: signup.subscriber_address stores addresses
            # lower-cased, and this keeps any other path from adding a second case.
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class ConsentText(models.Model):
    """The words a subscriber agreed to. Add a new version instead of editing an old one."""

    version = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    panels = [FieldPanel("version"), FieldPanel("text")]

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Consent text v{self.version}"

    CACHE_KEY = "newsletter:consent-text"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)
        # Cached pages show the box with the consent text in it.
        pagecache.invalidate()

    @classmethod
    def current(cls) -> ConsentText:
        """The newest version, cached: the box on every article shows it."""
        text = cache.get(cls.CACHE_KEY)
        if text is None:
            text = cls.objects.order_by("-version").first()
            if text is None:
                text = cls.objects.create(version=1, text=DEFAULT_CONSENT_TEXT)
            cache.set(cls.CACHE_KEY, text, 3600)
        return text


DEFAULT_CONSENT_TEXT = (
    "Send me the newsletters I chose, the digest at the cadence I chose. You will use my "
    "address only for these newsletters and the mail needed to run them, and I can leave "
    "any of them, or all, with one click from any issue."
)

register_snippet(ConsentText)


class ConsentRecord(models.Model):
    """Evidence of one subscription request under GDPR Art. 7(1), kept after the subscriber."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        SUPERSEDED = "superseded", "Not needed: another request was confirmed or withdrawn"
        EXPIRED = "expired", "Never confirmed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Purpose(models.TextChoices):
        SUBSCRIBE = "subscribe", "Subscribe"
        CHANGE_ADDRESS = "change_address", "Change of address"

    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.SET_NULL, related_name="consents"
    )
    email = models.EmailField(max_length=254, db_index=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.SUBSCRIBE)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    signup_at = models.DateTimeField(default=timezone.now)
    signup_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=500, help_text="The form or page it came from")
    consent_text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+")
    # What was asked for, applied on confirmation.
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.WEEKLY)
    section_ids = models.JSONField(default=list, blank=True)
    # The newsletters asked for (Newsletter ids); empty on records made before there
    # were several, which meant the digest.
    newsletter_ids = models.JSONField(default=list, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    mail_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_ip = models.GenericIPAddressField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_how = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-signup_at"]

    def __str__(self) -> str:
        return f"{self.email} {self.get_status_display()} {self.signup_at:%Y-%m-%d}"

    def as_evidence(self) -> dict[str, Any]:
        def iso(value: Any) -> str | None:
            return value.isoformat() if value else None

        return {
            "email": self.email,
            "purpose": self.purpose,
            "status": self.status,
            "signup_at": iso(self.signup_at),
            "signup_ip": self.signup_ip,
            "user_agent": self.user_agent,
            "source": self.source,
            "consent_text_version": self.consent_text.version,
            "consent_text": self.consent_text.text,
            "cadence": self.cadence,
            "section_ids": self.section_ids,
            "newsletter_ids": self.newsletter_ids,
            "confirmation_mail_sent_at": iso(self.mail_sent_at),
            "confirmed_at": iso(self.confirmed_at),
            "confirmed_ip": self.confirmed_ip,
            "withdrawn_at": iso(self.withdrawn_at),
            "withdrawn_how": self.withdrawn_how,
        }


class Subscription(models.Model):
    """A reader on one newsletter, and the evidence for it: when, how, in which words.

    Leaving closes the row (``left_at``) instead of deleting it, and joining again
    opens a new one, so the rows are the newsletter's consent history for the reader.
    """

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.PROTECT, related_name="subscriptions"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    # How the reader came to it: "signup", "preference centre", "import", "migration".
    source = models.CharField(max_length=100)
    # The words they agreed to, and the confirmed request when it came from a signup.
    consent_text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+")
    consent = models.ForeignKey(
        ConsentRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    left_at = models.DateTimeField(null=True, blank=True)
    left_how = models.CharField(max_length=100, blank=True)
    # The issue whose unsubscribe link the reader followed, for its figures.
    left_issue_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["newsletter", "-joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "newsletter"],
                condition=models.Q(left_at=None),
                name="one_open_subscription",
            )
        ]
        # Approval asks "is this reader on the newsletter" for every reader in id order.
        indexes = [models.Index(fields=["newsletter", "subscriber"], name="subscription_lookup")]

    def __str__(self) -> str:
        state = f"left {self.left_at:%Y-%m-%d}" if self.left_at else "open"
        return f"{self.subscriber_id} on {self.newsletter_id} ({state})"

    @property
    def is_open(self) -> bool:
        return self.left_at is None


class ConfirmationMail(models.Model):
    """Every mail our signup form caused, so that no address gets more than a few a day."""

    email = models.EmailField(max_length=254)
    kind = models.CharField(max_length=30)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["email", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.email}"


class Suppression(models.Model):
    """An address no newsletter may go to. Checked at every send."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        HARD_BOUNCE = "hard_bounce", "Hard bounce"
        SOFT_BOUNCES = "soft_bounces", "Soft bounces past the threshold"
        COMPLAINT = "complaint", "Complaint"
        MANUAL = "manual", "Added by staff"

    email = models.EmailField(max_length=254, unique=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"


class BlockedDomain(models.Model):
    """Mail domains our form refuses, e.g. throwaway-address services."""

    domain = models.CharField(max_length=253, unique=True)
    note = models.CharField(max_length=200, blank=True)

    panels = [FieldPanel("domain"), FieldPanel("note")]

    def __str__(self) -> str:
        return self.domain

    CACHE_KEY = "newsletter:blocked-domains"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.domain = self.domain.strip().lower().lstrip("@")
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        result = super().delete(*args, **kwargs)
        cache.delete(self.CACHE_KEY)
        return result

    @classmethod
    def all_domains(cls) -> frozenset[str]:
        """Every blocked domain, cached: each signup checks its address against them."""
        domains = cache.get(cls.CACHE_KEY)
        if domains is None:
            domains = frozenset(cls.objects.values_list("domain", flat=True))
            cache.set(cls.CACHE_KEY, domains, 300)
        return domains


register_snippet(BlockedDomain)


@register_setting(icon="mail")
class NewsletterSettings(BaseGenericSetting):
    """What the newsroom decides in the admin (Settings → Newsletter settings)."""

    alerts_per_day = models.PositiveSmallIntegerField(
        default=3,
        help_text="Breaking-news alerts the newsroom may send in a day (site's time zone)",
    )
    reader_engagement = models.BooleanField(
        default=False,
        help_text=(
            "Record which reader clicked which link. Off, clicks are counted for all "
            "readers together. Turn on only with a consent text that says so."
        ),
    )
    open_tracking = models.BooleanField(
        default=False,
        help_text=(
            "Count opens with an image in the mail. Unreliable: many mail programs load "
            "images without the reader opening the mail, and others never load them."
        ),
    )

    panels = [
        FieldPanel("alerts_per_day"),
        FieldPanel("reader_engagement"),
        FieldPanel("open_tracking"),
    ]

    class Meta:
        verbose_name = "Newsletter settings"


class ErasureRecord(models.Model):
    """What is left of an erased subscriber: a count per day, no personal data."""

    day = models.DateField(unique=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} erased on {self.day}"
