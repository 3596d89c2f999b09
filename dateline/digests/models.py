"""Send slots, digest issues, the stories chosen for them, deliveries and bounces.

How they move: docs/newsletter.md ("Digests").
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import cached_property
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.snippets.models import register_snippet

from dateline.digests.blocks import IssueBody
from dateline.newsletter.models import Cadence, Newsletter


class SendSlot(models.Model):
    """A weekly moment, in the site's time zone, when a cadence's issue goes out."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    cadence = models.CharField(max_length=20, choices=Cadence.choices)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    time = models.TimeField(help_text="In the site's time zone")
    active = models.BooleanField(default=True)

    panels = [
        FieldPanel("cadence"),
        FieldPanel("weekday"),
        FieldPanel("time"),
        FieldPanel("active"),
    ]

    class Meta:
        ordering = ["cadence", "weekday", "time"]
        constraints = [
            models.UniqueConstraint(fields=["cadence", "weekday", "time"], name="one_slot_per_time")
        ]

    def __str__(self) -> str:
        return f"{self.get_cadence_display()}: {self.get_weekday_display()} {self.time:%H:%M}"


register_snippet(SendSlot)


class WrittenIssue(models.Model):
    """A newsletter issue the newsroom writes from scratch, in blocks; sent from its page.

    Sending it makes a DigestIssue of kind EDITED that points here and goes through
    the same engine as the digest.
    """

    title = models.CharField(max_length=200, help_text="For the newsroom; readers see the subject")
    newsletter = models.ForeignKey(
        "newsletter.Newsletter", on_delete=models.PROTECT, related_name="written_issues"
    )
    subject = models.CharField(max_length=200)
    preheader = models.CharField(
        max_length=200, blank=True, help_text="The line mail programs show after the subject"
    )
    body = StreamField(IssueBody())
    created_at = models.DateTimeField(default=timezone.now)

    panels = [
        FieldPanel("title"),
        FieldPanel("newsletter"),
        FieldPanel("subject"),
        FieldPanel("preheader"),
        FieldPanel("body"),
    ]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class DigestIssue(models.Model):
    """One mailing of one newsletter: a digest, an alert, or a written issue.

    The name is the digest's, the first kind there was; every kind goes through the
    same approval and engine (deliveries, crash safety, progress, figures).
    """

    class Kind(models.TextChoices):
        DIGEST = "digest", "Digest"
        ALERT = "alert", "Alert"
        EDITED = "edited", "Written issue"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft: editors may change it"
        # Confirmed by an editor for a later time (slot_at); cancellable until then.
        SCHEDULED = "scheduled", "Scheduled"
        APPROVED = "approved", "Approved"
        SENDING = "sending", "Sending"
        PAUSED = "paused", "Paused"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DIGEST)
    newsletter = models.ForeignKey(
        "newsletter.Newsletter", on_delete=models.PROTECT, related_name="issues"
    )
    # The digest's readers' cadence; empty for alerts and written issues.
    cadence = models.CharField(max_length=20, choices=Cadence.choices, blank=True)
    # When it goes out: a digest's slot (unique per cadence, so schedulers racing for a
    # slot make one issue), or the time an editor scheduled another kind for.
    slot_at = models.DateTimeField()
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    # What the editor wrote: empty means the defaults (the top story's headline and
    # standfirst for a digest).
    subject = models.CharField(max_length=200, blank=True)
    preheader = models.CharField(max_length=200, blank=True)
    intro = RichTextField(blank=True, features=["bold", "italic", "link"])
    written = models.ForeignKey(
        WrittenIssue, null=True, blank=True, on_delete=models.PROTECT, related_name="sends"
    )
    # Who let it go: an editor in the admin, or nobody when the slot came (auto-approval).
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Deliveries are still being queued (engine.approve commits them in chunks, and
    # workers send the first readers meanwhile): no worker may call the issue sent yet.
    queueing = models.BooleanField(default=False)
    # Why the engine paused it (too many failures); cleared by engine.resume().
    pause_reason = models.CharField(max_length=500, blank=True)
    # Deliveries tried and failed when it was last resumed: the failure rate that
    # pauses an issue counts only what happened since, or a resume would re-pause at once.
    tried_at_resume = models.PositiveIntegerField(default=0)
    failed_at_resume = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-slot_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadence", "slot_at"],
                condition=models.Q(kind="digest"),
                name="one_issue_per_slot",
            )
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.DIGEST:
            return f"{self.get_cadence_display()} digest for {self.slot_at:%Y-%m-%d %H:%M}"
        return f"{self.get_kind_display()} for {self.slot_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.newsletter_id is None:
            # Code written before there were several newsletters makes digests.
            self.newsletter = Newsletter.digest()
        super().save(*args, **kwargs)


