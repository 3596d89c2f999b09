"""The wire desk: providers, the items they send, story clusters and where items were used."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel


class HealthPanel(MultiFieldPanel):
    """A provider's poll health: read-only, and not on a provider not yet created."""

    class BoundPanel(MultiFieldPanel.BoundPanel):
        def is_shown(self) -> bool:
            return bool(getattr(self.instance, "pk", None)) and super().is_shown()


# How often a provider may fail in a row before the desk shows it as failing.
FAILING_AFTER = 3
# Backoff doubles per failure from the poll interval, capped here.
MAX_BACKOFF = datetime.timedelta(hours=6)


class Provider(models.Model):
    """A news agency or other source, and how its reports reach us.

    Transport (how the bytes arrive) and format (how they are read) are kept apart, so
    an agency that changes from a drop folder to HTTP keeps its parser.
    """

    class Transport(models.TextChoices):
        HTTP = "http", "HTTP(S) polling"
        FOLDER = "folder", "Drop folder"
        EMAIL = "email", "Email in (standard input)"

    class Format(models.TextChoices):
        RSS = "rss", "RSS 2.0"
        ATOM = "atom", "Atom"
        NINJS = "ninjs", "ninjs (IPTC JSON)"
        NEWSML = "newsml", "NewsML-G2 text items"

    name = models.CharField(max_length=200, unique=True, help_text="e.g. Associated Press")
    short_name = models.CharField(max_length=40, blank=True, help_text="For credits, e.g. AP")
    takes_the = models.BooleanField(
        default=False, help_text='Say "the" before the name, as in "the Associated Press"'
    )
    transport = models.CharField(max_length=10, choices=Transport.choices, default=Transport.HTTP)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.RSS)
    url = models.URLField(max_length=1000, blank=True, help_text="The feed's address (HTTP)")
    folder = models.CharField(
        max_length=500, blank=True, help_text="A local folder the agency drops files into"
    )
    read_at = models.CharField(
        max_length=200, blank=True, help_text="Where editors read it, e.g. Times Union"
    )
    poll_interval = models.PositiveIntegerField(default=300, help_text="Seconds between polls")
    active = models.BooleanField(default=True)

    # Poll state, kept by the poller.
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Failed polls in a row")
    last_error = models.TextField(blank=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("short_name")]),
        FieldPanel("takes_the", heading="Say “the” before the name"),
        FieldRowPanel([FieldPanel("transport"), FieldPanel("format")]),
        FieldPanel("url", heading="Feed address"),
        FieldPanel("folder", heading="Drop folder"),
        FieldPanel("read_at"),
        FieldRowPanel([FieldPanel("poll_interval", heading="Poll every"), FieldPanel("active")]),
        HealthPanel(
            [FieldPanel("failures", read_only=True), FieldPanel("last_error", read_only=True)],
            heading="Health",
        ),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_failing(self) -> bool:
        return self.failures >= FAILING_AFTER

    @property
    def status(self) -> str:
        if not self.active:
            return "paused"
        return "failing" if self.is_failing else "ok"

    def backoff(self) -> datetime.timedelta:
        """Wait before the next try: the interval, doubled for each failure in a row."""
        base = datetime.timedelta(seconds=self.poll_interval)
        if not self.failures:
            return base
        return min(base * (2 ** min(self.failures, 16)), max(MAX_BACKOFF, base))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.transport == self.Transport.HTTP and not self.url:
            raise ValidationError({"url": "An HTTP provider needs the feed's address."})
        if self.transport == self.Transport.FOLDER and not self.folder:
            raise ValidationError({"folder": "A drop-folder provider needs a folder."})
        from dateline.wire import egress

        if self.transport == self.Transport.HTTP and (problem := egress.url_problem(self.url)):
            raise ValidationError({"url": problem})
        if self.transport == self.Transport.FOLDER:
            try:
                egress.drop_folder(self.folder)
            except egress.EgressRefused:
                raise ValidationError(
                    {"folder": f"Drop folders go inside {egress.drop_root()}, e.g. agency-name."}
                ) from None


class StoryCluster(models.Model):
    """Reports about the same event, across agencies and days."""

    headline = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_item_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_item_at"]

    def __str__(self) -> str:
        return self.headline or f"Cluster {self.pk}"


