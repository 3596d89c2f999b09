"""Send slots, digest issues and the stories chosen for them.

The delivery engine (Delivery rows, workers claiming batches) is the next step
of the digests issue; see docs/newsletter.md.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet

from dateline.newsletter.models import Cadence


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


class DigestIssue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft: editors may change it"
        APPROVED = "approved", "Approved"
        SENDING = "sending", "Sending"
        PAUSED = "paused", "Paused"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    cadence = models.CharField(max_length=20, choices=Cadence.choices)
    # The slot this issue belongs to; unique, so schedulers racing for a slot make one issue.
    slot_at = models.DateTimeField()
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-slot_at"]
        constraints = [
            models.UniqueConstraint(fields=["cadence", "slot_at"], name="one_issue_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.get_cadence_display()} digest for {self.slot_at:%Y-%m-%d %H:%M}"


class DigestStory(models.Model):
    issue = models.ForeignKey(DigestIssue, on_delete=models.CASCADE, related_name="stories")
    article = models.ForeignKey(
        "newsroom.ArticlePage", on_delete=models.CASCADE, related_name="digest_entries"
    )
    position = models.PositiveSmallIntegerField()
    score = models.FloatField(default=0)
    pinned = models.BooleanField(default=False)
    dropped = models.BooleanField(default=False)

    class Meta:
        ordering = ["issue", "position"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "article"], name="a_story_once_per_issue")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.article_id}"