class DigestStory(models.Model):
    issue = models.ForeignKey(DigestIssue, on_delete=models.CASCADE, related_name="stories")
    # Any story page: an article, or a page type an app above registers (storykinds.py).
    article = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="digest_entries"
    )
    position = models.PositiveSmallIntegerField()
    score = models.FloatField(default=0)
    # An editor's choices survive the refresh of a draft's selection at the slot.
    pinned = models.BooleanField(default=False)
    dropped = models.BooleanField(default=False)

    class Meta:
        ordering = ["issue", "position"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "article"], name="a_story_once_per_issue")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.article_id}"


class LinkClicks(models.Model):
    """Clicks on one link of an issue, by all its readers together (dateline.digests.clicks).

    Never who clicked: the link is the same in every reader's mail.
    """

    issue = models.ForeignKey(DigestIssue, on_delete=models.CASCADE, related_name="link_clicks")
    url = models.URLField(max_length=2000)
    # The story page the link leads to; null for other links in the mail.
    story = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["issue", "-clicks"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "url"], name="one_count_per_issue_link")
        ]

    def __str__(self) -> str:
        return f"{self.clicks} on {self.url}"


def new_delivery_token() -> str:
    """The random tokens deliveries once stored; kept for migration 0003 only."""
    return secrets.token_hex(12)


# A delivery's token names its row and proves that we made it: the id, then an HMAC of
# the id under SECRET_KEY. It travels in bounce addresses and Message-IDs, so it is
# lower case only. Derived rather than stored, approving an issue of a million readers
# writes a million rows with one index and 25 bytes fewer each (bench/send).
_TOKEN_PURPOSE = "dateline.digests.delivery-token"  # noqa: S105 - a purpose, not a secret
_TOKEN_SIGNATURE_CHARS = 20  # 80 bits: no one guesses a bounce address into suppression
DELIVERY_TOKEN_PATTERN = rf"[0-9]+x[0-9a-f]{{{_TOKEN_SIGNATURE_CHARS}}}"


def _token_signature(delivery_id: int, secret: str | bytes) -> str:
    signature = salted_hmac(_TOKEN_PURPOSE, str(delivery_id), secret, algorithm="sha256")
    return signature.hexdigest()[:_TOKEN_SIGNATURE_CHARS]


def delivery_token(delivery_id: int, secret: str = "") -> str:
    """``secret``: settings.SECRET_KEY when the caller has read it already (the engine)."""
    return f"{delivery_id}x{_token_signature(delivery_id, secret or settings.SECRET_KEY)}"


def delivery_id_from_token(token: str) -> int | None:
    """The delivery a token names, or None when we did not make it.

    Bounces come back days later: a token made under a key since rotated into
    SECRET_KEY_FALLBACKS still counts.
    """
    number, _, signature = token.lower().partition("x")
    if not number.isdigit() or len(number) > 19:
        return None
    delivery_id = int(number)
    for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
        if constant_time_compare(signature, _token_signature(delivery_id, secret)):
            return delivery_id
    return None