class WireItem(models.Model):
    """One agency report, by guid; a newer version replaces the text and is marked an update."""

    class Status(models.TextChoices):
        USABLE = "usable", "Usable"
        WITHHELD = "withheld", "Withheld"
        KILLED = "canceled", "Killed"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="items")
    guid = models.CharField(max_length=500)
    version = models.CharField(max_length=50, blank=True)
    original_source = models.CharField(max_length=200, blank=True)
    headline = models.CharField(max_length=500)
    byline = models.CharField(max_length=300, blank=True)
    body_html = models.TextField(blank=True, help_text="Reduced to a safe subset of HTML")
    body_text = models.TextField(blank=True)
    dateline = models.CharField(max_length=200, blank=True)
    first_created = models.DateTimeField(null=True, blank=True)
    version_created = models.DateTimeField(null=True, blank=True, db_index=True)
    credit = models.CharField(max_length=300, blank=True)
    copyright = models.CharField(max_length=300, blank=True)
    usage_terms = models.TextField(blank=True)
    images = models.JSONField(default=list, blank=True)
    links = models.JSONField(default=list, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.USABLE)
    embargoed_until = models.DateTimeField(
        null=True, blank=True, help_text="Not to be published before this time"
    )
    is_update = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    cluster = models.ForeignKey(
        StoryCluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )

    class Meta:
        ordering = ["-version_created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "guid"], name="one_item_per_guid")
        ]

    def __str__(self) -> str:
        return self.headline

    @property
    def is_killed(self) -> bool:
        return self.status == self.Status.KILLED

    @property
    def is_embargoed(self) -> bool:
        return self.embargoed_until is not None and self.embargoed_until > timezone.now()

    @property
    def when(self) -> datetime.datetime:
        return self.version_created or self.first_created or self.received_at


class WireUse(models.Model):
    """An article written from a wire item; who to warn when the item changes or is killed."""

    item = models.ForeignKey(WireItem, on_delete=models.CASCADE, related_name="uses")
    article = models.ForeignKey(
        "newsroom.ArticlePage", on_delete=models.CASCADE, related_name="wire_uses"
    )
    used_at = models.DateTimeField(default=timezone.now)
    # The item's version-created time when the article took it; later means updated since.
    seen_version_at = models.DateTimeField(null=True, blank=True)
    notice = models.TextField(blank=True, help_text="Shown on the article in the admin")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "article"], name="one_use_per_article_item")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} ← {self.item_id}"


def embargo_lifts(article: Any) -> datetime.datetime | None:
    """When the last embargo still in force among the article's wire reports lifts."""
    if not article.pk:
        return None
    return WireItem.objects.filter(
        uses__article_id=article.pk, embargoed_until__gt=timezone.now()
    ).aggregate(until=models.Max("embargoed_until"))["until"]


class QuoteCheckPolicy(models.Model):
    """Per section: whether quotes not found in the cited sources block publication."""

    section = models.OneToOneField(
        "newsroom.SectionPage", on_delete=models.CASCADE, related_name="quote_policy"
    )
    blocking = models.BooleanField(
        default=False,
        help_text="Refuse to publish a story with a quote not found in the wire reports it "
        "cites. Unticked, the editor is only warned.",
    )

    panels = [FieldPanel("section"), FieldPanel("blocking", heading="Block publication")]

    class Meta:
        verbose_name = "quote check policy"
        verbose_name_plural = "quote check policies"

    def __str__(self) -> str:
        return f"{self.section}: {'blocking' if self.blocking else 'advisory'}"


class QuoteCheck(models.Model):
    """The last quote check of an article: one row per quote, with its verdict."""

    class Verdict(models.TextChoices):
        FOUND = "found", "Found"
        PARAPHRASED = "paraphrased", "Paraphrased"
        MISSING = "missing", "Missing"

    article = models.ForeignKey(
        "newsroom.ArticlePage", on_delete=models.CASCADE, related_name="quote_checks"
    )
    quote = models.TextField()
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    score = models.FloatField(default=0)
    item = models.ForeignKey(WireItem, null=True, blank=True, on_delete=models.SET_NULL)
    passage = models.TextField(blank=True, help_text="The closest passage in the sources")
    checked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.verdict}: {self.quote[:60]}"
