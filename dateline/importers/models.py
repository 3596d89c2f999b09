"""What an import brought in, keyed by the source's own id, so a re-run finds it again."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class ImportedItem(models.Model):
    """One thing from a source (a post, an author, a section) and the object it became.

    ``fingerprint`` is a hash of the item as the export had it: the same item in a
    newer export with another fingerprint is updated, with the same one left alone.
    """

    source = models.CharField(max_length=20)  # "wordpress", later "ghost", "substack"
    kind = models.CharField(max_length=20)  # "post", "author", "section"
    source_id = models.CharField(max_length=200)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    fingerprint = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="importers_one_per_source_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.source_id}"


class ImportRun(models.Model):
    """One import started from the admin: its uploaded files, how far it got, its report.

    A dry run and the real run that follows it are two rows sharing the uploaded file;
    the worker's task (tasks.py) writes ``done``/``total`` as it goes and the report when
    it ends.
    """

    class Source(models.TextChoices):
        WORDPRESS = "wordpress", "WordPress (WXR .xml)"
        GHOST = "ghost", "Ghost (.json)"
        SUBSTACK = "substack", "Substack (.zip)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=20, choices=Source.choices)
    dry_run = models.BooleanField(default=False)
    # Paths relative to IMPORT_UPLOAD_ROOT (never MEDIA_ROOT: exports hold e-mail addresses).
    export_file = models.CharField(max_length=500)
    export_name = models.CharField(max_length=255)
    mapping_file = models.CharField(max_length=500, blank=True)
    # A folder inside IMPORT_MEDIA_ROOT, as the operator typed it.
    media_dir = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    report = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The dry run this run follows, if any.
    checked_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        kind = "dry run" if self.dry_run else "import"
        return f"{self.get_source_display().split(' (')[0]} {kind} of {self.export_name}"

    @property
    def live(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