class Delivery(models.Model):
    """One issue to one subscriber. Workers claim queued rows in batches (engine/claims.py)."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Suppressed"
        BOUNCED = "bounced", "Bounced"
        # Nothing left to send: no story of the issue in the chosen sections, or the
        # subscriber already received every one of them in an earlier issue.
        SKIPPED = "skipped", "Skipped: no stories for this subscriber"

    # No index of its own: the two below start with the issue, and approving an issue
    # of a million readers is faster with one index fewer to fill.
    issue = models.ForeignKey(
        DigestIssue, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    subscriber = models.ForeignKey(
        "newsletter.Subscriber", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(max_length=254)
    # "all", or the chosen section ids sorted and comma separated, e.g. "3,7".
    sections_key = models.CharField(max_length=500, default="all")
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="one_delivery_per_reader"),
        ]
        # Workers claim an issue's queued rows in id order: this index hands them the
        # next batch without sorting the whole issue (engine.claim_batch). Not the state:
        # an UPDATE that changes no indexed column and finds room in its page is "HOT" on
        # PostgreSQL and writes no index entry at all. The claim and the "sent" of each
        # delivery then cost the database a third of what they did (docs/decisions/0007);
        # the room is the table's fillfactor (migration 0009).
        indexes = [models.Index(fields=["issue", "id"], name="delivery_issue_order")]

    def __str__(self) -> str:
        return f"{self.issue_id} to {self.email}: {self.state}"

    @cached_property
    def token(self) -> str:
        """Opaque, for bounce addresses and Message-IDs (delivery_token)."""
        return delivery_token(self.pk)

    @property
    def section_ids(self) -> frozenset[int] | None:
        """None for every section."""
        if self.sections_key == "all":
            return None
        return frozenset(int(x) for x in self.sections_key.split(","))


class Bounce(models.Model):
    """A bounce or complaint about one address, from a DSN, a mailbox or an ESP's webhook.

    Hard bounces and complaints suppress the address at once; soft ones are
    scored over days (bounces.py) and suppress only past a threshold.
    """

    class Kind(models.TextChoices):
        HARD = "hard", "Hard bounce"
        SOFT = "soft", "Soft bounce"
        COMPLAINT = "complaint", "Complaint"

    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="bounces"
    )
    email = models.EmailField(max_length=254, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # RFC 3463 enhanced status code, e.g. "5.1.1", when the report gave one.
    status = models.CharField(max_length=20, blank=True)
    diagnostic = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=50, help_text="dsn, pop3, imap or the ESP's name")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.email} ({self.status or 'no status'})"


class RelayBudget(models.Model):
    """A token bucket per SMTP relay, shared by every worker (engine.limiter.RelayLimiter).

    Two buckets: one refills at the per-second rate, one at the per-hour rate;
    a send takes a token from both. Times are Unix seconds from the workers' clocks.
    """

    relay = models.CharField(max_length=300, unique=True)
    second_tokens = models.FloatField(default=0)
    hour_tokens = models.FloatField(default=0)
    updated = models.FloatField(default=0)

    def __str__(self) -> str:
        return self.relay


class IssueOpens(models.Model):
    """Opens of an issue's mail by all its readers together, when open tracking is on.

    Unreliable by nature (mail programs that load images for the reader, or never),
    so a rough count only: dateline.digests.engagement.
    """

    issue = models.OneToOneField(DigestIssue, on_delete=models.CASCADE, related_name="opens")
    opens = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.opens} opens of {self.issue_id}"


class DeliveryClick(models.Model):
    """One reader's clicks on one link: kept only with NewsletterSettings.reader_engagement.

    Off (the default), no row of this kind is ever written (dateline.digests.engagement).
    """

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="clicks")
    url = models.URLField(max_length=2000)
    clicks = models.PositiveIntegerField(default=0)
    # When the click was written (within a flush interval of the reader's click).
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["delivery", "url"], name="one_count_per_reader_link")
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.clicks} on {self.url}"


class DeliveryOpen(models.Model):
    """One reader's opens of one mail: only with reader engagement and open tracking on."""

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="open")
    opens = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.opens} opens"
